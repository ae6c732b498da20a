"""The session engine (``SESSION_ENGINE``): Django's database sessions, with the lookup
that every signed-in request makes compiled once (``core.compiled``).

Sessions are stored, expired, saved and cycled exactly as by
``django.contrib.sessions.backends.db``, in its table; only the read of a request's
session row runs SQL the ORM compiled once per process instead of once per request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from coordcell.core.compiled import CompiledQuery

__all__ = ["SessionStore"]

#: What ``SessionStore._get_session_from_db`` asks: ``Session.objects.get(...)``'s query.
_UNEXPIRED = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).order_by()[:21],
    "\x00session\x00",
    dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC),
)


class SessionStore(DatabaseSessionStore):
    """Django's database session store; the request's session row is read with SQL
    compiled once."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if type(key) is not str or self.model is not Session:
            return super()._get_session_from_db()  # type: ignore[misc]
        found = _UNEXPIRED.rows(key, timezone.now())
        if len(found) == 1:
            return found[0]
        if found:  # as Session.objects.get: the key is the primary key, so never
            raise Session.MultipleObjectsReturned()
        self._session_key = None
        return None
