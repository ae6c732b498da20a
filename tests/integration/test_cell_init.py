"""``coordcell cell init``: delegations and first-administrator invitations for a fresh cell.

The suite's database already holds the demo's people, so here Israel, Syria and the
United States have their administrators and UNDOF and Jordan have none: ``cell init``
invites a first administrator for those two only. A party with no delegation at all is
registered by the test itself.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

from coordcell.core.errors import PermissionDenied
from coordcell.parties.models import Delegation, Invitation
from coordcell.parties.selectors import invitation_token_hash
from coordcell.parties.services import init_cell, register_party
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

BASE = "https://cell.example.org"
LINK = re.compile(r"https://cell\.example\.org(/accounts/invitation/([A-Za-z0-9_-]+)/)")


def _init(*args: str) -> str:
    out = io.StringIO()
    call_command("cell", "init", *args, stdout=out)
    return out.getvalue()


def _links(output: str) -> dict[str, tuple[str, str]]:
    """party code → (path, token) of every link printed, by the line that names the party."""
    found: dict[str, tuple[str, str]] = {}
    party = ""
    for line in output.splitlines():
        head = re.match(r"^  (\S+)\s+", line)
        if head:
            party = head.group(1)
        link = LINK.search(line)
        if link:
            found[party] = (link.group(1), link.group(2))
    return found


def _state() -> tuple[Any, ...]:
    return (
        Entry.objects.count(),
        list(Invitation.objects.order_by("pk").values_list("pk", "used_at", "revoked_at")),
        list(Delegation.objects.order_by("pk").values_list("pk", "active")),
    )


def test_it_invites_a_first_administrator_for_each_party_nobody_administers() -> None:
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    output = _init("--base-url", BASE)
    links = _links(output)
    assert sorted(links) == ["icrc", "jo", "undof"]
    assert re.search(r"^  il +Israel: administered by its own cell administrators$", output, re.M)
    assert re.search(r"^  us +United States: administered by its own", output, re.M)
    for code, (_path, token) in links.items():
        invitation = Invitation.objects.get(party__code=code)
        assert invitation.token_hash == invitation_token_hash(token)
        assert (invitation.role, invitation.used_at, invitation.revoked_at) == (
            "cell_administrator",
            None,
            None,
        )
        assert invitation.delegation == Delegation.objects.get(party__code=code)
        hours = (invitation.expires_at - invitation.created_at).total_seconds() / 3600
        assert hours == 72
    entries = list(Entry.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.event_type, e.audience_codes, e.actor_name) for e in entries] == [
        ("parties.invitation_issued", ["undof"], entries[0].actor_name),
        ("parties.invitation_issued", ["jo"], entries[0].actor_name),
        ("parties.invitation_issued", ["icrc"], entries[0].actor_name),
    ]
    assert entries[0].actor_name.startswith("console:")
    # The token is nowhere but in the printed link: not in a row, not in the record.
    for _path, token in links.values():
        assert not Entry.objects.filter(canonical__contains=token).exists()
        assert not Invitation.objects.filter(token_hash__contains=token).exists()


def test_it_changes_nothing_when_run_again_while_the_invitations_are_pending() -> None:
    _init("--base-url", BASE)
    before = _state()
    output = _init()  # no link to print: no base URL needed
    assert _links(output) == {}
    assert re.search(r"^  jo +Jordan: invitation pending until \d{4}-\d\d-\d\d ", output, re.M)
    assert "(link lost? coordcell cell init --reissue jo)" in output
    assert _state() == before


def test_it_replaces_a_lost_link_and_the_old_one_stops_working() -> None:
    old_path, _old = _links(_init("--base-url", BASE))["jo"]
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    output = _init("--base-url", BASE, "--reissue", "jo")
    new_path, _new = _links(output)["jo"]
    assert new_path != old_path
    assert sorted(_links(output)) == ["jo"]
    [entry] = Entry.objects.filter(seq__gt=head)
    old = Invitation.objects.get(party__code="jo", revoked_at__isnull=False)
    assert entry.event_type == "parties.invitation_issued"
    assert entry.data["replaces"] == [str(old.public_id)]
    assert Client().get(old_path).status_code == 410
    assert Client().get(new_path).status_code == 200


def test_it_replaces_an_invitation_that_expired_unused() -> None:
    old_path, _ = _links(_init("--base-url", BASE))["undof"]
    Invitation.objects.filter(party__code="undof").update(expires_at=timezone.now())
    new_path, _ = _links(_init("--base-url", BASE))["undof"]
    assert new_path != old_path
    assert Invitation.objects.filter(party__code="undof", revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("code", ["il", "us"])
def test_it_refuses_to_invite_anyone_into_a_party_that_has_an_administrator(code: str) -> None:
    before = _state()
    with pytest.raises(CommandError, match=f"{code} already has a cell administrator"):
        _init("--base-url", BASE, "--reissue", code)
    assert _state() == before


def test_it_refuses_an_unknown_party_to_reissue() -> None:
    before = _state()
    with pytest.raises(CommandError, match="Unknown party: xx"):
        _init("--base-url", BASE, "--reissue", "xx")
    assert _state() == before


def test_it_needs_an_address_for_the_links_before_it_writes_anything() -> None:
    before = _state()
    with pytest.raises(CommandError, match="give --base-url URL"):
        _init()
    with pytest.raises(CommandError, match="must start with https:// or http://"):
        _init("--base-url", "cell.example.org")
    assert _state() == before


@override_settings(BASE_URL=BASE)
def test_it_takes_the_address_from_the_setting() -> None:
    assert sorted(_links(_init())) == ["icrc", "jo", "undof"]


def test_it_sets_up_a_delegation_in_three_languages_for_a_party_without_one(console) -> None:
    register_party(
        actor=console,
        code="xx",
        kind="monitor",
        names={"en": "Test Monitors", "ar": "مراقبو الاختبار", "he": "משקיפי הניסוי"},
    )
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    [setup] = init_cell(actor=console, party_codes=["xx"])
    assert (setup.status, setup.delegation_created) == ("invited", True)
    assert setup.delegation.names == {
        "en": "Test Monitors delegation",
        "ar": "وفد مراقبو الاختبار",
        "he": "משלחת משקיפי הניסוי",
    }
    entries = list(Entry.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.event_type, e.audience_codes) for e in entries] == [
        ("parties.delegation_created", ["*"]),
        ("parties.invitation_issued", ["xx"]),
    ]
    [again] = init_cell(actor=console, party_codes=["xx"])
    assert (again.status, again.delegation_created, again.delegation) == (
        "pending",
        False,
        setup.delegation,
    )


@pytest.mark.parametrize("persona", ["mediator", "il.admin"])
def test_only_the_console_runs_it(actor: Any, persona: str) -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        init_cell(actor=actor(persona), party_codes=["jo"])
    assert _state() == before
