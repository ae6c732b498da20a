"""Rules of the delegation services that no single view shows."""

from __future__ import annotations

import pytest

from coordcell.core.errors import PermissionDenied, ValidationFailed
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


def test_the_mediators_administrator_cannot_close_its_own_delegation_either(actor) -> None:
    delegation = _delegation("us")
    entries = Entry.objects.count()
    with pytest.raises(ValidationFailed, match="cannot close your own delegation"):
        update_delegation(
            actor=actor("mediator"), delegation=delegation, names=delegation.names, active=False
        )
    assert _delegation("us").active is True
    assert Entry.objects.count() == entries


@pytest.mark.parametrize("party", ["il", "sy", "donor_a"])
def test_the_mediators_administrator_cannot_close_another_partys_delegation(
    actor, party: str
) -> None:
    delegation = _delegation(party)
    entries = Entry.objects.count()
    with pytest.raises(PermissionDenied):
        update_delegation(
            actor=actor("mediator"), delegation=delegation, names=delegation.names, active=False
        )
    assert _delegation(party).active is True
    assert Entry.objects.count() == entries


def test_an_unchanged_update_writes_nothing(actor) -> None:
    delegation = _delegation("il")
    entries = Entry.objects.count()
    update_delegation(
        actor=actor("il.admin"), delegation=delegation, names=delegation.names, active=True
    )
    assert Entry.objects.count() == entries
