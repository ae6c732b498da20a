"""Where the day's workflow features meet: a link between cases of different audiences, a
precedence changed after a countersigned extension, the ledger's names for incidents,
times without an offset, and the read receipt of a page opened from another site."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import ledger, services
from coordcell.cases.models import Case, Deadline, Extension, Step
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.record.models import Entry
from tests.conftest import IN_AOS

pytestmark = pytest.mark.django_db


def _incident(actor: Any, *, kind: str = "military_presence", title: str, audience: list[str]):
    il = actor("il.liaison")
    return report_incident(
        actor=il,
        data=IncidentInput(
            kind=kind,
            title=title,
            occurred_from=timezone.now() - dt.timedelta(hours=1),
            geometry=IN_AOS,
        ),
        version=get_version(il, None, None),
        audience=audience,
    )


def test_a_link_names_the_other_case_only_to_those_who_may_read_it(actor: Any) -> None:
    narrow = Case.objects.order_by("pk").first()  # the session's drill case: il, sy, …
    assert narrow is not None
    wide = services.lodge_complaint(
        actor=actor("il.liaison"),
        incident=_incident(actor, title="Seen by every member (fictional)", audience=["*"]),
        respondent="sy",
        summary="A complaint every member reads (fictional).",
        extra_audience=["*"],
    )
    services.act(
        actor=actor("mediator"),
        case=wide,
        action="link",
        text="The same event (fictional).",
        content={"case": narrow.reference, "relation": "duplicate"},
    )
    step = Step.objects.filter(case=wide, action="link").get()
    # The donor and the observer read this step but not the other case: no reference.
    assert narrow.reference not in str(step.entry.data)
    assert step.entry.data["relation"] == "duplicate"
    entries = Entry.objects.filter(event_type="cases.linked")
    assert not any(narrow.reference in str(e.data) for e in entries)


def test_a_precedence_change_keeps_an_extension_both_parties_countersigned(actor: Any) -> None:
    il, sy, mediator = actor("il.liaison"), actor("sy.liaison"), actor("mediator")
    case = services.lodge_complaint(
        actor=il,
        incident=_incident(actor, title="Routine (fictional)", audience=["il", "sy"]),
        respondent="sy",
        summary="A routine complaint (fictional).",
        precedence="routine",
    )
    services.propose_extension(
        actor=mediator, case=case, kind="answer", hours=48, reason="More time (fictional)."
    )
    services.countersign_extension(actor=il, case=case, kind="answer")
    services.countersign_extension(actor=sy, case=case, kind="answer")
    extended = Deadline.objects.get(case=case, kind="answer", state="open").due_at

    services.change_precedence(actor=il, case=case, precedence="immediate", reason="(fictional)")
    moved = Deadline.objects.get(case=case, kind="answer", state="open").due_at
    # ROUTINE answers in 48 h, IMMEDIATE in 12 h: the agreed 48 h stay on top.
    assert moved == extended - dt.timedelta(hours=48 - 12)

    services.propose_extension(
        actor=mediator, case=case, kind="answer", hours=24, reason="Again (fictional)."
    )
    services.change_precedence(actor=il, case=case, precedence="routine", reason="(fictional)")
    # Proposed from a time that no longer holds: it lapsed and cannot be countersigned.
    assert not Extension.objects.filter(case=case, state="pending").exists()


def test_the_ledger_names_an_incident_by_its_headline_not_the_reporters_title(
    actor: Any, client_for: Any
) -> None:
    title = "Justified strike on a launch team (fictional)"
    incident = _incident(actor, kind="air_or_drone_strike", title=title, audience=["il", "sy"])
    ledger.claim_self_defence(
        actor=actor("il.liaison"),
        incident=incident,
        warning=None,
        no_prior_warning=True,
        statement="Self-defence (fictional).",
    )
    for reader in ("sy.liaison", "mediator", "monitor"):  # its own party reads its title
        assert title not in client_for(reader).get("/cases/ledger/").content.decode()


def test_a_time_without_an_offset_is_refused_by_the_new_doors(tokens: dict[str, str]) -> None:
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    response = client.post(
        "/api/v1/warnings/",
        {
            "addressee": "sy",
            "geometry": IN_AOS,
            "threat": "Armed men at the crossing (fictional).",
            "act_kind": "armed_clash",
            "action_requested": "Act within two hours (fictional).",
            "window_hours": 2,
            "passed_at": "2026-12-05T09:00:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "passed_at" in response.json()["error"]["fields"]


def test_a_case_opened_from_another_site_is_not_acknowledged(actor: Any, user: Any) -> None:
    case = services.lodge_complaint(
        actor=actor("il.liaison"),
        incident=_incident(actor, title="Lodged (fictional)", audience=["il", "sy"]),
        respondent="sy",
        summary="Lodged a minute ago (fictional).",
    )
    client = Client()
    client.force_login(user("sy.liaison"))
    client.get(f"/cases/{case.public_id}/", HTTP_SEC_FETCH_SITE="cross-site")
    client.get(f"/cases/{case.public_id}/", HTTP_SEC_PURPOSE="prefetch")
    case.refresh_from_db()
    assert case.state == "lodged"
    client.get(f"/cases/{case.public_id}/", HTTP_SEC_FETCH_SITE="same-origin")
    case.refresh_from_db()
    assert case.state == "acknowledged"
