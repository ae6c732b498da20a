"""Proposals and commitments (issue 16) over the demo's story, played once per module:
each party's position per version and the moment a version became agreed; the what-if
replay against an independent computation (shapely alone) and restricted per reader;
commitment outcomes (met, extended by both parties, missed once); the PAM export; and who
reads and does what of the demo's proposal and its commitments on the pages and the API
(its audience reads everything; everyone else gets the 404 of a missing id — in status,
body, list counts and the export), one test per surface kind iterating over personas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from shapely.geometry import Point, shape

from coordcell.agreements.engines import engine_for
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.incidents import selectors as incidents
from coordcell.positions import selectors as positions
from coordcell.proposals import exports, replay, selectors, services
from coordcell.proposals.models import Commitment, CommitmentDeadline, Proposal
from coordcell.record.models import Entry
from coordcell.rules import engine as rules_engine
from tests.locks import row_locks
from tests.story import DemoStory

pytestmark = pytest.mark.django_db

TITLE = "Widen the Area of Separation (fictional exercise)"


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story for the module, in a transaction rolled back after its last test
    (each test runs in a savepoint inside it; ``tests/story.py``)."""
    with demo_story.told():
        yield


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the module)."""


def _proposal() -> Proposal:
    return Proposal.objects.get(title=TITLE)


def _commitment(actor: Any, title: str) -> Any:
    return next(
        r.commitment
        for r in selectors.commitment_rows(actor)
        if r.commitment.title.startswith(title)
    )


# --- positions per version and the agreed moment ------------------------------------------


def test_each_partys_position_on_each_version_and_the_agreed_moment(
    story: None, actor: Any
) -> None:
    mediator = actor("mediator")
    proposal = selectors.get_proposal(mediator, _proposal().public_id)
    grid = {
        n: {code: s.stance for code, s in by.items()}
        for n, by in selectors.stances_by_version(mediator, proposal).items()
    }
    assert grid == {
        1: {"il": "reject", "sy": "counter"},
        2: {"il": "counter", "sy": "accept"},
        3: {"il": "accept", "sy": "accept"},
    }
    assert proposal.deciding == ["il", "sy"]
    assert proposal.agreed_version is not None
    assert proposal.agreed_version.number == 3
    last = max(s.given_at for s in selectors.stances_by_version(mediator, proposal)[3].values())
    assert proposal.agreed_at == last
    agreed = Entry.objects.filter(event_type="proposals.agreed")
    assert agreed.count() == 1
    assert agreed.get().data["version"] == 3
    # Closed: no later position, no new version.
    v3 = selectors.get_version(mediator, proposal, 3)
    with pytest.raises(Conflict):
        services.take_stance(actor=actor("il.liaison"), version=v3, stance="reject")
    with pytest.raises(Conflict):
        services.add_version(actor=mediator, proposal=proposal, text="x", language="en")
    assert Entry.objects.filter(event_type="proposals.agreed").count() == 1


def test_a_position_is_once_per_party_on_the_latest_version_by_a_deciding_party(
    story: None, actor: Any
) -> None:
    il, sy = actor("il.liaison"), actor("sy.liaison")
    proposal = services.table_proposal(
        actor=il, title="Test (fictional)", track="commercial", text="one\ntwo",
        language="en", audience=["il", "sy"],
    )  # fmt: skip
    v1 = selectors.get_version(il, proposal, 1)
    services.take_stance(actor=sy, version=v1, stance="accept")
    with pytest.raises(Conflict):
        services.take_stance(actor=sy, version=v1, stance="reject")
    with pytest.raises(ValidationFailed):  # a counter says what it counters with
        services.take_stance(actor=il, version=v1, stance="counter", text="")
    for who in ("il.analyst", "monitor", "mediator"):
        with pytest.raises(PermissionDenied):
            services.take_stance(actor=actor(who), version=v1, stance="accept")
    services.add_version(actor=sy, proposal=proposal, text="one\nthree", language="en")
    with pytest.raises(Conflict):  # a later version was tabled
        services.take_stance(actor=il, version=v1, stance="accept")
    proposal.refresh_from_db()
    assert proposal.agreed_version is None
    # The monitor is not in this proposal's audience: it is missing, as a missing one is.
    assert not selectors.list_proposals(actor("monitor")).filter(pk=proposal.pk).exists()


def test_diffs_are_side_by_side_word_by_word_and_keep_right_to_left_text() -> None:
    rows = selectors.diff_rows("أ ب ج\nsame", "أ د ج\nsame\nnew")
    assert [r["tag"] for r in rows] == ["replace", "equal", "insert"]
    assert ("ب", True) in rows[0]["left"]
    assert ("د", True) in rows[0]["right"]
    assert "".join(t for t, _ in rows[0]["left"]) == "أ ب ج"
    assert [t for t, changed in rows[0]["right"] if not changed] == ["أ ", " ج"]
    assert rows[2] == {"tag": "insert", "left": [], "right": [("new", True)]}


# --- the what-if replay -----------------------------------------------------------------


def _draft(version: Any) -> tuple[rules_engine.Engine, rules_engine.Engine]:
    base = ArrangementVersion.objects.get(is_current=True)
    return engine_for(base), replay.draft_engine(base, list(version.change), "draft")


def _near_an_edge(shapes: list[Any], x: float, y: float, metres: float = 150) -> bool:
    degrees = metres / 90_000  # about 1/111 km of latitude, less of longitude at 33°N
    return any(s.boundary.distance(Point(x, y)) < degrees for s in shapes)


def test_the_replay_counts_agree_with_shapely_alone(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    proposal = _proposal()
    for number in (2, 3):
        version = selectors.get_version(mediator, proposal, number)
        current, draft = _draft(version)
        banned_now = replay.prohibited_areas(current)
        banned_draft = replay.prohibited_areas(draft)
        draft_zones = [{"id": z.id, "geometry": z.geometry} for z in draft.arrangement.zones]
        now_zones = [{"id": z.id, "geometry": z.geometry} for z in current.arrangement.zones]
        edges = [
            shape(z["geometry"])
            for z in draft_zones + now_zones
            if z["id"] in banned_draft | banned_now
        ]
        rng = random.Random(16)
        points = []
        while len(points) < 400:
            x, y = rng.uniform(35.6, 36.1), rng.uniform(32.9, 33.5)
            if not _near_an_edge(edges, x, y):
                points.append((round(x, 5), round(y, 5)))
        observations = [
            rules_engine.Observation(
                id=f"p{i:04d}",
                kind="military_presence",
                geometry={"type": "Point", "coordinates": [x, y]},
                time=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
            )
            for i, (x, y) in enumerate(points)
        ]
        result = replay.compare(current, draft, observations)
        assert result.in_prohibited["draft"] == replay.independent_count(
            draft_zones, banned_draft, points
        )
        assert result.in_prohibited["current"] == replay.independent_count(
            now_zones, banned_now, points
        )
        for area, counts in result.by_area.items():
            assert counts["draft"] == replay.independent_count(draft_zones, [area], points)
            assert counts["current"] == replay.independent_count(now_zones, [area], points)
        # The wider area takes in more: the check can tell the two apart.
        assert result.in_prohibited["draft"] > result.in_prohibited["current"]
        # Deterministic: the same inputs in another order give the same numbers.
        again = replay.compare(current, draft, list(reversed(observations)))
        assert again.in_prohibited == result.in_prohibited
        assert again.incidents_changed_count == result.incidents_changed_count


def test_the_demo_replay_names_the_places_posts_and_cap(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    version = selectors.get_version(mediator, _proposal(), 3)
    result = replay.replay(mediator, version, 12)
    moved = {p["key"] for p in result["places_changed"]}
    assert {"khan_arnabah", "majdal_shams", "tel_abu_nada"} <= moved
    assert (
        result["incidents"]["in_prohibited_area"]["draft"]
        >= result["incidents"]["in_prohibited_area"]["current"]
    )
    # The mediator's replay covers every incident it may see, the independent count too.
    current, draft = _draft(version)
    seen = list(incidents.list_incidents(mediator).values_list("geometry", "occurred_from"))
    since = replay.months_before(timezone.now(), 12)
    points = [tuple(g["coordinates"]) for g, at in seen if g["type"] == "Point" and at >= since]
    assert result["incidents"]["total"] >= len(points)
    # (The independent computation is test_the_replay_counts_agree_with_shapely_alone: the
    # demo's reports carry an uncertainty, which the engine reads as "possibly inside".)
    del current, draft
    assert (
        result["positions"]["total"]
        == positions.list_positions(mediator, at=timezone.localdate()).count()
    )
    with pytest.raises(ValidationFailed):
        replay.replay(mediator, version, 13)


def test_each_reader_replays_only_what_it_may_see(story: None, actor: Any) -> None:
    version = selectors.get_version(actor("mediator"), _proposal(), 3)
    results = {
        u: replay.replay(actor(u), version, 12)
        for u in ("mediator", "il.liaison", "sy.liaison", "monitor")
    }
    today = timezone.localdate()
    since = replay.months_before(timezone.now(), 12)
    for username, result in results.items():
        reader = actor(username)
        visible = incidents.list_incidents(reader).filter(occurred_from__gte=since).count()
        assert result["incidents"]["total"] == visible
        assert result["positions"]["total"] == positions.list_positions(reader, at=today).count()
        own = {p.reference for p in positions.list_positions(reader, at=today)}
        assert {p["reference"] for p in result["positions"]["must_move"]} <= own
    assert results["il.liaison"]["positions"]["total"] < results["mediator"]["positions"]["total"]
    assert results["monitor"]["positions"]["total"] == 0  # a monitor reads no party's posts
    moving = {u: {p["reference"] for p in r["positions"]["must_move"]} for u, r in results.items()}
    # The demo's 4.5 km takes in a post of each party: each sees its own, the mediator both.
    assert moving["il.liaison"]
    assert moving["sy.liaison"]
    assert moving["mediator"] == moving["il.liaison"] | moving["sy.liaison"]
    assert not moving["il.liaison"] & moving["sy.liaison"]


# --- commitments ----------------------------------------------------------------------------


def test_commitment_outcomes_met_extended_and_missed_once(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    met = _commitment(mediator, "Withdraw from the western")
    extended = _commitment(mediator, "Joint hotline drill")
    missing = _commitment(mediator, "Withdraw from the eastern")
    assert [d.outcome for d in met.deadlines.all()] == ["met"]
    assert selectors.row_of(met).status == "met"
    assert selectors.row_of(met).score == 3
    assert [d.outcome for d in extended.deadlines.all()] == ["extended", ""]
    assert selectors.row_of(extended).status == "not_started"
    assert selectors.row_of(missing).status == "in_progress"
    assert selectors.row_of(missing).score == 2  # one indicator of two: intermediate
    # The worker, once its time has come: missed, exactly once, whoever runs it.
    later = timezone.now() + dt.timedelta(hours=1)
    assert services.miss_due(later) == 1
    assert services.miss_due(later) == 0
    deadline = CommitmentDeadline.objects.get(commitment=missing)
    assert services.miss_one(deadline.pk, later) is False
    assert deadline.outcome == "missed"
    assert Entry.objects.filter(event_type="proposals.deadline_missed").count() == 1
    missing = selectors.get_commitment(mediator, missing.public_id)
    assert selectors.row_of(missing, later).status == "missed"
    # Verified after the miss: no deadline is met any more (late: test_proposals_status).
    second = list(missing.indicators.all())[1]
    services.verify_indicator(
        actor=actor("monitor"), indicator=second, evidence="Seen (fictional)."
    )
    ended = CommitmentDeadline.objects.filter(commitment=missing).values_list("outcome", flat=True)
    assert list(ended) == ["missed"]


def test_an_extension_needs_every_deciding_party_and_a_running_deadline(
    story: None, actor: Any
) -> None:
    mediator = actor("mediator")
    drill = _commitment(mediator, "Joint hotline drill")
    later = timezone.now() + dt.timedelta(days=60)
    ext = services.propose_extension(
        actor=actor("il.liaison"), commitment=drill, new_due_at=later, reason="x"
    )
    with pytest.raises(Conflict):
        services.agree_extension(actor=actor("il.liaison"), extension=ext)
    for who in ("monitor", "il.analyst", "mediator"):
        with pytest.raises(PermissionDenied):
            services.agree_extension(actor=actor(who), extension=ext)
    services.agree_extension(actor=actor("sy.liaison"), extension=ext)
    assert [d.outcome for d in drill.deadlines.order_by("opened_at", "pk")] == [
        "extended",
        "extended",
        "",
    ]
    with pytest.raises(ValidationFailed):
        services.propose_extension(
            actor=actor("sy.liaison"),
            commitment=drill,
            new_due_at=timezone.now() - dt.timedelta(days=1),
            reason="x",
        )


@pytest.mark.parametrize("change", ["propose", "agree", "verify", "miss"])
def test_whoever_changes_a_running_deadline_locks_the_commitment_first(
    story: None, actor: Any, change: str
) -> None:
    """The commitment's row, then its deadline and extensions: proposing a new date,
    agreeing one, verifying the last indicator and the worker's miss all lock in that order,
    so that two racing on one commitment wait for each other. They used to lock the running
    deadline then the pending extension (proposing, the worker), the extension then the
    deadline (agreeing), the record's head then the deadline (verifying): PostgreSQL
    aborted one of two racing ("deadlock detected"), a party's request among them."""
    now = timezone.now()
    commitment = services.create_commitment(
        actor=actor("mediator"), proposal=_proposal(), title="Locks (fictional)", owner="il",
        due_at=now + dt.timedelta(hours=1), indicators=["Seen (fictional)"],
    )  # fmt: skip
    pending = services.propose_extension(
        actor=actor("il.liaison"), commitment=commitment,
        new_due_at=now + dt.timedelta(days=2), reason="r",
    )  # fmt: skip
    running = CommitmentDeadline.objects.get(commitment=commitment, outcome="")
    with row_locks() as locks:
        if change == "propose":
            services.propose_extension(
                actor=actor("sy.liaison"), commitment=commitment,
                new_due_at=now + dt.timedelta(days=3), reason="r",
            )  # fmt: skip
        elif change == "agree":
            services.agree_extension(actor=actor("sy.liaison"), extension=pending)
        elif change == "verify":
            services.verify_indicator(
                actor=actor("monitor"), indicator=commitment.indicators.get(), evidence="e"
            )
        else:
            assert services.miss_one(running.pk, now + dt.timedelta(hours=2))
    assert "proposals_commitmentdeadline" in locks, locks
    assert locks[0] == "proposals_commitment", locks
    # NO KEY: an assessment inserted meanwhile checks its commitment at commit with a
    # key-share lock, which a full FOR UPDATE would block (a deadlock with the record).
    assert "proposals_commitment" not in locks.exclusive, locks.exclusive


def test_indicators_are_verified_once_by_a_monitor_or_the_mediator(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    drill = _commitment(mediator, "Joint hotline drill")
    indicator = drill.indicators.get()
    for who in ("il.liaison", "sy.liaison", "donor"):
        with pytest.raises((PermissionDenied,)):
            services.verify_indicator(actor=actor(who), indicator=indicator, evidence="x")
    services.verify_indicator(
        actor=actor("monitor"), indicator=indicator, evidence="Seen (fictional)."
    )
    with pytest.raises(Conflict):
        services.verify_indicator(actor=mediator, indicator=indicator, evidence="again")
    outcomes = CommitmentDeadline.objects.filter(commitment=drill).order_by("opened_at", "pk")
    assert [d.outcome for d in outcomes] == ["extended", "met"]


def test_commitments_count_in_the_scorecard(story: None, actor: Any) -> None:
    from coordcell.cases.scorecard import scorecard

    card = scorecard(actor("mediator"), "month")
    rows = {p["party"]: p["months"] for p in card["parties"]}
    il = [m["proposals"] for m in rows["il"].values() if "proposals" in m]
    sy = [m["proposals"] for m in rows["sy"].values() if "proposals" in m]
    assert sum(x["met"] for x in il) == 1
    assert sum(x["extended"] for x in sy) == 1
    # The observer is not in the proposal's audience: it counts nothing of it.
    assert not selectors.commitment_rows(actor("observer"))


def test_the_pam_export(story: None, actor: Any) -> None:
    body = exports.pam_csv(actor("mediator"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert tuple(rows[0]) == exports.COLUMNS
    by_title = {r["title"]: r for r in rows}
    met = by_title["Withdraw from the western added strip (fictional exercise)"]
    assert (met["year"], met["pam_score"], met["pam_label"], met["status"]) == (
        "1",
        "3",
        "full",
        "met",
    )
    assert met["party_scores"] == "il=3;sy=2"
    assert met["fictional"] == "yes"
    assert (
        by_title["Joint hotline drill before the withdrawal (fictional exercise)"]["pam_score"]
        == "0"
    )
    # Nothing for a reader outside the proposal's audience: not a row, not a count.
    assert exports.pam_csv(actor("observer")).splitlines() == [",".join(exports.COLUMNS)]


def test_change_operations_are_checked_at_the_edge(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    bad = [
        "{not json",
        [{"op": "teleport"}],
        [
            {
                "op": "zone_geometry",
                "zone": "nowhere",
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            }
        ],
        [{"op": "limit", "clause": "nowhere", "key": "max_tanks", "value": 1}],
        [{"op": "limit", "clause": "AOL-10", "key": "tanks", "value": 1}],
        [{"op": "limit", "clause": "AOL-10", "key": "max_tanks", "value": float("nan")}],
        [{"op": "date", "clause": "AOL-10", "field": "effective_from", "value": "2026-13-01"}],
        [{"op": "limit", "clause": "AOL-10", "key": "max_tanks", "value": 1}] * 21,
    ]
    for change in bad:
        with pytest.raises(ValidationFailed):
            services.table_proposal(
                actor=mediator, title="t", track="x", text="t", language="en",
                audience=["il"], change=change,
            )  # fmt: skip
    with pytest.raises(ValidationFailed):  # fail closed: no audience, no proposal
        services.table_proposal(
            actor=mediator, title="t", track="x", text="t", language="en", audience=[]
        )
    with pytest.raises(ValidationFailed) as off_track:  # the arrangement states its tracks
        services.table_proposal(
            actor=mediator, title="t", track="x", text="t", language="en", audience=["il"]
        )
    assert list(off_track.value.fields) == ["track"]
    ok = services.table_proposal(
        actor=mediator, title="t", track="security", text="t", language="en", audience=["il", "sy"],
        change=json.dumps([{"op": "date", "clause": "AOL-10", "field": "effective_until",
                            "value": "2027-01-01"}]),
    )  # fmt: skip
    assert selectors.get_version(mediator, ok, 1).change[0]["value"] == "2027-01-01"


# --- who reads and does what (pages and API) -------------------------------------------

AUDIENCE = ["mediator", "il.liaison", "il.analyst", "il.admin", "sy.liaison", "sy.analyst",
            "sy.admin", "monitor"]  # fmt: skip
OUTSIDE = ["donor", "observer"]


def _surfaces() -> tuple[list[str], list[str]]:
    proposal = Proposal.objects.get(title=TITLE)
    commitment = Commitment.objects.filter(proposal=proposal).order_by("pk").first()
    assert commitment is not None
    p, c = proposal.public_id, commitment.public_id
    pages = [
        f"/proposals/{p}/",
        f"/proposals/{p}/?from=1&to=3&replay=3&months=12",
        f"/proposals/commitments/{c}/",
    ]
    api = [
        f"/api/v1/proposals/{p}/",
        f"/api/v1/proposals/{p}/versions/3/diff/?against=1",
        f"/api/v1/proposals/{p}/versions/3/replay/?months=12",
        f"/api/v1/commitments/{c}/",
    ]
    return pages, api


def test_the_audience_reads_every_surface_and_the_others_get_a_404(
    story: None, client_for: Any
) -> None:
    pages, api = _surfaces()
    seen: dict[str, list[int]] = {}
    missing = "/api/v1/proposals/00000000-0000-0000-0000-000000000000/"
    for username in AUDIENCE + OUTSIDE:
        client = client_for(username)
        seen[username] = [client.get(path).status_code for path in pages + api]
        if username in OUTSIDE:
            hidden = client.get(api[0])
            assert hidden.json() == client.get(missing).json()
    assert seen == {
        **{u: [200] * 7 for u in AUDIENCE},
        **{u: [404] * 7 for u in OUTSIDE},
    }


def test_lists_and_the_export_count_nothing_hidden(story: None, client_for: Any) -> None:
    for username in AUDIENCE + OUTSIDE:
        client = client_for(username)
        proposals = client.get("/api/v1/proposals/").json()
        commitments = client.get("/api/v1/commitments/").json()
        export = client.get("/api/v1/commitments/export/pam.csv").content.decode()
        page = client.get("/proposals/commitments/").content.decode()
        if username in OUTSIDE:
            assert (proposals["count"], commitments["count"]) == (0, 0), username
            assert export.count("\n") == 1
            assert "fictional exercise" not in page
        else:
            assert (proposals["count"], commitments["count"]) == (1, 3), username
            assert export.count("\n") == 4
    filtered = client_for("mediator").get("/api/v1/commitments/", {"status": "met", "party": "il"})
    assert [r["title"][:10] for r in filtered.json()["results"]] == ["Withdraw f"]
    assert client_for("mediator").get("/api/v1/commitments/", {"status": "x"}).status_code == 400


def test_only_those_who_may_act_can(story: None, client_for: Any) -> None:
    proposal = Proposal.objects.get(title=TITLE)
    commitment = Commitment.objects.filter(proposal=proposal).order_by("pk").first()
    assert commitment is not None
    indicator = commitment.indicators.order_by("pk").first()
    assert indicator is not None
    cases = [
        # (who, path, body, expected)
        ("il.analyst", f"/api/v1/proposals/{proposal.public_id}/versions/3/positions/",
         {"stance": "accept"}, 403),
        ("monitor", f"/api/v1/proposals/{proposal.public_id}/versions/", {"text": "x",
         "language": "en"}, 403),
        ("donor", f"/api/v1/proposals/{proposal.public_id}/versions/3/positions/",
         {"stance": "accept"}, 404),
        ("sy.liaison", f"/api/v1/proposals/{proposal.public_id}/versions/3/positions/",
         {"stance": "reject"}, 409),
        ("il.liaison", f"/api/v1/commitment-indicators/{indicator.public_id}/verify/",
         {"evidence": "x"}, 403),
        ("observer", f"/api/v1/commitment-indicators/{indicator.public_id}/verify/",
         {"evidence": "x"}, 404),
        ("il.liaison", "/api/v1/commitments/", {"proposal": str(proposal.public_id),
         "title": "x", "owner": "il", "due_at": "2030-01-01T00:00:00Z", "indicators": ["x"]}, 403),
        ("mediator", f"/api/v1/commitments/{commitment.public_id}/assessments/",
         {"score": 7, "text": "x"}, 400),
        ("mediator", f"/api/v1/proposals/{proposal.public_id}/versions/3/replay/?months=13",
         None, 400),
    ]  # fmt: skip
    got = []
    for who, path, body, _expected in cases:
        client = client_for(who)
        if body is None:
            response = client.get(path)
        else:
            response = client.post(path, body, content_type="application/json")
        got.append(response.status_code)
    assert got == [c[3] for c in cases]


@pytest.mark.parametrize(
    ("language", "heading", "direction"),
    [("ar", "موقف كل طرف من كل نسخة", "rtl"), ("he", "עמדת כל צד לגבי כל גרסה", "rtl"),
     ("en", "Each party's position on each version", "ltr")],
)  # fmt: skip
def test_the_pages_speak_arabic_hebrew_and_english(
    story: None, client_for: Any, language: str, heading: str, direction: str
) -> None:
    pages, _api = _surfaces()
    client = client_for("sy.liaison")
    html = client.get(pages[1], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in html
    assert f'dir="{direction}"' in html
    commitments = client.get("/proposals/commitments/", HTTP_ACCEPT_LANGUAGE=language)
    assert commitments.status_code == 200
    assert "<svg" in commitments.content.decode()


def test_a_proposal_is_tabled_and_revised_through_the_pages_language_options(
    story: None, client_for: Any
) -> None:
    """The pages' language options are language codes (the site's language switcher
    once shadowed them with dicts, so every proposal tabled from the page failed)."""
    import re

    client = client_for("il.liaison")
    page = client.get("/proposals/").content.decode()
    form = re.search(r'<select id="p-lang" name="language">(.*?)</select>', page, re.S)
    assert form is not None
    options = re.findall(r'<option value="([^"]*)"', form.group(1))
    assert options == list(services.LANGUAGES)
    track = re.search(r'<select id="p-track" name="track"[^>]*>\s*<option value="([^"]*)"', page)
    assert track is not None
    response = client.post(
        "/proposals/",
        {"title": "Tabled from the page (fictional)", "track": track.group(1),
         "language": options[0], "text": "A text.", "audience": ["il"]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(title="Tabled from the page (fictional)")
    page = client.get(f"/proposals/{proposal.public_id}/").content.decode()
    form = re.search(r'<select id="v-lang" name="language">(.*?)</select>', page, re.S)
    assert form is not None
    assert re.findall(r'<option value="([^"]*)"', form.group(1)) == list(services.LANGUAGES)


def test_a_commitment_with_one_deciding_party_is_extended_by_its_proposal(
    story: None, actor: Any
) -> None:
    """Proposing counts as the proposer's agreement: when it is the only deciding party,
    the new date applies at once (it once stayed proposed for ever)."""
    il, mediator = actor("il.liaison"), actor("mediator")
    proposal = services.table_proposal(
        actor=il, title="One party (fictional)", track=_proposal().track, text="t",
        language="en", audience=["il"],
    )  # fmt: skip
    services.take_stance(actor=il, version=selectors.get_version(il, proposal, 1), stance="accept")
    proposal.refresh_from_db()
    assert proposal.deciding == ["il"]
    commitment = services.create_commitment(
        actor=mediator, proposal=proposal, title="c", owner="il",
        due_at=timezone.now() + dt.timedelta(days=3), indicators=["i"],
    )  # fmt: skip
    later = timezone.now() + dt.timedelta(days=9)
    ext = services.propose_extension(actor=il, commitment=commitment, new_due_at=later, reason="r")
    ext.refresh_from_db()
    assert ext.state == "agreed"
    deadlines = list(commitment.deadlines.order_by("opened_at", "pk"))
    assert [d.outcome for d in deadlines] == ["extended", ""]
    assert deadlines[-1].due_at == later
    assert Entry.objects.filter(
        event_type="proposals.deadline_extended", data__commitment=commitment.reference
    ).exists()
