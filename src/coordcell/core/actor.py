"""Who is acting: the person, their party and their roles, resolved once per request.

Services and selectors take an ``Actor`` rather than a bare user, so that permission
checks read roles that were resolved from active memberships in one place, and so
that the command line can act as a named system actor (the operator at the console).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coordcell.accounts.models import User

__all__ = ["Actor", "register_resolver"]


@dataclass(frozen=True)
class Actor:
    """An acting person (or the console), with party and roles from active memberships.

    ``party_id``/``party_code``/``party_kind`` are None for someone with no active
    membership: such a person may log in but sees nothing of the cell.
    """

    user: User | None
    name: str
    party_id: int | None = None
    party_code: str | None = None
    party_kind: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    delegation_ids: frozenset[int] = field(default_factory=frozenset)
    system: bool = False

    @classmethod
    def from_user(cls, user: Any) -> Actor:
        """Resolve an authenticated user's party and roles from their active memberships.

        The memberships live in the ``parties`` app, which sits above ``core``; it
        registers the resolver when Django starts (``register_resolver``).
        """
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(user=None, name="anonymous")
        if not user.is_active:
            return cls(user=None, name=user.get_username())
        if _resolver is None:
            raise RuntimeError("no actor resolver registered (is coordcell.parties installed?)")
        return _resolver(user)

    @classmethod
    def console(cls, name: str) -> Actor:
        """The operator at the server's console (CLI commands); may do anything."""
        return cls(user=None, name=f"console:{name}", system=True)

    @property
    def is_member(self) -> bool:
        """True for someone who belongs to the cell (or the console)."""
        return self.system or self.party_id is not None

    def has_role(self, role: str) -> bool:
        return self.system or role in self.roles


_resolver: Callable[[Any], Actor] | None = None


def register_resolver(resolver: Callable[[Any], Actor]) -> None:
    """Install the function that turns an active, signed-in user into an ``Actor``."""
    global _resolver
    _resolver = resolver
