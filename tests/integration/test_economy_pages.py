"""The economic zone's pages and API (issue 15): a donor is its pseudonym on every
surface a party reads — pages, API, exports of transactions, totals, record entries —
and named to the mediator and to itself; why a condition holds a tranche is never shown
to a donor unless the mediator released it; hidden looks like missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coordcell.economy import conditions, services
from coordcell.economy.models import Donor
from coordcell.verification.sites import record_site_check
from tests.integration.test_economy import SIDE_B, _donor, _project, _tranche

pytestmark = pytest.mark.django_db

NAME = "Donor A (fictional)"


def _api(tokens: dict[str, str], username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens[username]}"})


def _held(actor: Any, console: Any) -> Any:
    project = _project(actor, site=SIDE_B, sector="wind_energy")
    tranche = _tranche(actor, console, project)
    condition = services.add_condition(
        actor=actor("mediator"), tranche=tranche, kind="no_military_presence"
    )
    check = record_site_check(
        actor=actor("monitor"), version=project.version, site_key=project.reference,
        site=project.site, checked_at=timezone.now() - dt.timedelta(minutes=3),
        military_presence=True, party="sy",
    )  # fmt: skip
    conditions.evaluate_all(timezone.now())
    return project, tranche, condition, check


@pytest.mark.parametrize("reader", ["il.liaison", "sy.analyst", "monitor", "observer"])
def test_others_read_the_pseudonym_on_every_page_and_in_the_api(
    actor: Any, console: Any, client_for: Any, tokens: dict[str, str], reader: str
) -> None:
    project, tranche, _c, _check = _held(actor, console)
    donor = _donor(console)
    label = f"Donor {donor.pseudonym}"
    for url in ("/economy/", f"/economy/projects/{project.public_id}/", "/economy/dashboard/"):
        body = client_for(reader).get(url).content.decode()
        assert NAME not in body
        assert "donor_a" not in body
    assert (
        label in client_for(reader).get(f"/economy/projects/{project.public_id}/").content.decode()
    )
    api = _api(tokens, reader)
    for path in (
        "/api/v1/economy/transactions/",
        "/api/v1/economy/totals/?by=donor",
        f"/api/v1/economy/projects/{project.public_id}/",
        "/api/v1/economy/donors/",
        f"/api/v1/economy/tranches/{tranche.public_id}/",
    ):
        response = api.get(path)
        assert response.status_code == 200, path
        assert NAME not in response.content.decode()
        assert "donor_a" not in response.content.decode()
    assert client_for(reader).get("/economy/donor/").status_code == 404


@pytest.mark.parametrize("reader", ["mediator", "donor"])
def test_the_mediator_and_the_donor_itself_read_its_name(
    actor: Any, console: Any, client_for: Any, tokens: dict[str, str], reader: str
) -> None:
    project, *_rest = _held(actor, console)
    assert (
        NAME in client_for(reader).get(f"/economy/projects/{project.public_id}/").content.decode()
    )
    rows = _api(tokens, reader).get("/api/v1/economy/transactions/").json()["results"]
    assert {r["donor"] for r in rows if r["project"] == str(project.public_id)} == {NAME}


def test_a_donor_sees_the_state_and_only_the_references_the_mediator_released(
    actor: Any, console: Any, client_for: Any, tokens: dict[str, str]
) -> None:
    _, tranche, condition, check = _held(actor, console)
    url = f"/api/v1/economy/tranches/{tranche.public_id}/"
    seen = _api(tokens, "donor").get(url).json()
    assert seen["state"] == "held"
    assert seen["conditions"][0]["state"] == "failed"
    assert seen["conditions"][0]["holding"] == []
    assert check.reference not in client_for("donor").get("/economy/donor/").content.decode()
    party = _api(tokens, "il.liaison").get(url).json()
    assert party["conditions"][0]["holding"][0]["reference"] == check.reference
    assert _api(tokens, "observer").get(url).json()["conditions"][0]["holding"] == []
    refused = _api(tokens, "donor").post(
        f"/api/v1/economy/conditions/{condition.public_id}/release/"
    )
    assert refused.status_code == 403
    released = _api(tokens, "mediator").post(
        f"/api/v1/economy/conditions/{condition.public_id}/release/"
    )
    assert released.status_code == 200
    seen = _api(tokens, "donor").get(url).json()
    assert seen["conditions"][0]["holding"] == [
        {"type": "site_check", "reference": check.reference}
    ]
    assert check.reference in client_for("donor").get("/economy/donor/").content.decode()


def test_the_api_refuses_floats_and_answers_400_with_the_distance(
    actor: Any, console: Any, tokens: dict[str, str]
) -> None:
    api = _api(tokens, "mediator")
    body = {
        "sector": "tourism",
        "titles": {"en": "Lodge (fictional test)", "ar": "نزل", "he": "אכסניה"},
        "descriptions": {"en": "A lodge", "ar": "نزل", "he": "אכסניה"},
        "site": {"type": "Point", "coordinates": [35.63, 33.26]},
        "budget_currency": "USD",
        "budget_amount": "250000",
    }
    response = api.post("/api/v1/economy/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert "km beyond its edge" in response.content.decode()
    body["site"] = SIDE_B
    created = api.post("/api/v1/economy/projects/", body, content_type="application/json")
    assert created.status_code == 201
    project = created.json()["id"]
    donor = str(_donor(console).public_id)
    pledge = {"project": project, "donor": donor, "currency": "USD", "pledged_on": "2026-02-01"}
    floats = api.post(
        "/api/v1/economy/pledges/", {**pledge, "amount": 10.1}, content_type="application/json"
    )
    assert floats.status_code == 400
    assert "amount" in floats.json()["error"]["fields"]
    ok = api.post(
        "/api/v1/economy/pledges/", {**pledge, "amount": "10.10"}, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["amount"] == "10.10"


def test_a_hidden_or_missing_project_answers_the_same_404(tokens: dict[str, str]) -> None:
    api = _api(tokens, "il.liaison")
    a = api.get("/api/v1/economy/projects/00000000-0000-0000-0000-000000000000/")
    b = api.get("/api/v1/economy/projects/not-a-uuid/")
    assert a.status_code == b.status_code == 404
    assert a.content == b.content


def test_totals_convert_at_the_dated_rate_and_list_it(
    actor: Any, console: Any, tokens: dict[str, str]
) -> None:
    project = _project(actor)
    donor = _donor(console)
    services.record_rate(
        actor=actor("mediator"), currency="EUR", base="USD", rate="1.1", valid_on="2026-01-01",
        source="Exercise rate (fictional test)",
    )  # fmt: skip
    services.record_pledge(
        actor=actor("donor"), project=project, donor=donor, currency="EUR", amount="100.00",
        pledged_on="2026-02-01",
    )  # fmt: skip
    services.record_pledge(
        actor=actor("donor"), project=project, donor=donor, currency="USD", amount="0.01",
        pledged_on="2026-02-01",
    )  # fmt: skip
    rows = _api(tokens, "mediator").get("/api/v1/economy/totals/?by=project").json()["results"]
    mine = next(r for r in rows if r["key"] == project.reference)
    assert mine["pledged"] == "110.01"
    assert mine["unconverted"] == 0


def test_the_dashboard_draws_inline_svg_and_no_outside_request(
    actor: Any, console: Any, client_for: Any
) -> None:
    _held(actor, console)
    body = client_for("il.liaison").get("/economy/dashboard/").content.decode()
    assert "<svg" in body
    assert "polyline" in body
    assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in body


def test_the_donor_chooses_to_be_named_on_its_page(
    actor: Any, console: Any, client_for: Any
) -> None:
    _donor(console)
    response = client_for("donor").post("/economy/donor/", {"named": "yes"})
    assert response.status_code == 302
    assert Donor.objects.get(party__code="donor_a").named


@pytest.mark.parametrize(
    ("language", "words"),
    [("ar", ["المنطقة والمشاريع", "الزراعة"]), ("he", ["האזור והמיזמים", "חקלאות"])],
)
def test_the_zone_page_is_right_to_left_in_arabic_and_hebrew(
    actor: Any, client_for: Any, language: str, words: list[str]
) -> None:
    _project(actor)
    html = client_for("il.liaison").get("/economy/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'dir="rtl"' in html
    for word in words:
        assert word in html


@pytest.mark.parametrize("when", ["2026-02-30T10:00", "2026-13-45T25:61", "not a time"])
def test_an_impossible_site_check_time_is_refused_on_the_page(
    client_for: Any, actor: Any, when: str
) -> None:
    from coordcell.verification.models import SiteCheck

    project = _project(actor)
    before = SiteCheck.objects.count()
    response = client_for("monitor").post(
        f"/economy/projects/{project.public_id}/",
        {"action": "site_check", "checked_at": when, "military_presence": "no", "note": "n"},
    )
    assert response.status_code == 400
    assert SiteCheck.objects.count() == before
