"""The record: hash chain, append-only in the database, registered event types."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction

from coordcell.core.audience import EmptyAudience
from coordcell.parties.events import DELEGATION_CREATED
from coordcell.record.events import DuplicateEventType, register
from coordcell.record.models import Entry, Head
from coordcell.record.services import append_event, verify_chain

pytestmark = pytest.mark.django_db


def test_it_chains_every_entry_to_the_one_before() -> None:
    entries = list(Entry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    head = Head.objects.get(pk=1)
    assert (head.size, head.hash) == (entries[-1].seq, entries[-1].hash)
    assert verify_chain() is None


def test_it_refuses_updates_in_the_database_itself() -> None:
    entry = Entry.objects.order_by("seq").first()
    assert entry is not None
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE record_entry SET actor_name = 'someone else' WHERE id = %s", [entry.pk]
        )
    entry.refresh_from_db()
    assert entry.actor_name != "someone else"


def test_it_refuses_deletes_in_the_database_itself() -> None:
    count = Entry.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM record_entry WHERE seq = 1")
    assert Entry.objects.count() == count


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER record_entry_no_update")
        else:
            cursor.execute("DROP TRIGGER record_entry_no_update_delete ON record_entry")


def test_it_names_the_entry_edited_behind_the_servers_back() -> None:
    _drop_triggers()  # what someone with the database file could do; rolled back after
    with connection.cursor() as cursor:
        cursor.execute("UPDATE record_entry SET data = %s WHERE seq = 3", ['{"forged": true}'])
    assert verify_chain() == 3


def test_it_refuses_to_append_outside_a_transaction(console) -> None:
    # Each test runs inside a transaction; pretend this call is outside any.
    with (
        mock.patch.object(type(connection), "in_atomic_block", False, create=True),
        pytest.raises(RuntimeError, match="inside the service's transaction"),
    ):
        append_event(actor=console, event_type=DELEGATION_CREATED, data={}, audience=["*"])


def test_it_refuses_an_event_that_names_no_audience(console) -> None:
    # Audiences fail closed: nobody named is a programming error, never "everyone".
    size = Entry.objects.count()
    with pytest.raises(EmptyAudience):
        append_event(actor=console, event_type=DELEGATION_CREATED, data={}, audience=[])
    with pytest.raises(EmptyAudience):
        append_event(actor=console, event_type=DELEGATION_CREATED, data={}, audience=["", ""])
    assert Entry.objects.count() == size


def test_it_refuses_an_event_code_registered_twice() -> None:
    with pytest.raises(DuplicateEventType):
        register("parties.delegation_created", "again", "a duplicate")


def test_it_stores_the_exact_canonical_bytes_it_hashed() -> None:
    import hashlib

    entry = Entry.objects.order_by("seq").last()
    assert entry is not None
    expected = hashlib.sha256(bytes.fromhex(entry.prev_hash) + entry.canonical.encode()).hexdigest()
    assert entry.hash == expected
    assert '"type":"' + entry.event_type + '"' in entry.canonical
