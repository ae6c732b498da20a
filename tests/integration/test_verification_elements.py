"""Verification by element (issue "The cell as practitioners run it", point 4): a
verification result is a set of elements, each established / partly / not established /
could not verify, with the reason; access denials are data, counted per party that
denied access, shown on the case and on the scorecard. One-word results stored before
stay readable.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coordcell.cases import selectors, services
from coordcell.cases.models import Case, VerificationElement
from coordcell.cases.scorecard import scorecard
from coordcell.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

ELEMENTS = [
    {"element": "presence", "finding": "established"},
    {"element": "time", "finding": "partly", "reason": "insufficient_information"},
    {
        "element": "damage",
        "finding": "could_not_verify",
        "reason": "access_denied",
        "denied_by": "sy",
    },
    {
        "element": "attribution",
        "finding": "could_not_verify",
        "reason": "access_denied",
        "denied_by": "sy",
    },
]


def _requested(actor: Any) -> Case:
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    case = services.lodge_complaint(
        actor=actor("il.liaison"),
        incident=incident,
        respondent="sy",
        summary="Verification drill (fictional).",
    )
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Not ours.")
    services.act(actor=actor("il.liaison"), case=case, action="request_verification")
    case.refresh_from_db()
    return case


def test_elements_with_access_denied_are_recorded_and_counted(
    actor: Any, tokens: dict[str, str], client_for: Any
) -> None:
    case = _requested(actor)
    client = Client(headers={"Authorization": f"Bearer {tokens['monitor']}"})
    response = client.post(
        f"/api/v1/cases/{case.public_id}/actions/",
        {"action": "record_disputed", "text": "Partly seen (fictional).", "elements": ELEMENTS},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["access_denials"] == {"sy": 2}
    assert [e["element"] for e in body["steps"][-1]["elements"]] == [
        "presence",
        "time",
        "damage",
        "attribution",
    ]
    rows = VerificationElement.objects.filter(case=case)
    assert rows.count() == 4
    assert selectors.access_denials(actor("il.liaison"), case=case).count() == 2
    # The scorecard counts them against the party that denied access.
    card = {p["party"]: p["months"] for p in scorecard(actor("mediator"))["parties"]}
    month = f"{case.lodged_at:%Y-%m}"
    assert card["sy"][month]["monitor_access_denied"] >= 2
    assert card["il"].get(month, {}).get("monitor_access_denied", 0) == 0
    page = client_for("il.liaison").get(reverse("cases:case", args=[case.public_id]))
    html = page.content.decode()
    assert "Access denied to the monitors" in html
    assert "2 elements" in html
    assert "could not verify" in html


def test_a_reason_is_required_and_an_access_denial_names_a_party_of_the_case(actor: Any) -> None:
    case = _requested(actor)
    for bad in (
        [{"element": "presence", "finding": "could_not_verify"}],  # no reason
        [{"element": "presence", "finding": "partly", "reason": "other"}],  # no words
        [{"element": "presence", "finding": "could_not_verify", "reason": "access_denied"}],
        [{"element": "presence", "finding": "established", "denied_by": "sy"}],
        [{"element": "smell", "finding": "established"}],
        [{"element": "time", "finding": "established"}] * 2,
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.act(
                actor=actor("monitor"),
                case=case,
                action="record_verified",
                content={"elements": bad},
            )
        assert "elements" in refused.value.fields, bad
    case.refresh_from_db()
    assert case.state == "verification_requested"  # nothing written
    assert not VerificationElement.objects.filter(case=case).exists()


def test_the_page_records_a_result_by_element(actor: Any, client_for: Any) -> None:
    case = _requested(actor)
    response = client_for("monitor").post(
        reverse("cases:step", args=[case.public_id, "record_unverifiable"]),
        {
            "text": "No access (fictional).",
            "presence_finding": "could_not_verify",
            "presence_reason": "access_denied",
            "presence_denied_by": "sy",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    [row] = VerificationElement.objects.filter(case=case)
    assert (row.element, row.finding, row.denied_by) == ("presence", "could_not_verify", "sy")


def test_a_one_word_result_stays_readable(actor: Any, tokens: dict[str, str]) -> None:
    case = _requested(actor)
    services.act(actor=actor("monitor"), case=case, action="record_verified", text="Seen.")
    detail = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"}).get(
        f"/api/v1/cases/{case.public_id}/"
    )
    body = detail.json()
    assert body["state"] == "verified"
    assert body["steps"][-1]["elements"] == []
    assert body["access_denials"] == {}
