"""Helpers of the UI tests: the demo delegations and a snapshot of everything a page may change."""

from __future__ import annotations

from typing import Any

import pytest

from coordcell.accounts.models import ApiToken, User
from coordcell.parties.models import Delegation, Membership
from coordcell.record.models import Entry
from tests.rows import Rows

#: A well-formed UUID that names nothing.
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def delegation(db: Any) -> Any:
    """``delegation("il")`` returns the demo delegation of that party."""
    return lambda code: Delegation.objects.get(party__code=code)


@pytest.fixture
def membership(db: Any) -> Any:
    """``membership("il.liaison")`` returns that persona's (first) active membership."""
    return lambda username: Membership.objects.filter(user__username=username, active=True).first()


_SNAPSHOT = Rows(
    Entry,
    Delegation.objects.order_by("pk").values_list("pk", "names", "active"),
    Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "active"),
    User,
    ApiToken.objects.order_by("pk").values_list("pk", "revoked_at"),
)


def snapshot() -> tuple[Any, ...]:
    """Every row a delegation or account page could write, in a comparable form: the
    record's and the accounts' counts, each delegation's, membership's and token's row
    (``tests/rows.py``: the SQL compiled once)."""
    return _SNAPSHOT()


def last_entry() -> Entry:
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    return entry
