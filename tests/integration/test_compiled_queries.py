"""The queries every request runs, compiled once per process (``core.compiled``): each
gives what the ORM's query set gives, in one query, for existing and missing values; a
value of another type goes through the ORM; and the session, user and token lookups
built on them keep Django's and the API's rules (expiry, session hashes, revocation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordcell.accounts import authentication, sessions
from coordcell.accounts.models import ApiToken, User
from coordcell.core.actor import Actor
from coordcell.core.compiled import CompiledQuery, first
from coordcell.parties import selectors as parties
from coordcell.record import selectors as record
from coordcell.record.models import Head

pytestmark = pytest.mark.django_db


def _fields(obj: Any) -> dict[str, Any]:
    """A model instance's loaded values, annotations and select_related objects."""
    values = {k: v for k, v in vars(obj).items() if k != "_state"}
    cached = obj._state.fields_cache
    return {**values, **{f"cached:{k}": _fields(v) for k, v in cached.items()}}


def _same(compiled: CompiledQuery, *values: Any) -> list[Any]:
    """``compiled.rows(*values)``, checked against the ORM's query set, in one query."""
    with CaptureQueriesContext(connection) as queries:
        found = compiled.rows(*values)
    assert len(queries) == 1
    expected = list(compiled._build(*values))
    if expected and hasattr(expected[0], "_state"):
        assert [_fields(o) for o in found] == [_fields(o) for o in expected]
        assert [type(o) for o in found] == [type(o) for o in expected]
    else:
        assert found == expected
    assert queries[0]["sql"] == _orm_sql(compiled, *values)
    return found


def _orm_sql(compiled: CompiledQuery, *values: Any) -> str:
    with CaptureQueriesContext(connection) as queries:
        list(compiled._build(*values))
    return str(queries[0]["sql"])


def test_the_readers_memberships_are_the_orms(user: Any) -> None:
    liaison = user("il.liaison")
    rows = _same(parties._MEMBERSHIPS, liaison.pk)
    assert rows
    assert all(len(row) == 6 for row in rows)
    assert _same(parties._MEMBERSHIPS, user("outsider").pk) == []
    assert _same(parties._MEMBERSHIPS, 10**9) == []
    actor = Actor.from_user(liaison)
    assert actor.party_code == "il"
    assert actor.roles


def test_a_token_and_its_owner_are_the_orms(tokens: dict[str, str]) -> None:
    prefix = tokens["il.liaison"].split("_")[1]
    for query in authentication._BY_PREFIX.values():
        (token,) = _same(query, prefix)
        assert token.user.username == "il.liaison"
        assert timezone.is_aware(token.created_at)  # the ORM's converters ran
        assert _same(query, "nosuchprefix") == []
    (with_totp,) = authentication._BY_PREFIX[True].rows(prefix)
    assert with_totp.owner_has_totp is False


def test_a_revoked_token_is_refused_on_its_next_call(tokens: dict[str, str]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['il.liaison']}")
    assert client.get("/api/v1/parties/").status_code == 200
    prefix = tokens["il.liaison"].split("_")[1]
    ApiToken.objects.filter(prefix=prefix).update(revoked_at=timezone.now())
    assert client.get("/api/v1/parties/").status_code == 401


def test_whether_the_cell_is_an_exercise_is_read_each_time() -> None:
    assert _same(record._EXERCISE, 1) == [False]
    assert record.is_exercise() is False
    Head.objects.filter(pk=1).update(exercise=True)
    assert record.is_exercise() is True
    assert _same(record._EXERCISE, 2) == []


def test_a_value_of_another_type_goes_through_the_orm(user: Any) -> None:
    liaison = user("il.liaison")
    assert parties._MEMBERSHIPS.rows(str(liaison.pk)) == parties._MEMBERSHIPS.rows(liaison.pk)


def test_what_it_cannot_compile_it_refuses() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        CompiledQuery(lambda pk: User.objects.filter(pk=1), -1).rows(5)
    with pytest.raises(TypeError):
        CompiledQuery(lambda pk: User.objects.filter(pk=pk).values("pk"), -1).rows(5)
    with pytest.raises(TypeError):
        CompiledQuery(lambda pk: User.objects.filter(pk=pk).prefetch_related("groups"), -1).rows(5)


def test_a_constant_equal_to_a_placeholder_is_refused_not_replaced() -> None:
    # Both 1s of the SQL's parameters look like the placeholder; only the first is its.
    query = CompiledQuery(
        lambda pk: Head.objects.filter(Q(pk=pk) | Q(pk=1)).values_list("pk", flat=True), 1
    )
    with pytest.raises(ValueError, match="equals a constant"):
        query.rows(7)


def test_a_query_whose_sql_follows_its_values_is_refused() -> None:
    query = CompiledQuery(
        lambda name: User.objects.filter(
            **{"username" if name.endswith("\x01") else "email": name}
        ),
        "\x00someone\x00",
    )
    with pytest.raises(ValueError, match="SQL depends on its values"):
        query.rows("someone")


def _session(user: Any, *, expires: dt.datetime, hash_: str | None = None) -> str:
    store = sessions.SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash() if hash_ is None else hash_
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    assert store.session_key
    return store.session_key


def test_a_session_is_read_until_it_expires(user: Any) -> None:
    liaison = user("il.liaison")
    now = timezone.now()
    live = _session(liaison, expires=now + dt.timedelta(minutes=1))
    dead = _session(liaison, expires=now - dt.timedelta(seconds=1))
    (row,) = _same(sessions._UNEXPIRED, live, now)
    assert row.session_key == live
    assert _same(sessions._UNEXPIRED, dead, now) == []
    loaded = sessions.SessionStore(live)
    assert loaded[SESSION_KEY] == str(liaison.pk)
    expired = sessions.SessionStore(dead)
    assert dict(expired.items()) == {}
    assert expired.session_key is None  # as Django's: a new key on the next save


def test_a_signed_in_page_reads_the_session_and_the_user_once(client_for: Any) -> None:
    client = client_for("il.liaison")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/profile/").status_code == 200
    session_table = Session._meta.db_table
    user_table = User._meta.db_table
    sql = [str(q["sql"]) for q in queries]
    assert sum(f'FROM "{session_table}"' in s for s in sql) == 1
    assert sum(s.startswith("SELECT") and f'FROM "{user_table}"' in s for s in sql) == 1


def test_first_is_the_query_set_first_runs(user: Any) -> None:
    ordered = User.objects.order_by("-username")
    assert list(first(ordered)) == [ordered.first()]
    assert list(first(User.objects.all())) == [User.objects.first()]
