"""Rules of the delegation services that no single view shows."""

from __future__ import annotations

import pytest

from coordcell.core.errors import ValidationFailed
from coordcell.parties.models import Delegation
from coordcell.parties.services import update_delegation
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db


def _delegation(code: str) -> Delegation:
    return Delegation.objects.get(party__code=code)


@pytest.mark.parametrize("admin", ["il.admin", "sy.admin"])
def test_an_administrator_cannot_close_their_own_delegation(actor, admin: str) -> None:
    delegation = _delegation(admin[:2])
    entries = Entry.objects.count()
    with pytest.raises(ValidationFailed, match="cannot close your own delegation"):
        update_delegation(
            actor=actor(admin), delegation=delegation, names=delegation.names, active=False
        )
    delegation.refresh_from_db()
    assert delegation.active is True
    assert Entry.objects.count() == entries


@pytest.mark.parametrize("party", ["il", "sy"])
def test_the_mediators_administrator_can_close_and_reopen_any(actor, party: str) -> None:
    delegation = _delegation(party)
    update_delegation(
        actor=actor("mediator"), delegation=delegation, names=delegation.names, active=False
    )
    assert _delegation(party).active is False
    update_delegation(
        actor=actor("mediator"), delegation=delegation, names=delegation.names, active=True
    )
    assert _delegation(party).active is True
    last_two = list(Entry.objects.order_by("-seq")[:2])
    assert [e.data["active"] for e in last_two] == [True, False]


def test_an_unchanged_update_writes_nothing(actor) -> None:
    delegation = _delegation("il")
    entries = Entry.objects.count()
    update_delegation(
        actor=actor("il.admin"), delegation=delegation, names=delegation.names, active=True
    )
    assert Entry.objects.count() == entries
