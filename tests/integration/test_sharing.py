"""Shared items through the services: tiers, REL and TLP enforced, consent, narrowing,
tearlines, redaction, links and the access log (issue 14)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import selectors as incidents
from coordcell.record.models import Entry
from coordcell.sharing import selectors as sel
from coordcell.sharing import services
from coordcell.sharing.choices import ConsentState, Surface, TierChoices
from coordcell.sharing.services import ItemInput
from tests.conftest import PNG

pytestmark = pytest.mark.django_db

EVERYONE = ("mediator", "il.liaison", "il.analyst", "sy.liaison", "monitor", "donor", "observer")


def readers(actor: Any, item: Any) -> set[str]:
    out = set()
    for name in EVERYONE:
        try:
            sel.get_item(actor(name), item.public_id)
        except NotFound:
            continue
        out.add(name)
    return out


def new(actor: Any, who: str = "il.liaison", **fields: Any) -> Any:
    data = {
        "title": "Convoy seen on the road (fictional exercise)",
        "tier": "originator",
        "tlp": "amber",
    }
    data.update(fields)
    return services.create_item(actor=actor(who), data=ItemInput(**data))


def test_each_tier_reaches_exactly_its_audience(actor: Any) -> None:
    own = new(actor)
    assert readers(actor, own) == {"il.liaison", "il.analyst"}
    med = new(actor, tier="mediator", releasability=["us"])
    assert readers(actor, med) == {"il.liaison", "il.analyst", "mediator"}
    bi = new(actor, tier="bilateral", counterpart="sy", releasability=["us", "sy"])
    assert readers(actor, bi) == {"il.liaison", "il.analyst", "mediator", "sy.liaison"}
    allp = new(actor, tier="parties", releasability=["us", "sy"])
    assert readers(actor, allp) == {"il.liaison", "il.analyst", "mediator", "sy.liaison"}
    pub = new(actor, tier="public", tlp="clear", releasability=["*"])
    assert readers(actor, pub) == set(EVERYONE)


def test_the_rel_marking_and_tlp_are_enforced(actor: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        new(actor, tier="bilateral", counterpart="sy", releasability=["us"])
    assert "SY" in str(exc.value.fields["tier"])
    with pytest.raises(ValidationFailed):
        new(actor, tier="public", tlp="clear", releasability=["us", "sy"])
    with pytest.raises(ValidationFailed):
        new(actor, tier="public", tlp="green", releasability=["*"])
    with pytest.raises(ValidationFailed):
        new(actor, tier="parties", tlp="red", releasability=["us", "sy"])
    with pytest.raises(ValidationFailed) as exc:
        new(actor, releasability=["xx"])
    assert "releasability" in exc.value.fields
    item = new(actor, tier="mediator", releasability=["us"])
    with pytest.raises(ValidationFailed):
        services.request_widening(actor=actor("il.liaison"), item=item, to_tier="parties")
    assert item.pk is not None
    assert Entry.objects.filter(data__item=item.reference).count() == 1


def test_bad_input_is_refused_before_any_write(actor: Any) -> None:
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        new(
            actor,
            title="",
            tlp="purple",
            source_reliability="G",
            information_credibility="9",
            geometry={"type": "Point", "coordinates": [999, 0]},
        )
    assert {"title", "tlp", "source_reliability", "information_credibility", "geometry"} <= set(
        exc.value.fields
    )
    assert Entry.objects.count() == before


def test_donors_and_observers_do_not_originate(actor: Any) -> None:
    for name in ("donor", "observer"):
        with pytest.raises(PermissionDenied):
            new(actor, who=name)


def test_widening_waits_for_the_originators_consent(actor: Any) -> None:
    item = new(actor, tier="bilateral", counterpart="sy", releasability=["us", "sy"])
    request = services.request_widening(
        actor=actor("sy.liaison"), item=item, to_tier="parties", reason="For the cell"
    )
    assert request.state == ConsentState.PENDING
    assert list(sel.consent_inbox(actor("il.liaison"))) == [request]
    assert list(sel.consent_inbox(actor("sy.liaison"))) == []
    with pytest.raises(PermissionDenied):
        services.decide_consent(actor=actor("sy.liaison"), request=request, granted=True)
    with pytest.raises(PermissionDenied):  # an analyst does not answer for the party
        services.decide_consent(actor=actor("il.analyst"), request=request, granted=True)
    services.decide_consent(actor=actor("il.liaison"), request=request, granted=False, note="No")
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.state == ConsentState.REFUSED
    assert item.tier == TierChoices.BILATERAL


def test_originator_control_refuses_others_requests(actor: Any) -> None:
    item = new(
        actor,
        tier="bilateral",
        counterpart="sy",
        releasability=["us", "sy"],
        originator_control=True,
    )
    with pytest.raises(PermissionDenied):
        services.request_widening(actor=actor("sy.liaison"), item=item, to_tier="parties")
    with pytest.raises(PermissionDenied):
        services.request_widening(actor=actor("mediator"), item=item, to_tier="parties")
    services.request_widening(actor=actor("il.liaison"), item=item, to_tier="parties")
    item.refresh_from_db()
    assert item.tier == TierChoices.PARTIES


def test_public_release_needs_every_partys_consent(actor: Any) -> None:
    item = new(actor, tier="parties", tlp="clear", releasability=["us", "sy", "*"])
    request = services.request_widening(actor=actor("il.liaison"), item=item, to_tier="public")
    item.refresh_from_db()
    assert request.state == ConsentState.PENDING
    assert item.tier == TierChoices.PARTIES
    assert "donor" not in readers(actor, item)
    services.decide_consent(actor=actor("sy.liaison"), request=request, granted=True)
    assert sel.get_item(actor("il.liaison"), item.public_id).tier == TierChoices.PARTIES
    with pytest.raises(Conflict):
        services.decide_consent(actor=actor("sy.liaison"), request=request, granted=True)
    services.decide_consent(actor=actor("mediator"), request=request, granted=True)
    item.refresh_from_db()
    assert item.tier == TierChoices.PUBLIC
    assert readers(actor, item) == set(EVERYONE)


def test_narrowing_is_recorded_and_withdraws_pending_requests(actor: Any) -> None:
    item = new(actor, tier="parties", releasability=["us", "sy"])
    other = new(actor, tier="parties", tlp="clear", releasability=["us", "sy", "*"])
    pending = services.request_widening(actor=actor("sy.liaison"), item=other, to_tier="public")
    with pytest.raises(PermissionDenied):
        services.narrow_item(actor=actor("sy.liaison"), item=item, to_tier="mediator")
    services.narrow_item(actor=actor("il.liaison"), item=item, to_tier="mediator")
    assert readers(actor, item) == {"il.liaison", "il.analyst", "mediator"}
    services.narrow_item(
        actor=actor("il.liaison"), item=other, to_tier="bilateral", counterpart="sy"
    )
    pending.refresh_from_db()
    assert pending.state == ConsentState.WITHDRAWN
    entry = Entry.objects.filter(
        event_type="sharing.audience_narrowed", data__item=item.reference
    ).get()
    assert entry.audience == "|il|us|"


def test_tearline_part_is_its_own_item_and_the_product_stays(actor: Any) -> None:
    top, part = services.create_with_tearline(
        actor=actor("mediator"),
        product=ItemInput(
            title="Full assessment (fictional exercise)",
            tier="originator",
            tlp="red",
            body="Sources and methods",
        ),
        below=ItemInput(
            title="Summary (fictional exercise)",
            tier="parties",
            tlp="amber",
            releasability=["il", "sy"],
        ),
    )
    assert readers(actor, top) == {"mediator"}
    assert readers(actor, part) == {"mediator", "il.liaison", "il.analyst", "sy.liaison"}
    il = actor("il.liaison")
    assert sel.visible_source(il, sel.get_item(il, part.public_id))["tearline_of"] is None
    assert sel.visible_source(actor("mediator"), part)["tearline_of"] == top
    made = Entry.objects.get(event_type="sharing.tearline_made", data__item=part.reference)
    assert made.audience == "|us|"
    for entry in Entry.objects.filter(data__item=part.reference):
        assert top.reference not in entry.canonical or entry.audience == "|us|"


def test_redaction_leaves_the_fields_out_of_every_store(actor: Any) -> None:
    liaison = actor("il.liaison")
    incident = incidents.list_incidents(liaison).first()
    item = new(
        actor,
        body="Secret observation post details",
        source_reliability="B",
        information_credibility="2",
        geometry={"type": "Point", "coordinates": [35.82, 33.12]},
        links=[("incident", incident.public_id)],
        releasability=["us", "sy", "*"],
    )
    services.add_attachment(actor=liaison, item=item, upload=io.BytesIO(PNG), filename="p.png")
    red = services.redact_item(
        actor=liaison,
        item=item,
        remove=["body", "place", "grades", "links", "attachments"],
        tier="parties",
        tlp="clear",
        body="A convoy was seen (fictional exercise).",
    )
    red.refresh_from_db()
    assert red.body == "A convoy was seen (fictional exercise)."
    assert red.geometry == ""
    assert red.lon is None
    assert red.source_reliability == ""
    assert red.information_credibility == ""
    assert not red.links.exists()
    assert not red.attachments.exists()
    assert red.redacted_fields == ["attachments", "body", "grades", "links", "place"]
    for entry in Entry.objects.filter(data__item=red.reference):
        assert "Secret" not in entry.canonical
        assert '"grades":' not in entry.canonical
    assert sel.visible_source(actor("sy.liaison"), red)["redaction_of"] is None
    # released to the public with every party's consent
    request = services.request_widening(actor=liaison, item=red, to_tier="public")
    services.decide_consent(actor=actor("sy.liaison"), request=request, granted=True)
    services.decide_consent(actor=actor("mediator"), request=request, granted=True)
    assert readers(actor, red) == set(EVERYONE)
    assert readers(actor, item) == {"il.liaison", "il.analyst"}


def test_links_are_shown_only_to_those_who_see_their_target(actor: Any) -> None:
    liaison = actor("il.liaison")
    incident = incidents.list_incidents(liaison).filter(audience="|il|").first()
    if incident is None:
        import datetime as dt

        from coordcell.agreements.selectors import get_version
        from coordcell.incidents.services import IncidentInput, report_incident

        incident = report_incident(
            actor=liaison,
            data=IncidentInput(
                kind="military_presence",
                title="Own observation (fictional exercise)",
                occurred_from=dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC),
                geometry={"type": "Point", "coordinates": [35.82461, 33.12595]},
            ),
            version=get_version(liaison, None, None),
            audience=["il"],
        )
    item = new(
        actor,
        tier="bilateral",
        counterpart="sy",
        releasability=["us", "sy"],
        links=[("incident", incident.public_id)],
    )
    assert [link.label for link in sel.resolve_links(liaison, item)] == [incident.reference]
    assert sel.resolve_links(actor("sy.liaison"), item) == []
    with pytest.raises(ValidationFailed):  # nobody links what they cannot see
        new(actor, who="sy.liaison", links=[("incident", incident.public_id)])


def test_the_access_log_is_the_originators_alone(actor: Any) -> None:
    item = new(actor, tier="bilateral", counterpart="sy", releasability=["us", "sy"])
    services.log_access(actor=actor("sy.liaison"), item=item, surface=Surface.PAGE)
    log = sel.access_log(actor("il.analyst"), item)
    assert [a.reader for a in log] == [actor("sy.liaison").name]
    for name in ("sy.liaison", "mediator"):
        with pytest.raises(NotFound):
            sel.access_log(actor(name), item)


def test_the_operator_at_the_console_reads_every_item(actor: Any, console: Any) -> None:
    """What docs/sharing.md and every sharing page say: the operator reads stored data."""
    own = new(actor)
    assert sel.get_item(console, own.public_id) == own
    assert sel.access_log(console, own).count() == 0


def test_a_widening_tells_only_the_parties_it_adds(actor: Any) -> None:
    from coordcell.notify.models import Delivery, Webhook
    from coordcell.parties.models import Party

    now = dt.datetime.now(dt.UTC)
    for code in ("il", "sy", "us", "undof"):
        Webhook.objects.create(
            party=Party.objects.get(code=code), url=f"https://{code}.example/h", secret="s",
            created_at=now,
        )  # fmt: skip
    item = new(actor, tier="mediator", releasability=["us", "sy"])
    services.request_widening(actor=actor("il.liaison"), item=item, to_tier="parties")
    told = Delivery.objects.filter(body__contains=str(item.public_id))
    by_event = sorted((d.event, d.webhook.party.code) for d in told)
    assert by_event == [
        ("sharing.audience_widened", "sy"),
        ("sharing.item_created", "il"),
        ("sharing.item_created", "us"),
    ]
