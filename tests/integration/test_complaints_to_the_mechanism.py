"""A complaint addressed to the mechanism itself, where the protocol takes one
(``addressed_to``): no respondent party; the protocol's deciders answer it, the
complainant aside; the page, the API and the hotline's conversion all lodge it through
the one lodging service; its audience is the complainant, those who answer, and the
mediators and monitors, nobody else."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.cases import hotline, lodging, selectors, services
from coordcell.cases.models import Case
from coordcell.cases.scorecard import scorecard
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents.services import IncidentInput
from coordcell.parties.models import Party

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
SUMMARY = "The cell did not meet when requested (fictional)."


def _taking(tmp_path: Path, *, joint: bool = False) -> Path:
    """The shipped scenario whose protocols take complaints addressed to the mechanism
    (and, with ``joint``, whose complaints the two parties decide jointly)."""
    copy = tmp_path / "to_mechanism"
    shutil.copytree(SCENARIOS_DIR / "southern_syria_2026", copy)
    toml = copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    for serves in ("complaints", "hotline"):
        marker = f'serves = "{serves}"\n'
        assert text.count(marker) == 1
        extra = 'addressed_to = ["party", "mechanism"]\n'
        if joint and serves == "complaints":
            extra += 'determined_by = { all_of = ["il", "sy"] }\n'
        text = text.replace(marker, marker + extra)
    toml.write_text(text, encoding="utf-8")
    return copy


@pytest.fixture
def version(console: Any, tmp_path: Path) -> Any:
    return load_arrangement(actor=console, path=_taking(tmp_path)).version


def _incident() -> IncidentInput:
    return IncidentInput(
        kind="military_presence",
        title="Armed personnel in the Area of Separation (fictional)",
        occurred_from=dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC),
        geometry=IN_AOS,
    )


def _lodge(actor: Any, version: Any, who: str = "il.liaison") -> Case:
    return lodging.report_and_lodge(
        actor=actor(who),
        version=version,
        incident=_incident(),
        respondent="mechanism",
        summary=SUMMARY,
    )


def test_the_chair_answers_a_complaint_addressed_to_the_mechanism(actor: Any, version: Any) -> None:
    case = _lodge(actor, version)
    assert case.respondent is None
    assert case.audience_codes == ["il", "undof", "us"]  # the chair answers; sy is not in it
    assert services.answering_codes(case) == ("us",)
    with pytest.raises(PermissionDenied):
        services.act(actor=actor("il.liaison"), case=case, action="answer", text="No.")
    services.act(actor=actor("mediator"), case=case, action="answer", text="We meet Monday.")
    case.refresh_from_db()
    assert case.state == "answered"
    card = {p["party"]: p["months"] for p in scorecard(actor("mediator"))["parties"]}
    month = f"{case.lodged_at:%Y-%m}"
    assert card["us"][month]["complaints_received"] >= 1
    assert card["us"][month]["time_to_answer"]["count"] >= 1


def test_a_party_outside_its_audience_does_not_see_it(actor: Any, version: Any) -> None:
    case = _lodge(actor, version)
    with pytest.raises(NotFound):
        selectors.get_case(actor("sy.liaison"), case.public_id)
    assert case.pk not in set(
        selectors.list_cases(actor("sy.liaison")).values_list("pk", flat=True)
    )


def test_under_a_joint_rule_the_other_deciding_party_answers(
    actor: Any, console: Any, tmp_path: Path
) -> None:
    version = load_arrangement(actor=console, path=_taking(tmp_path, joint=True)).version
    case = _lodge(actor, version)
    assert services.answering_codes(case) == ("sy",)
    assert case.audience_codes == ["il", "sy", "undof", "us"]
    services.act(actor=actor("sy.liaison"), case=case, action="acknowledge")
    case.refresh_from_db()
    assert case.state == "acknowledged"


def test_the_page_offers_and_lodges_it(version: Any, client_for: Any) -> None:
    client = client_for("sy.liaison")
    form = client.get(reverse("cases:lodge")).content.decode()
    assert 'value="mechanism"' in form
    response = client.post(
        reverse("cases:lodge"),
        {"respondent": "mechanism", "title": "No meeting (fictional)", "kind": "overflight",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute", "lat": "33.12595",
         "lon": "35.82461", "uncertainty_m": "200", "summary": SUMMARY},
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    assert case.respondent is None
    page = client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "to the mechanism" in page


def test_the_api_lodges_it_and_names_the_mechanism(version: Any, tokens: dict[str, str]) -> None:
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    response = client.post(
        "/api/v1/cases/",
        {
            "report": {
                "kind": "overflight",
                "title": "No meeting (fictional)",
                "occurred_from": "2026-05-02T04:15:00Z",
                "geometry": IN_AOS,
            },
            "respondent": "mechanism",
            "summary": SUMMARY,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["respondent"] == "mechanism"
    listed = client.get("/api/v1/cases/", {"respondent": "mechanism"}).json()
    assert [c["id"] for c in listed["results"]] == [response.json()["id"]]


def test_the_hotline_conversion_lodges_it_on_the_hotline_protocol(actor: Any, version: Any) -> None:
    activation = hotline.activate(
        actor=actor("il.liaison"),
        callee=Party.objects.get(code="us"),
        channel="call",
        subject_text="No one answers at the cell (fictional).",
        version=version,
    )
    case = lodging.report_and_lodge(
        actor=actor("il.liaison"),
        activation=activation,
        version=version,
        incident=_incident(),
        respondent="mechanism",
        summary=SUMMARY,
    )
    assert (case.protocol_id, case.respondent) == ("hotline", None)


def test_a_protocol_that_does_not_take_it_refuses_it_before_any_write(
    actor: Any, tokens: dict[str, str]
) -> None:
    before = Case.objects.count()
    from coordcell.agreements.selectors import get_version

    with pytest.raises(ValidationFailed) as refused:
        _lodge(actor, get_version(actor("il.liaison"), None, None))
    assert "respondent" in refused.value.fields
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    response = client.post(
        "/api/v1/cases/",
        {
            "report": {
                "kind": "overflight",
                "title": "No meeting (fictional)",
                "occurred_from": "2026-05-02T04:15:00Z",
                "geometry": IN_AOS,
            },
            "respondent": "mechanism",
            "summary": SUMMARY,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "respondent" in response.json()["error"]["fields"]
    assert Case.objects.count() == before
