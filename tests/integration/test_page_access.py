"""Who may open the arrangement pages, the map and the record: every member; nobody else."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/map/",
    "/map/basemap.json",
    # The map's layers and gazetteer: each answers with what the reader may read.
    "/map/incidents.json",
    "/map/projects.json",
    "/map/denials.json",
    "/map/places.json",
    "/arrangement/",
    "/arrangement/sources/",
    "/record/",
    "/cases/",
    "/cases/inbox/",
    "/cases/hotline/",
    "/cases/scorecard/",
    "/verification/",
    "/verification/inspections/",
    "/verification/denials/",
    "/positions/",
    "/positions/sealed/",
    "/positions/totals/",
    # Advance notification: each shows only the notices the reader may read.
    "/notices/",
    "/notices/calendar/",
    "/notices/calendar.ics",
    "/notices/notices.geojson",
    "/notices/humanitarian/",
    # Proposals and commitments: each lists only what the reader may read.
    "/proposals/",
    "/proposals/commitments/",
    "/proposals/commitments/pam.csv",
]
MEMBERS = ["mediator", "il.liaison", "il.analyst", "il.admin", "sy.liaison", "sy.analyst",
           "sy.admin", "monitor", "donor", "observer"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client_for, path: str) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_a_person_without_membership_sees_nothing_of_the_cell(client_for, path: str) -> None:
    response = client_for("outsider").get(path)
    assert response.status_code == 403
    body = response.content.decode()
    assert "No active membership" in body
    assert "Area of Separation" not in body
    assert "alpha_line_approx" not in body


@pytest.mark.parametrize("member", MEMBERS)
@pytest.mark.parametrize("path", PAGES)
def test_every_member_reads_the_arrangement_and_the_map(client_for, member, path) -> None:
    response = client_for(member).get(path)
    # The scorecard reaches donors and observers only once the parties release it.
    unreleased = path == "/cases/scorecard/" and member in ("donor", "observer")
    assert response.status_code == (404 if unreleased else 200)


@pytest.mark.parametrize("query", ["?version=99", "?version=abc", "?arrangement=nope"])
def test_an_unknown_version_is_not_found(client_for, query: str) -> None:
    assert client_for("sy.liaison").get(f"/arrangement/{query}").status_code == 404


def test_an_earlier_version_stays_readable(client_for) -> None:
    response = client_for("il.liaison").get("/arrangement/?version=1")
    assert response.status_code == 200
    assert "B.3" in response.content.decode()


# The economic zone's forms: the project registration page is the mediator's principals'
# and liaison officers' alone (``economy.services.may_manage``); the forms on a project
# page post to their own addresses (tests/integration/test_economy_forms.py).
MANAGER_PAGES = ["/economy/projects/new/"]


@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_from_the_forms(client_for, path: str) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("member", [*MEMBERS, "outsider"])
@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_only_the_mediator_opens_the_economy_forms(client_for, member, path) -> None:
    assert client_for(member).get(path).status_code == (200 if member == "mediator" else 403)
