"""Exchanges a reader may not see leave no count in what the reader sees (issue 11, point 13).

The same visible story is played twice, rolled back in between: once alone, once with two
hotline calls and an incident the reader's party is not in, between the visible steps.
What the reader reads of it — references, the hotline list, the cases, the inbox, the
scorecard, the home page's latest record entries, a case's timeline — must be the same
in both worlds once the values that are random or dated by design (UUIDs, references,
hashes, times) are numbered in the order they first appear. Before references carried
no count, ``HOT-00007`` after ``HOT-00004`` said two calls had happened in between; a
record entry ``#72`` after ``#69`` said the same of the record; the scorecard counted the
hidden calls.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import hotline, lodging
from coordcell.cases.models import Activation, Case, Notification
from coordcell.incidents.models import Incident
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.parties.models import Party

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
READER = "il.liaison"


class _RollBack(Exception):
    pass


def _call(actor: Any, callee: str) -> Activation:
    who = actor("sy.liaison")
    return hotline.activate(
        actor=who,
        callee=Party.objects.get(code=callee),
        channel="message",
        subject_text="Smoke seen near the line (fictional).",
        version=get_version(who, None, None),
    )


def _complaint(actor: Any) -> Case:
    """A call to the reader's party that becomes a complaint: visible to the reader."""
    activation = _call(actor, "il")
    return lodging.report_and_lodge(
        actor=actor("sy.liaison"),
        activation=activation,
        version=activation.version,
        incident=IncidentInput(
            kind="looting_destruction",
            title="Fire near the line (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        respondent="il",
        summary="Fire reported over the hotline (fictional).",
    )


def _hidden(actor: Any) -> None:
    """Two calls to the mediator and an incident for the caller's party alone: nothing
    the reader's party (Israel) is in."""
    _call(actor, "us")
    _call(actor, "us")
    who = actor("sy.analyst")
    report_incident(
        actor=who,
        data=IncidentInput(
            kind="looting_destruction",
            title="Internal note (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 13, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        version=get_version(who, None, None),
        audience=["sy"],
    )


_RANDOM = [
    re.compile(r"\b[A-Z]+(?:-[0-9A-Z]{4}){3}\b"),  # a reference that carries no count
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),  # UUID
    re.compile(r"\b[0-9a-f]{12,64}\b"),  # a hash or the start of one
]
_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?"
    # The UTC time beside a local time on the same day: "2026-06-01 15:00 (12:00 UTC)".
    r"|\b\d{2}:\d{2}(?::\d{2})? UTC"
)


_CSRF = re.compile(r'name=\\?"csrfmiddlewaretoken\\?" value=\\?"[^"\\]*')


def _normalise(text: str) -> str:
    """Number each random value in order of first appearance; blank the times and the
    forms' CSRF tokens."""
    text = _CSRF.sub("<csrf>", _TIME.sub("<time>", text))
    for pattern in _RANDOM:
        text = pattern.sub(_numbering(), text)
    return text


def _numbering() -> Any:
    seen: dict[str, str] = {}
    return lambda match: seen.setdefault(match[0], f"<r{len(seen)}>")


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def _view(client: Any, case: Case) -> str:
    """What the reader reads of the visible story."""
    home = client.get("/").content.decode()
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    parts = {
        "hotline": client.get("/api/v1/hotline/").json(),
        "cases": client.get("/api/v1/cases/?all=1").json(),
        "case": client.get(f"/api/v1/cases/{case.public_id}/").json(),
        "inbox": client.get("/api/v1/inbox/").json(),
        "scorecard": client.get("/api/v1/scorecard/").json(),
        "hotline_page": _section(
            client.get("/cases/hotline/").content.decode(), "<table", "</table>"
        ),
        "record": _section(home, 'id="h-record"', "</section>"),
        "timeline": _section(page, '<ol class="timeline">', "</ol>"),
    }
    for part in ("cases", "case"):  # "your actions" and deadlines are the same anyway
        parts[part] = json.loads(_normalise(json.dumps(parts[part], sort_keys=True)))
    return _normalise(json.dumps(parts, sort_keys=True, ensure_ascii=False))


def _world(actor: Any, client_for: Any, *, hidden: bool) -> str:
    try:
        with transaction.atomic():
            first = _complaint(actor)
            if hidden:
                _hidden(actor)
            second = _complaint(actor)
            assert Case.objects.restrict(actor(READER)).filter(pk=first.pk).exists()
            view = _view(client_for(READER), second)
            raise _RollBack(view)
    except _RollBack as done:
        return str(done.args[0])


def test_hidden_calls_between_visible_ones_change_nothing_the_reader_sees(
    actor: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both worlds are played at one frozen instant. A deadline's "1 h 59 min left" is
    # counted from the moment of reading; with a running clock, the second world, played
    # a few milliseconds later, could read "1 h 58 min left" whenever a minute turned
    # between the two (a CI failure of 2026-12-06).
    instant = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: instant)
    alone = _world(actor, client_for, hidden=False)
    with_hidden = _world(actor, client_for, hidden=True)
    assert with_hidden == alone


def test_references_are_random_and_never_the_row_id(actor: Any) -> None:
    from coordcell.core.models import CROCKFORD_ALPHABET, new_reference

    case = _complaint(actor)
    activation = Activation.objects.get(case=case)
    for obj, prefix in ((case, "CASE"), (case.incident, "INC"), (activation, "HOT")):
        head, *groups = obj.reference.split("-")
        assert head == prefix
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(CROCKFORD_ALPHABET)
        assert str(obj.pk) not in groups
    assert len({new_reference("INC") for _ in range(200)}) == 200
    assert Incident.objects.filter(reference=case.incident.reference).count() == 1


def test_the_inbox_ids_are_no_counter(actor: Any, client_for: Any) -> None:
    _complaint(actor)
    mine = Notification.objects.filter(recipient__username=READER)
    assert mine.exists()
    items = client_for(READER).get("/api/v1/inbox/").json()["results"]
    assert {item["id"] for item in items} == {str(n.public_id) for n in mine}
    for item in items:
        uuid.UUID(item["id"])  # random, not the row id that counts every reader's items


def test_the_scorecard_counts_only_calls_the_reader_may_see(actor: Any) -> None:
    from coordcell.cases.scorecard import scorecard

    def received(username: str, party: str) -> int:
        rows = next(p for p in scorecard(actor(username))["parties"] if p["party"] == party)
        return sum(m["hotline"]["received"] for m in rows["months"].values())

    before = {u: received(u, "us") for u in (READER, "mediator")}
    _call(actor, "us")
    assert received("mediator", "us") == before["mediator"] + 1  # the mediator took it
    assert received(READER, "us") == before[READER]  # Israel may not see it: not counted
