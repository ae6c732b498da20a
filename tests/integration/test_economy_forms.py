"""The economic zone's forms (register a project, add a milestone and set its status,
record a pledge, a commitment, a tranche): each posts to the service the API calls, works
for the entitled persona (a row and a record entry), is refused to others (no row, no
entry: 403, or the 404 of a hidden object), and re-renders with the service's errors on
the fields on bad input (400, nothing written)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from coordcell.economy.models import Commitment, Milestone, Pledge, Project, Tranche
from coordcell.record.models import Entry
from tests.integration.test_economy import OUTSIDE, _donor, _project

pytestmark = pytest.mark.django_db

NEW = "/economy/projects/new/"
OTHERS = ["il.liaison", "sy.analyst", "monitor", "observer", "donor"]


def _project_post(**kw: Any) -> dict[str, Any]:
    data = {
        "sector": "agriculture",
        "title_en": "Greenhouses (fictional test)",
        "title_ar": "بيوت زجاجية (اختبار وهمي)",
        "title_he": "חממות (בדיקה בדיונית)",
        "description_en": "Shared greenhouses (fictional test)",
        "description_ar": "بيوت زجاجية مشتركة (اختبار وهمي)",
        "description_he": "חממות משותפות (בדיקה בדיונית)",
        "lat": "33.26",
        "lon": "35.76",
        "budget_currency": "USD",
        "budget_amount": "250000.50",
        "state": "planned",
    }
    data.update(kw)
    return data


def _entries(event_type: str) -> int:
    return Entry.objects.filter(event_type=event_type).count()


# ---------------------------------------------------------------- register a project


def test_the_mediator_registers_a_project_through_the_form(client_for: Any) -> None:
    client = client_for("mediator")
    assert client.get("/economy/").content.decode().count(NEW) == 1
    assert client.get(NEW).status_code == 200
    before = _entries("economy.project_registered")
    response = client.post(NEW, _project_post())
    project = Project.objects.get(titles__en="Greenhouses (fictional test)")
    assert response.status_code == 302
    assert response["Location"] == f"/economy/projects/{project.public_id}/"
    assert project.budget_amount == Decimal("250000.50")
    assert project.sides == ["A"]
    assert project.titles["he"] == "חממות (בדיקה בדיונית)"
    assert _entries("economy.project_registered") == before + 1


def test_a_site_given_as_geojson_is_taken(client_for: Any) -> None:
    post = _project_post(lat="", lon="", site='{"type": "Point", "coordinates": [35.9, 33.3]}')
    assert client_for("mediator").post(NEW, post).status_code == 302
    assert Project.objects.get().sides == ["B"]


@pytest.mark.parametrize("who", OTHERS)
def test_others_neither_see_the_link_nor_register(client_for: Any, who: str) -> None:
    client = client_for(who)
    assert NEW not in client.get("/economy/").content.decode()
    assert client.get(NEW).status_code == 403
    before = Entry.objects.count()
    assert client.post(NEW, _project_post()).status_code == 403
    assert not Project.objects.exists()
    assert Entry.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"budget_amount": "1e5"}, "budget_amount", "digits with at most one decimal point"),
        ({"budget_amount": "100.505"}, "budget_amount", "USD has 2 decimal places"),
        ({"budget_currency": "XYZ"}, "budget_currency", "XYZ is not an ISO 4217 currency"),
        ({"title_ar": "  "}, "title_ar", "This field is required."),
        ({"description_en": ""}, "description_en", "This field is required."),
        ({"lat": "", "lon": "", "site": "{nope"}, "site", "could not be read as GeoJSON"),
        ({"lat": "", "lon": ""}, "site", "Give the coordinates of a point"),
        (
            {"lat": "", "lon": "", "site": '{"type": "Point", "coordinates": [35.9]}'},
            "site",
            "",
        ),
    ],
)
def test_bad_input_re_renders_the_form_with_the_error_on_its_field(
    client_for: Any, change: dict[str, str], field: str, message: str
) -> None:
    before = Entry.objects.count()
    response = client_for("mediator").post(NEW, _project_post(**change))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Project.objects.exists()
    assert Entry.objects.count() == before


def test_a_site_outside_the_zone_shows_the_services_message_with_its_distance(
    client_for: Any,
) -> None:
    lon, lat = OUTSIDE["coordinates"]
    response = client_for("mediator").post(NEW, _project_post(lat=str(lat), lon=str(lon)))
    assert response.status_code == 400
    errors = response.context["form"].errors["site"]
    assert "outside the economic zone" in errors[0]
    assert " km beyond its edge" in errors[0]
    assert not Project.objects.exists()


def test_the_form_speaks_arabic_and_hebrew(client_for: Any) -> None:
    client = client_for("mediator")
    ar = client.get(NEW, headers={"accept-language": "ar"}).content.decode()
    he = client.get(NEW, headers={"accept-language": "he"}).content.decode()
    assert "تسجيل مشروع" in ar
    assert "רישום פרויקט" in he


# ---------------------------------------------------------------- milestones


def test_the_mediator_adds_a_milestone_and_sets_its_status(actor: Any, client_for: Any) -> None:
    project = _project(actor)
    client = client_for("mediator")
    url = f"/economy/projects/{project.public_id}/"
    page = client.get(url).content.decode()
    assert f"{url}milestones/" in page
    before = _entries("economy.milestone_set")
    response = client.post(
        f"{url}milestones/",
        {"title_en": "Survey (fictional test)", "title_ar": "مسح (اختبار وهمي)",
         "title_he": "סקר (בדיקה בדיונית)", "due_on": "2026-12-20", "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 302
    milestone = Milestone.objects.get(project=project)
    assert str(milestone.due_on) == "2026-12-20"
    assert _entries("economy.milestone_set") == before + 1
    status_url = f"{url}milestones/{milestone.public_id}/status/"
    assert status_url in client.get(url).content.decode()
    assert client.post(status_url, {"status": "done"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "done"
    assert milestone.done_on is not None
    assert _entries("economy.milestone_set") == before + 2


def test_a_bad_milestone_date_re_renders_the_project_page(actor: Any, client_for: Any) -> None:
    project = _project(actor)
    url = f"/economy/projects/{project.public_id}/milestones/"
    response = client_for("mediator").post(
        url, {"title_en": "x", "title_ar": "x", "title_he": "x", "due_on": "20-12-2026",
              "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["milestone_form"].errors["due_on"] == ["Give a date (YYYY-MM-DD)."]
    assert "Give a date (YYYY-MM-DD)." in response.content.decode()
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("who", OTHERS)
def test_others_may_not_add_milestones_nor_set_their_status(
    actor: Any, client_for: Any, who: str
) -> None:
    project = _project(actor)
    url = f"/economy/projects/{project.public_id}/"
    milestone = Milestone.objects.create(
        project=project, titles={"en": "a", "ar": "a", "he": "a"}, due_on="2026-12-01",
        status="planned", updated_at=project.created_at,
    )  # fmt: skip
    client = client_for(who)
    page = client.get(url).content.decode()
    assert "milestones/" not in page
    before = Entry.objects.count()
    post = {"title_en": "x", "title_ar": "x", "title_he": "x", "due_on": "2026-12-20",
            "status": "planned"}  # fmt: skip
    assert client.post(f"{url}milestones/", post).status_code == 403
    status_url = f"{url}milestones/{milestone.public_id}/status/"
    assert client.post(status_url, {"status": "done"}).status_code == 403
    milestone.refresh_from_db()
    assert milestone.status == "planned"
    assert Milestone.objects.count() == 1
    assert Entry.objects.count() == before


# ---------------------------------------------------------------- money


def _money_flow(client: Any, project: Project, donor: Any) -> tuple[Pledge, Commitment, Tranche]:
    url = f"/economy/projects/{project.public_id}/"
    response = client.post(
        f"{url}pledges/",
        {"parent": str(donor.public_id), "currency": "USD", "amount": "900000.00",
         "pledged_on": "2026-03-01"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get(project=project)
    response = client.post(
        f"{url}commitments/",
        {"parent": str(pledge.public_id), "currency": "USD", "amount": "600000",
         "committed_on": "2026-03-10"},
    )  # fmt: skip
    assert response.status_code == 302
    commitment = Commitment.objects.get(pledge=pledge)
    response = client.post(
        f"{url}tranches/",
        {"parent": str(commitment.public_id), "currency": "USD", "amount": "200000.25",
         "planned_on": "2026-04-01"},
    )  # fmt: skip
    assert response.status_code == 302
    return pledge, commitment, Tranche.objects.get(commitment=commitment)


@pytest.mark.parametrize("who", ["donor", "mediator"])
def test_the_donor_and_the_mediator_record_money_through_the_forms(
    actor: Any, console: Any, client_for: Any, who: str
) -> None:
    project = _project(actor)
    donor = _donor(console)
    client = client_for(who)
    page = client.get(f"/economy/projects/{project.public_id}/").content.decode()
    assert "pledges/" in page
    before = [
        _entries(t)
        for t in ("economy.pledge_recorded", "economy.commitment_recorded",
                  "economy.tranche_scheduled")
    ]  # fmt: skip
    pledge, commitment, tranche = _money_flow(client, project, donor)
    assert (pledge.donor, pledge.amount) == (donor, Decimal("900000.00"))
    assert commitment.amount == Decimal("600000")
    assert tranche.amount == Decimal("200000.25")
    after = [
        _entries(t)
        for t in ("economy.pledge_recorded", "economy.commitment_recorded",
                  "economy.tranche_scheduled")
    ]  # fmt: skip
    assert after == [n + 1 for n in before]
    page = client.get(f"/economy/projects/{project.public_id}/").content.decode()
    assert "commitments/" in page
    assert "tranches/" in page


@pytest.mark.parametrize("who", ["il.liaison", "sy.analyst", "monitor", "observer"])
def test_others_see_no_money_form_and_are_refused(
    actor: Any, console: Any, client_for: Any, who: str
) -> None:
    project = _project(actor)
    donor = _donor(console)
    url = f"/economy/projects/{project.public_id}/"
    client = client_for(who)
    page = client.get(url).content.decode()
    assert "pledges/" not in page
    before = Entry.objects.count()
    post = {"parent": str(donor.public_id), "currency": "USD", "amount": "1.00",
            "pledged_on": "2026-03-01"}  # fmt: skip
    assert client.post(f"{url}pledges/", post).status_code == 403
    assert client.get(f"{url}pledges/").status_code == 403
    assert client.post(f"{url}commitments/", post).status_code == 403
    assert client.post(f"{url}tranches/", post).status_code == 403
    assert not Pledge.objects.exists()
    assert Entry.objects.count() == before


def test_an_unknown_project_is_missing_for_the_forms(client_for: Any) -> None:
    missing = "/economy/projects/00000000-0000-0000-0000-000000000000/"
    client = client_for("mediator")
    for tail in ("milestones/", "pledges/", "commitments/", "tranches/"):
        assert client.post(f"{missing}{tail}", {}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "1e3"}, "amount", "digits with at most one decimal point"),
        ({"amount": "10.001"}, "amount", "USD has 2 decimal places"),
        ({"currency": "ZZZ"}, "currency", "ZZZ is not an ISO 4217 currency"),
        ({"pledged_on": "yesterday"}, "pledged_on", "Give a date (YYYY-MM-DD)."),
    ],
)
def test_a_bad_pledge_re_renders_with_the_error_on_its_field(
    actor: Any, console: Any, client_for: Any, change: dict[str, str], field: str, message: str
) -> None:
    project = _project(actor)
    donor = _donor(console)
    before = Entry.objects.count()
    post = {"parent": str(donor.public_id), "currency": "USD", "amount": "10.00",
            "pledged_on": "2026-03-01", **change}  # fmt: skip
    response = client_for("donor").post(f"/economy/projects/{project.public_id}/pledges/", post)
    assert response.status_code == 400
    assert message in " ".join(response.context["pledge_form"].errors[field])
    assert not Pledge.objects.exists()
    assert Entry.objects.count() == before


def test_a_commitment_above_its_pledge_is_refused_on_the_amount(
    actor: Any, console: Any, client_for: Any
) -> None:
    project = _project(actor)
    client = client_for("donor")
    pledge, _commitment, _t = _money_flow(client, project, _donor(console))
    response = client.post(
        f"/economy/projects/{project.public_id}/commitments/",
        {"parent": str(pledge.public_id), "currency": "USD", "amount": "300000.01",
         "committed_on": "2026-03-10"},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["commitment_form"].errors["amount"]
    assert "The commitments would exceed the pledge (300000." in errors[0]
    assert Commitment.objects.count() == 1
