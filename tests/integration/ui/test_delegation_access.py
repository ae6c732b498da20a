"""Who may open and change what on the delegation pages: the authorization matrix.

Every denial also checks that nothing changed and that the page does not name the
object it refused; a hidden delegation answers exactly like one that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from coordcell.parties.services import update_delegation
from coordcell.record.models import Entry
from tests.integration.ui.conftest import MISSING, snapshot

pytestmark = pytest.mark.django_db

TARGET_NAMES = {
    "il": "Israel delegation",
    "sy": "Syria delegation",
    "donor_a": "Donor A",
}
TARGET_MEMBER = {"il": "il.liaison", "sy": "sy.liaison", "donor_a": "donor"}

#: action → (method, URL under /delegations/ with {d} or {m}, POST data, status when
#: allowed, record events when allowed)
ACTIONS: dict[str, tuple[str, str, dict[str, str], int, int]] = {
    "rename": ("post", "{d}/rename/", {"name_en": "Renamed delegation"}, 302, 1),
    "close": ("post", "{d}/close/", {}, 302, 1),
    "reopen": ("post", "{d}/reopen/", {}, 302, 1),
    "member_add": (
        "post",
        "{d}/members/add/",
        {"username": "outsider", "role": "analyst"},
        302,
        1,
    ),
    "person_create": (
        "post",
        "{d}/people/new/",
        {"username": "new.person", "full_name": "New Person (fictional)", "role": "analyst"},
        200,
        2,
    ),
    "end_confirm": ("get", "memberships/{m}/end/", {}, 200, 0),
    "end": ("post", "memberships/{m}/end/", {}, 302, 1),
}


def _url(action: str, d: object, m: object) -> str:
    return "/delegations/" + ACTIONS[action][1].format(d=d, m=m)


def _call(client: Client, action: str, d: object, m: object) -> Any:
    method, _path, data, _ok, _events = ACTIONS[action]
    url = _url(action, d, m)
    return client.get(url) if method == "get" else client.post(url, data)


@pytest.fixture
def target(delegation: Any, membership: Any, console: Any) -> Any:
    """``target("il", action)`` → (delegation public id, membership public id), set up
    so that the action would change something if allowed (reopen needs a closed one)."""

    def make(code: str, action: str) -> tuple[object, object]:
        d = delegation(code)
        if action == "reopen":
            update_delegation(actor=console, delegation=d, names=d.names, active=False)
        return d.public_id, membership(TARGET_MEMBER[code]).public_id

    return make


ALL_URLS = [
    ("get", "/delegations/"),
    ("post", "/delegations/new/"),
    *[(ACTIONS[a][0], "/delegations/" + ACTIONS[a][1]) for a in ACTIONS],
    ("get", "/delegations/{d}/"),
]


@pytest.mark.parametrize(("method", "path"), ALL_URLS)
def test_it_sends_anonymous_visitors_to_sign_in(
    client_for: Any, target: Any, method: str, path: str
) -> None:
    d, m = target("il", "rename")
    url = path.format(d=d, m=m)
    before = snapshot()
    response = getattr(client_for(None), method)(url, {"name_en": "x"} if method == "post" else {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path"), ALL_URLS)
def test_it_shows_people_without_a_membership_the_no_membership_page(
    client_for: Any, target: Any, method: str, path: str
) -> None:
    d, m = target("il", "rename")
    url = path.format(d=d, m=m)
    before = snapshot()
    response = getattr(client_for("outsider"), method)(
        url, {"name_en": "x"} if method == "post" else {}
    )
    assert response.status_code == 403
    assert "No active membership" in response.content.decode()
    assert "Israel delegation" not in response.content.decode()
    assert snapshot() == before


# persona, target party, outcome: "ok", 403 (visible, may not manage), 404 (hidden)
MANAGE_MATRIX = [
    ("il.admin", "il", "ok"),
    ("sy.admin", "sy", "ok"),
    # The mediator sees every delegation but manages only its own (issue 11).
    ("mediator", "il", 403),
    ("mediator", "sy", 403),
    ("mediator", "donor_a", 403),
    ("il.liaison", "il", 403),
    ("il.analyst", "il", 403),
    ("sy.liaison", "sy", 403),
    ("sy.admin", "il", 403),
    ("il.admin", "sy", 403),
    ("sy.liaison", "il", 403),
    ("monitor", "il", 403),
    ("observer", "sy", 403),
    ("donor", "il", 403),
    ("donor", "donor_a", 403),
    ("sy.admin", "donor_a", 404),
    ("il.admin", "donor_a", 404),
    ("il.liaison", "donor_a", 404),
    ("monitor", "donor_a", 404),
    ("observer", "donor_a", 404),
]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(("persona", "code", "outcome"), MANAGE_MATRIX)
def test_it_lets_only_those_who_manage_a_delegation_change_it(
    client_for: Any, target: Any, persona: str, code: str, outcome: Any, action: str
) -> None:
    d, m = target(code, action)
    client = client_for(persona)
    if action == "reopen" and outcome == "ok" and persona.startswith(f"{code}."):
        # Closing a party's only delegation ends its people's standing in the cell,
        # their administrator's included: they cannot reopen it (nor can the mediator).
        outcome = 403
    if action == "close" and outcome == "ok" and persona.startswith(f"{code}."):
        # An administrator may not close their own delegation (it would lock the
        # party out); the page says so and nothing changes.
        outcome = "refused"
    before = snapshot()
    entries = Entry.objects.count()
    response = _call(client, action, d, m)
    if outcome == "refused":
        assert response.status_code == 302
        assert snapshot() == before
        assert Entry.objects.count() == entries
        return
    if outcome == "ok":
        assert response.status_code == ACTIONS[action][3]
        assert Entry.objects.count() == entries + ACTIONS[action][4]
        return
    assert response.status_code == outcome
    assert snapshot() == before
    body = response.content.decode()
    assert TARGET_NAMES[code] not in body
    if outcome == 404:
        missing = _call(client, action, MISSING, MISSING)
        assert missing.status_code == 404
        assert body == missing.content.decode()


# persona, target party, expected status
READ_MATRIX = [
    ("il.liaison", "il", 200),
    ("il.liaison", "sy", 200),
    ("sy.liaison", "il", 200),
    ("monitor", "sy", 200),
    ("observer", "il", 200),
    ("mediator", "donor_a", 200),
    ("donor", "donor_a", 200),
    ("il.liaison", "donor_a", 404),
    ("sy.liaison", "donor_a", 404),
    ("sy.admin", "donor_a", 404),
    ("monitor", "donor_a", 404),
    ("observer", "donor_a", 404),
]


@pytest.mark.parametrize(("persona", "code", "status"), READ_MATRIX)
def test_it_shows_a_delegation_to_those_who_may_know_its_party(
    client_for: Any, delegation: Any, persona: str, code: str, status: int
) -> None:
    client = client_for(persona)
    response = client.get(f"/delegations/{delegation(code).public_id}/")
    assert response.status_code == status
    body = response.content.decode()
    if status == 200:
        assert TARGET_NAMES[code] in body
    else:
        assert TARGET_NAMES[code] not in body
        assert body == client.get(f"/delegations/{MISSING}/").content.decode()


@pytest.mark.parametrize(
    ("persona", "manages"),
    [("il.admin", True), ("mediator", False), ("il.liaison", False), ("sy.admin", False)],
)
def test_it_offers_the_management_forms_only_to_those_who_may_use_them(
    client_for: Any, delegation: Any, persona: str, manages: bool
) -> None:
    body = client_for(persona).get(f"/delegations/{delegation('il').public_id}/").content.decode()
    assert ("Manage this delegation" in body) is manages
    assert ("/rename/" in body) is manages
    assert ("/end/" in body) is manages


@pytest.mark.parametrize(
    ("persona", "sees_donor", "may_create"),
    [
        ("il.liaison", False, False),
        ("sy.liaison", False, False),
        ("il.admin", False, True),
        ("sy.admin", False, True),
        ("monitor", False, False),
        ("observer", False, False),
        ("mediator", True, True),
        ("donor", True, False),
    ],
)
def test_it_lists_the_delegations_each_persona_may_know_of(
    client_for: Any, persona: str, sees_donor: bool, may_create: bool
) -> None:
    response = client_for(persona).get("/delegations/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Israel delegation", "Syria delegation", "UNDOF verification team"):
        assert name in body
    assert ("Donor A" in body) is sees_donor
    assert ("New delegation" in body) is may_create
    assert re.search(r">Israel delegation</a>.*?<td>3 active members</td>", body, re.S)


def test_it_offers_each_administrator_only_the_parties_they_manage(client_for: Any) -> None:
    body = client_for("il.admin").get("/delegations/").content.decode()
    assert '<option value="il">' in body
    assert '<option value="sy">' not in body
    body = client_for("sy.admin").get("/delegations/").content.decode()
    assert '<option value="sy">' in body
    assert '<option value="il">' not in body
    body = client_for("mediator").get("/delegations/").content.decode()
    assert '<option value="us">' in body
    for code in ("il", "sy", "undof", "jo", "donor_a"):
        assert f'<option value="{code}">' not in body


# persona, party posted, expected status
CREATE_MATRIX = [
    ("il.admin", "il", 302),
    ("sy.admin", "sy", 302),
    ("mediator", "us", 302),
    ("mediator", "sy", 403),
    ("mediator", "donor_a", 403),
    ("il.admin", "sy", 403),
    ("sy.admin", "il", 403),
    ("il.liaison", "il", 403),
    ("sy.liaison", "sy", 403),
    ("donor", "donor_a", 403),
    ("il.admin", "donor_a", 404),
    ("sy.admin", "donor_a", 404),
]


@pytest.mark.parametrize(("persona", "code", "status"), CREATE_MATRIX)
def test_it_lets_administrators_create_delegations_only_for_their_parties(
    client_for: Any, persona: str, code: str, status: int
) -> None:
    client = client_for(persona)
    before = snapshot()
    data = {"party": code, "name_en": "Working group (fictional)"}
    response = client.post("/delegations/new/", data)
    assert response.status_code == status
    if status == 302:
        assert snapshot()[0] == before[0] + 1
        return
    assert snapshot() == before
    assert "Working group" not in response.content.decode()
    if status == 404:
        assert "Donor A" not in response.content.decode()
        missing = client.post("/delegations/new/", {**data, "party": "no-such-party"})
        assert missing.status_code == 404
        assert response.content == missing.content


@pytest.mark.parametrize(
    "path",
    [
        "/delegations/not-a-uuid/",
        "/delegations/not-a-uuid/rename/",
        "/delegations/12345/members/add/",
        "/delegations/memberships/zzz/end/",
        "/delegations/00000000-0000-0000-0000-00000000000g/",
    ],
)
def test_it_answers_404_for_a_malformed_id_in_the_url(client_for: Any, path: str) -> None:
    client = client_for("mediator")
    before = snapshot()
    assert client.get(path).status_code == 404
    assert client.post(path, {"name_en": "x"}).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("action", ["rename", "close", "reopen", "member_add", "person_create"])
def test_it_refuses_get_on_post_only_actions(client_for: Any, target: Any, action: str) -> None:
    d, m = target("il", action)
    before = snapshot()
    assert client_for("mediator").get(_url(action, d, m)).status_code == 405
    assert snapshot() == before
