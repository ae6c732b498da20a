"""A bundle handed over short is caught by the party entitled to read what is missing.

Each party's bundle carries the log's signed view of what that party may read (ADR 0011):
how many entries are addressed to every member and to the party, and their root. Deleting
a readable entry from the bundle (and fixing the ``end`` count) no longer passes for an
entry hidden from the reader. The view is the party's alone, and its witness cosigns it;
a witness that has not cosigned the newest checkpoint is reported, not failed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest

from coordcell.core.actor import Actor
from coordcell.record import note
from coordcell.record.bundle import BundleReport, Problem, verify_bundle
from coordcell.record.export import export_bundle
from coordcell.record.keys import log_verifiers
from coordcell.record.models import Checkpoint, Entry
from coordcell.record.services import add_cosignature, issue_checkpoint, register_witness
from tests.conftest import WITNESSED, witness_signer

pytestmark = pytest.mark.django_db


@pytest.fixture
def cosigned(actor: Callable[[str], Actor]) -> Checkpoint:
    """The latest checkpoint, cosigned by the Israeli and the Syrian test witnesses."""
    checkpoint = Checkpoint.objects.order_by("-size").first()
    assert checkpoint is not None
    body = note.parse_note(checkpoint.note).text
    for party in WITNESSED:
        line = note.cosign(body, witness_signer(party), int(time.time()))
        add_cosignature(actor=actor(f"{party}.admin"), size=checkpoint.size, line=line)
    return checkpoint


def _export(who: Actor) -> bytes:
    out = BytesIO()
    export_bundle(who, out)
    return out.getvalue()


def _verify(data: bytes, extra_witnesses: tuple[str, ...] = ()) -> BundleReport:
    return verify_bundle(
        BytesIO(data),
        log_keys=[v.vkey for v in log_verifiers()],
        witness_keys=[witness_signer(p).verifier.vkey for p in WITNESSED] + list(extra_witnesses),
    )


def _audience(line: bytes) -> list[str]:
    audience = json.loads(line.split(b" ", 3)[3])["audience"]
    assert isinstance(audience, list)
    return audience


def _without(data: bytes, pick: Callable[[list[str]], bool]) -> tuple[bytes, int]:
    """The bundle without its first entry whose audience ``pick`` chooses, ``end`` fixed."""
    lines = data.splitlines(keepends=True)
    entries = [i for i, line in enumerate(lines) if line.startswith(b"entry ")]
    target = next(i for i in entries if pick(_audience(lines[i])))
    seq = int(lines[target].split(b" ", 2)[1])
    del lines[target]
    assert lines[-1].startswith(b"end ")
    lines[-1] = b"end %d\n" % (len(entries) - 1)
    return b"".join(lines), seq


def _count(actor: Actor, size: int, party: str | None) -> int:
    entries = Entry.objects.restrict(actor).filter(seq__lte=size)
    if party is None:
        return entries.filter(audience__in=["|*|", ""]).count()
    return entries.filter(audience__contains=f"|{party}|").count()


@pytest.mark.parametrize("username", ["il.liaison", "sy.analyst", "monitor", "observer", "donor"])
def test_an_untouched_partys_bundle_verifies_against_its_view(
    actor: Callable[[str], Actor], cosigned: Checkpoint, username: str
) -> None:
    """Parties with entries addressed to them, and parties with none yet (their empty view
    is signed when first asked for)."""
    who = actor(username)
    party = who.party_code
    assert party is not None
    report = _verify(_export(who))
    assert report.ok, report.problems
    assert report.reader == party
    assert report.views == {
        "*": _count(who, cosigned.size, None),
        party: _count(who, cosigned.size, party),
    }
    assert report.views["*"] > 0
    if username == "il.liaison":
        assert report.views["il"] > 0


@pytest.mark.parametrize(
    ("username", "pick", "what"),
    [
        ("il.liaison", lambda a: "il" in a, "addressed to il"),
        ("sy.analyst", lambda a: "sy" in a, "addressed to sy"),
        ("il.liaison", lambda a: a == ["*"], "every member may read"),
    ],
)
def test_a_readable_entry_deleted_from_a_bundle_is_named_an_omission(
    actor: Callable[[str], Actor],
    cosigned: Checkpoint,
    username: str,
    pick: Callable[[list[str]], bool],
    what: str,
) -> None:
    who = actor(username)
    data = _export(who)
    assert _verify(data).ok
    short, _seq = _without(data, pick)

    report = _verify(short)

    party = who.party_code
    key = None if what == "every member may read" else party
    listed = _count(who, cosigned.size, key)
    assert report.problems == [
        Problem(
            f"view of {party}",
            f"the log lists {listed} entries {what} up to entry {cosigned.size}; the bundle "
            f"holds {listed - 1}: 1 readable entry was omitted",
        )
    ]


def test_an_entry_deleted_from_the_operators_bundle_is_named(
    console: Actor, cosigned: Checkpoint
) -> None:
    data = _export(console)
    short, seq = _without(data, lambda a: "il" in a)

    report = _verify(short)

    assert [str(p) for p in report.problems] == [
        f"entry {seq}: missing from the operator's bundle, which holds every entry (1 missing)"
    ]


def test_a_bundle_relabelled_for_another_reader_fails(
    actor: Callable[[str], Actor], cosigned: Checkpoint
) -> None:
    data = _export(actor("il.liaison"))
    # Claimed as the operator's: every entry would have to be there.
    operator = data.replace(b'"reader": "il"', b'"reader": null', 1)
    assert not _verify(operator).ok
    # Without the reader, or as the earlier format, nothing can show that none was left out.
    unlabelled = _verify(data.replace(b'"reader": "il", ', b"", 1))
    assert [str(p) for p in unlabelled.problems] == [
        "meta: names no reader: the bundle cannot show that nothing was left out"
    ]
    old = _verify(data.replace(b"coordcell-bundle 2", b"coordcell-bundle 1", 1))
    assert [str(p) for p in old.problems] == [
        "line 1: 'coordcell-bundle 1' is an earlier format, which cannot show that no readable "
        "entry was left out: export the bundle again ('coordcell-bundle 2')"
    ]


def test_the_view_is_for_its_own_party_only(
    actor: Callable[[str], Actor], api: Any, cosigned: Checkpoint
) -> None:
    il = api("il.liaison").get(f"/api/v1/record/checkpoints/{cosigned.size}/view")
    sy = api("sy.liaison").get(f"/api/v1/record/checkpoints/{cosigned.size}/view")
    assert il.status_code == sy.status_code == 200
    il_lines = note.parse_checkpoint(note.parse_note(il.json()["note"]).text).extensions
    sy_lines = note.parse_checkpoint(note.parse_note(sy.json()["note"]).text).extensions
    assert [line.split(" ")[1] for line in il_lines] == ["*", "il"]
    assert [line.split(" ")[1] for line in sy_lines] == ["*", "sy"]
    # Syria's bundle carries its own view and nothing of Israel's count.
    data = _export(actor("sy.liaison"))
    assert b"view il " not in data
    assert b"view sy " in data
    missing = api("sy.liaison").get("/api/v1/record/checkpoints/999999/view")
    assert missing.status_code == 404


def test_the_partys_witness_cosigns_its_view_and_the_bundle_carries_it(
    actor: Callable[[str], Actor], api: Any, cosigned: Checkpoint
) -> None:
    client = api("il.admin")
    view = client.get(f"/api/v1/record/checkpoints/{cosigned.size}/view").json()
    body = note.parse_note(view["note"]).text
    line = note.cosign(body, witness_signer("il"), int(time.time()))
    path = f"/api/v1/record/checkpoints/{cosigned.size}/view/cosignatures"
    posted = client.post(path, {"signature": line}, content_type="application/json")
    assert posted.status_code == 201
    # Syria's witness cannot cosign Israel's view.
    sy_line = note.cosign(body, witness_signer("sy"), int(time.time()))
    refused = api("sy.admin").post(path, {"signature": sy_line}, content_type="application/json")
    assert refused.status_code == 409  # Syria's witness, but not over Syria's view
    report = _verify(_export(actor("il.liaison")))
    assert report.ok, report.problems
    assert report.view_cosigned == ["witness.il.test"]


def test_an_idle_witness_does_not_make_fresh_bundles_fail(
    actor: Callable[[str], Actor], cosigned: Checkpoint
) -> None:
    """A witness registered by one party that never cosigns: everyone's bundle still
    verifies, up to the newest entries, and its lag is reported."""
    idle = note.Signer.generate("witness.us.idle.test", note.ALG_COSIGNATURE_V1)
    register_witness(actor=actor("mediator"), vkey=idle.verifier.vkey)  # a new entry
    issue_checkpoint(force=True)
    size = Entry.objects.count()

    for username in ("il.liaison", "sy.liaison", "monitor"):
        report = _verify(_export(actor(username)), extra_witnesses=(idle.verifier.vkey,))

        assert report.ok, (username, report.problems)
        assert report.checkpoints[-1] == size  # fresh: the entry after the cosigned checkpoint
        assert report.lag == {
            "witness.il.test": size - cosigned.size,
            "witness.sy.test": size - cosigned.size,
            "witness.us.idle.test": size,
        }
        assert any("witness.us.idle.test has cosigned no checkpoint" in n for n in report.notes)


def test_the_heads_views_are_those_of_the_entries_and_the_migration_agrees() -> None:
    """``append_event`` keeps the views as the migration would build them from scratch."""
    import importlib

    from django.apps import apps

    from coordcell.record.models import Head

    kept = Head.objects.get(pk=1).views
    assert set(kept) >= {"*", "il", "sy"}
    migration = importlib.import_module("coordcell.record.migrations.0005_reader_views")
    migration.backfill_views(apps, None)
    assert Head.objects.get(pk=1).views == kept
    assert kept["il"][0] == Entry.objects.filter(audience__contains="|il|").count()
