"""Declared positions (issue 13): escrow, the sealed baseline, reveals, changes, caps.

A party's positions are read by that party and the mediator only; the record holds a
padded Merkle root per party, and a reveal in a dispute is checked offline against it."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.positions import selectors, services
from coordcell.positions.models import Commitment, Holding, Position, PositionChange
from coordcell.record.models import Entry
from coordcell.record.selectors import list_visible_entries
from coordcell.rules import positions_commit as pc

pytestmark = pytest.mark.django_db

#: Fictional test sites: west of Line A (Israel's Area of Limitation, 0-10 km) and east of
#: Line B (Syria's), and one in the Area of Separation.
IL_SITE = {"type": "Point", "coordinates": [35.7893, 33.0549]}
SY_SITE = {"type": "Point", "coordinates": [35.9583, 33.1112]}
AOS_SITE = {"type": "Point", "coordinates": [35.8568, 33.0921]}
BASELINE = dt.date(2026, 1, 7)


def declare(actor: Any, who: str, **kw: Any) -> Position:
    values: dict[str, Any] = {
        "name": "Post (fictional test)",
        "kind": "outpost",
        "geometry": IL_SITE if who.startswith("il") else SY_SITE,
        "established": dt.date(2025, 6, 1),
        "holdings": [{"category": "personnel", "count": 40}, {"category": "tanks", "count": 4}],
        **kw,
    }
    return services.declare_position(actor=actor(who), **values)


def test_a_declaration_is_read_by_its_party_and_the_mediator_alone(actor: Any) -> None:
    position = declare(actor, "il.liaison")
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "positions.declared"
    assert sorted(entry.audience.strip("|").split("|")) == ["il", "us"]
    assert selectors.get_position(actor("il.liaison"), position.public_id) == position
    assert selectors.get_position(actor("mediator"), position.public_id) == position
    for other in ("sy.liaison", "monitor", "donor", "observer", "outsider"):
        with pytest.raises(NotFound):
            selectors.get_position(actor(other), position.public_id)
        assert not selectors.list_positions(actor(other)).exists()
        if other != "outsider":
            assert list_visible_entries(actor(other), after=entry.seq - 1, limit=5) == []
    assert position.lon == 35.7893
    assert position.lat == 33.0549
    assert {(h.category, h.count) for h in position.holdings.all()} == {
        ("personnel", 40),
        ("tanks", 4),
    }


def test_nobody_declares_for_another_party(actor: Any) -> None:
    before = Entry.objects.count()
    with pytest.raises(PermissionDenied):
        declare(actor, "il.liaison", party="sy")
    for who in ("mediator", "monitor", "donor", "il.analyst"):
        with pytest.raises(PermissionDenied):
            declare(actor, who)
    assert Entry.objects.count() == before
    assert not Position.objects.exists()


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("kind", "bunker"),
        ("name", ""),
        ("name", "Hill\x0bpost"),  # a control character: it broke the KML export
        ("name", "Hill post\x9b"),
        ("geometry", {"type": "Point", "coordinates": [200, 33]}),
        ("geometry", {"type": "Point", "coordinates": [10.0, 10.0]}),
        ("established", "2026-13-01"),
        ("holdings", [{"category": "nukes", "count": 1}]),
        ("holdings", [{"category": "tanks", "count": -1}]),
        ("holdings", [{"category": "tanks", "count": 1, "range_km": 20}]),
        ("holdings", [{"category": "tanks", "count": 1}, {"category": "tanks", "count": 2}]),
    ],
)
def test_a_bad_declaration_writes_nothing(actor: Any, field: str, bad: Any) -> None:
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        declare(actor, "il.liaison", **{field: bad})
    assert field in caught.value.fields
    assert Entry.objects.count() == before
    assert not Position.objects.exists()


def _sealed_pair(actor: Any) -> tuple[Position, Commitment]:
    position = declare(actor, "sy.liaison", name="Hill post (fictional test)")
    declare(actor, "sy.liaison", name="Valley post (fictional test)", kind="checkpoint")
    commitment = services.seal_baseline(actor=actor("sy.liaison"))
    return position, commitment


def test_the_sealed_baseline_hides_the_count_and_reveals_one_item(actor: Any) -> None:
    position, commitment = _sealed_pair(actor)
    assert commitment.size == pc.MIN_LEAVES
    assert commitment.as_of == BASELINE
    entry = Entry.objects.get(seq=commitment.entry_seq)
    assert entry.event_type == "positions.sealed"
    assert entry.data["root"] == commitment.root
    assert entry.data["size"] == 1024
    assert "positions" not in entry.data
    assert "count" not in json.dumps(entry.data)
    # Israel reads the root, not the positions.
    assert list_visible_entries(actor("il.liaison"), after=entry.seq - 1, limit=1)
    with pytest.raises(ValidationFailed):
        services.seal_baseline(actor=actor("sy.liaison"))
    dispute = services.open_dispute(
        actor=actor("il.liaison"),
        against="sy",
        claim="This post was set up after the freeze (fictional test).",
        geometry=SY_SITE,
    )
    item = PositionChange.objects.get(position=position, change="baseline")
    with pytest.raises(PermissionDenied):  # the mediator needs Syria's consent
        services.reveal(actor=actor("mediator"), dispute=dispute, change=item)
    found = services.reveal(actor=actor("sy.liaison"), dispute=dispute, change=item)
    bundle = found.bundle
    assert pc.verify_reveal(json.loads(json.dumps(bundle))) == []
    assert bundle["item"]["name"] == "Hill post (fictional test)"
    assert bundle["root"] == entry.data["root"]
    # A forged reveal fails: a changed field, a wrong salt, a wrong proof, a wrong index.
    for forge in (
        lambda b: b["item"].update(established="2025-06-02"),
        lambda b: b["item"]["holdings"][0].update(count=39),
        lambda b: b.update(salt="00" * 32),
        lambda b: b["proof"].__setitem__(3, "11" * 32),
        lambda b: b.update(index=(b["index"] + 1) % b["size"]),
        lambda b: b.update(root="22" * 32),
    ):
        forged = copy.deepcopy(bundle)
        forge(forged)
        assert pc.verify_reveal(forged), forge
    # Monitors and donors read neither the dispute nor the reveal.
    for other in ("monitor", "donor"):
        assert not selectors.list_disputes(actor(other)).exists()
        assert not selectors.list_reveals(actor(other)).exists()
    assert selectors.get_reveal(actor("il.liaison"), found.public_id) == found


def test_the_mediator_reveals_with_the_declaring_partys_consent(actor: Any) -> None:
    position, _ = _sealed_pair(actor)
    dispute = services.open_dispute(
        actor=actor("il.liaison"), against="sy", claim="New post (fictional test)."
    )
    item = PositionChange.objects.get(position=position, change="baseline")
    with pytest.raises(PermissionDenied):  # Israel's consent is not the one required
        services.consent_to_reveal(actor=actor("monitor"), dispute=dispute)
    services.consent_to_reveal(actor=actor("il.liaison"), dispute=dispute)
    dispute.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.reveal(actor=actor("mediator"), dispute=dispute, change=item)
    services.consent_to_reveal(actor=actor("sy.liaison"), dispute=dispute)
    dispute.refresh_from_db()
    found = services.reveal(actor=actor("mediator"), dispute=dispute, change=item)
    assert pc.verify_reveal(found.bundle) == []


def test_changes_are_classified_and_sealed_in_batches(actor: Any) -> None:
    position, _ = _sealed_pair(actor)
    # A new post after the baseline, away from the baseline positions: possible violation.
    new = declare(
        actor,
        "sy.liaison",
        name="New post (fictional test)",
        geometry=AOS_SITE,
        established=dt.date(2026, 2, 1),
    )
    change = PositionChange.objects.get(position=new)
    assert change.classification == "possible_violation"
    assert change.findings[0]["rule"] == "freeze:new_position"
    # A holdings change declared well ahead, under the caps: notified in advance.
    ahead = dt.date.today() + dt.timedelta(days=10)
    notified = services.declare_change(
        actor=actor("sy.liaison"),
        position=position,
        change="holdings",
        effective=ahead,
        holdings=[{"category": "personnel", "count": 30}],
    )
    assert notified is not None
    assert notified.classification == "notified"
    # Tanks above the cap of the 0-10 km area: possible violation (Engine.check_holdings).
    over = services.declare_change(
        actor=actor("sy.liaison"),
        position=position,
        change="holdings",
        effective=ahead + dt.timedelta(days=1),
        holdings=[{"category": "tanks", "count": 80}],
    )
    assert over is not None
    assert over.classification == "possible_violation"
    assert over.findings[0]["rule"] == "limit:max_tanks"
    services.agree_change(actor=actor("mediator"), change=over, note="Both agreed (fictional).")
    over.refresh_from_db()
    assert over.classification == "agreed"
    with pytest.raises(PermissionDenied):
        services.agree_change(actor=actor("il.liaison"), change=over, note="x")
    # The mediator disputes the new post.
    services.open_dispute(
        actor=actor("mediator"), against="sy", claim="After the freeze.", change=change
    )
    change.refresh_from_db()
    assert change.classification == "disputed"
    batch = services.seal_changes(actor=actor("sy.liaison"))
    assert batch.size == services.CHANGE_BATCH_FLOOR
    assert PositionChange.objects.filter(commitment=batch).count() == 3
    # The baseline cannot be rewritten once sealed.
    with pytest.raises(ValidationFailed):
        services.declare_change(
            actor=actor("sy.liaison"), position=position, change="vacated", effective=BASELINE
        )


def test_zone_totals_against_caps(actor: Any) -> None:
    declare(actor, "sy.liaison", holdings=[{"category": "tanks", "count": 50}])
    declare(actor, "sy.liaison", holdings=[{"category": "tanks", "count": 30}])
    declare(actor, "il.liaison", holdings=[{"category": "tanks", "count": 10}])
    day = dt.date(2026, 3, 1)
    rows = {(r.zone, r.party, r.category): r for r in selectors.zone_totals(actor("mediator"), day)}
    tanks = rows[("aol_B_0_10km", "sy", "tanks")]
    assert tanks.total == 80
    assert tanks.cap == 75
    assert tanks.over
    assert tanks.clause == "AOL-10"
    assert ("aol_A_0_10km", "il", "tanks") in rows
    own = selectors.zone_totals(actor("il.liaison"), day)
    assert {r.party for r in own} == {"il"}
    assert selectors.zone_totals(actor("monitor"), day) == []


def test_an_import_is_all_or_nothing_with_errors_per_feature(actor: Any) -> None:
    good = {
        "type": "Feature",
        "geometry": IL_SITE,
        "properties": {
            "name": "A (fictional)",
            "kind": "base",
            "established": "2025-01-01",
            "holdings": {"personnel": 100},
        },
    }
    bad = copy.deepcopy(good)
    bad["properties"]["kind"] = "castle"
    bad["geometry"] = {"type": "Point", "coordinates": ["x", 1]}
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.import_positions(
            actor=actor("il.liaison"),
            document=json.dumps({"type": "FeatureCollection", "features": [good, bad]}),
        )
    assert set(caught.value.fields) == {"features[1].kind", "features[1].geometry"}
    assert Entry.objects.count() == before
    assert not Position.objects.exists()
    created = services.import_positions(
        actor=actor("il.liaison"),
        document=json.dumps({"type": "FeatureCollection", "features": [good, good]}),
    )
    assert len(created) == 2
    assert Holding.objects.filter(position__in=created, category="personnel").count() == 2


def test_the_engine_baseline_and_the_export(actor: Any) -> None:
    declare(actor, "il.liaison", established=dt.date(2025, 1, 1))
    later = declare(actor, "il.liaison", established=dt.date(2026, 5, 1))
    baseline, revision = selectors.engine_baseline()
    assert {p.party for p in baseline} == {"il"}
    assert len(baseline) == 2
    services.declare_change(
        actor=actor("il.liaison"), position=later, change="vacated", effective=dt.date(2026, 6, 1)
    )
    baseline2, revision2 = selectors.engine_baseline()
    assert revision2 != revision
    assert len(baseline2) == 1
    fc = selectors.positions_feature_collection(actor("il.liaison"), at=dt.date(2026, 5, 15))
    assert len(fc["features"]) == 2
    fc = selectors.positions_feature_collection(actor("il.liaison"), at=dt.date(2026, 6, 15))
    assert len(fc["features"]) == 1
    assert selectors.positions_feature_collection(actor("sy.liaison"))["features"] == []


def test_the_worker_seals_one_batch_a_day_per_sealed_party(actor: Any) -> None:
    from django.utils import timezone

    from coordcell.core.worker import registered_jobs

    assert "positions.seal_changes" in [j.name for j in registered_jobs()]
    now = timezone.now()
    assert services.seal_due_batches(now) == 0  # no baseline sealed: nothing to batch
    _sealed_pair(actor)
    assert services.seal_due_batches(now) == 1
    assert services.seal_due_batches(now) == 0  # once a day
    batch = Commitment.objects.get(kind="changes")
    assert batch.size == services.CHANGE_BATCH_FLOOR  # an empty batch looks like any other
    assert services.seal_due_batches(now + dt.timedelta(days=1)) == 1


def test_the_export_on_a_day_shows_where_a_moved_position_stood(actor: Any) -> None:
    position = declare(actor, "sy.liaison", established=dt.date(2025, 1, 1))
    services.seal_baseline(actor=actor("sy.liaison"))
    moved_on = dt.date.today() + dt.timedelta(days=30)
    services.declare_change(
        actor=actor("sy.liaison"), position=position, change="moved", effective=moved_on,
        geometry=AOS_SITE,
    )  # fmt: skip

    def site(day: dt.date) -> Any:
        fc = selectors.positions_feature_collection(actor("sy.liaison"), at=day)
        return fc["features"][0]["geometry"]["coordinates"]

    assert site(dt.date(2026, 3, 1)) == SY_SITE["coordinates"]
    assert site(moved_on) == AOS_SITE["coordinates"]
    now = selectors.positions_feature_collection(actor("mediator"))["features"][0]
    assert now["geometry"]["coordinates"] == AOS_SITE["coordinates"]
