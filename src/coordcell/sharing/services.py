"""The only writers of shared items: create, attach, widen with consent, narrow, redact,
tearline, releasability — each one transaction with its record entry.

Audiences are computed here from the tier and the current arrangement's parties (data,
never codes in code), checked against the item's releasability (REL) marking and TLP,
and refused when they do not fit: the marking is enforced, not printed. Widening needs
the originator's recorded consent, and release to the public every party's as well;
narrowing is the originator's and is recorded too (it cannot unsee, but nothing more is
delivered to those left out). Every record entry about an item carries the item's
audience (after a change, the new one); an entry that names the source of a tearline
part or a redaction carries the source's audience.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from coordcell.core import audience as audiences
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.incidents.evidence import seal_upload
from coordcell.notify.queueing import queue_delivery
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import arrangement
from coordcell.rules.geojson_input import GeometryError, normalise_geometry
from coordcell.sharing import events
from coordcell.sharing import selectors as sel
from coordcell.sharing.choices import (
    ConsentAction,
    ConsentState,
    CredibilityChoices,
    LinkKind,
    ReliabilityChoices,
    Surface,
    TierChoices,
    TlpChoices,
)
from coordcell.sharing.models import (
    AccessLog,
    Attachment,
    AudienceChange,
    ConsentDecision,
    ConsentRequest,
    Item,
    ItemLink,
)

if TYPE_CHECKING:
    from coordcell.record.models import Entry

__all__ = [
    "BODY_MAX_CHARS",
    "MAX_LINKS",
    "REDACTABLE_FIELDS",
    "TITLE_MAX_CHARS",
    "ItemInput",
    "add_attachment",
    "audience_for",
    "create_item",
    "create_with_tearline",
    "decide_consent",
    "log_access",
    "make_tearline",
    "narrow_item",
    "redact_item",
    "request_widening",
    "set_releasability",
    "withdraw_request",
]

TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 20_000
REASON_MAX_CHARS = 2_000
MAX_LINKS = 20
EXTERNAL_ID_MAX_CHARS = 200
#: What a redacted version may leave out (the title stays: it may be rewritten instead).
REDACTABLE_FIELDS = arrangement.REDACTABLE_FIELDS
#: The REL value that allows release to the public.
REL_PUBLIC = arrangement.REL_PUBLIC
#: Party kinds whose people may originate items (donors and observers read only).
_ORIGINATOR_KINDS = (
    PartyKindChoices.KIND_PARTY,
    PartyKindChoices.KIND_MEDIATOR,
    PartyKindChoices.KIND_MONITOR,
)
#: Party kinds of "all parties" (and whose consent a public release needs).
_ALL_PARTIES_KINDS = (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)
#: Roles that may answer a consent request for their party.
_DECIDER_ROLES = (RoleChoices.PRINCIPAL, RoleChoices.LIAISON_OFFICER)
_READ_ONLY_ROLES = (RoleChoices.OBSERVER, RoleChoices.DONOR_REPRESENTATIVE)


@dataclass
class ItemInput:
    """The fields of a new item, as a page, the API, the demo or an import give them."""

    title: str
    tier: str
    tlp: str
    body: str = ""
    geometry: Any = None
    observed_at: dt.datetime | None = None
    source_reliability: str = ""
    information_credibility: str = ""
    counterpart: str = ""
    releasability: Sequence[str] = ()
    originator_control: bool = False
    links: Sequence[tuple[str, Any]] = ()
    external_id: str = ""
    created_at: dt.datetime | None = None


# --- who may act -----------------------------------------------------------------------------


def _require_originating_member(actor: Actor) -> None:
    if (
        actor.system
        or not actor.party_id
        or actor.party_kind not in _ORIGINATOR_KINDS
        or (actor.roles and all(r in _READ_ONLY_ROLES for r in actor.roles))
        or not actor.roles
    ):
        raise PermissionDenied(_("You may not share items."))


def _is_originator(actor: Actor, item: Item) -> bool:
    return not actor.system and actor.party_id is not None and actor.party_id == item.originator_id


def _require_originator(actor: Actor, item: Item) -> None:
    if not _is_originator(actor, item):
        raise PermissionDenied(_("Only the originator's people may do this."))
    _require_originating_member(actor)


# --- audiences from tiers ----------------------------------------------------------------------


def audience_for(
    parties_of: Sequence[tuple[str, str]], originator: str, tier: str, counterpart: str = ""
) -> list[str]:
    """The party codes of a tier, from the arrangement's ``(code, kind)`` parties.

    Originator only; the mediator (with the originator); bilateral (the originator, the
    named party and the mediator); all parties (the parties and the mediator); public
    (every member). Never empty, never "everyone" by omission."""
    mediators = [c for c, k in parties_of if k == PartyKindChoices.KIND_MEDIATOR]
    if tier == TierChoices.ORIGINATOR:
        codes = [originator]
    elif tier == TierChoices.MEDIATOR:
        codes = [originator, *mediators]
    elif tier == TierChoices.BILATERAL:
        codes = [originator, counterpart, *mediators]
    elif tier == TierChoices.PARTIES:
        codes = [originator, *(c for c, k in parties_of if k in _ALL_PARTIES_KINDS)]
    elif tier == TierChoices.PUBLIC:
        codes = [audiences.ALL_MEMBERS]
    else:
        raise ValueError(f"unknown tier {tier!r}")
    return audiences.normalise(codes)


def _tier_audience(
    actor: Actor,
    *,
    originator: str,
    tier: str,
    counterpart: str,
    rel: Sequence[str],
    tlp: str,
    errors: dict[str, list[str]],
) -> list[str] | None:
    """Check a tier against the arrangement, the REL marking and TLP; its audience."""
    if tier not in TierChoices.values():
        errors["tier"] = [_("Choose an audience.")]
        return None
    known = sel.arrangement_parties(actor)
    if not known:
        errors["tier"] = [_("No arrangement is loaded: nothing can be shared yet.")]
        return None
    codes = {c for c, _k in known}
    if tier == TierChoices.BILATERAL:
        eligible = {c for c, k in known if k in _ORIGINATOR_KINDS and c != originator}
        if counterpart not in eligible:
            errors["counterpart"] = [_("Name the one party this item is shared with.")]
            return None
    elif counterpart:
        errors["counterpart"] = [_("Only a bilateral item names a party.")]
        return None
    if originator not in codes:
        errors["tier"] = [_("Your party is not a party to the arrangement.")]
        return None
    wanted = audience_for(known, originator, tier, counterpart)
    if tier == TierChoices.PUBLIC:
        if REL_PUBLIC not in rel:
            errors["tier"] = [_("The item is not marked releasable to the public.")]
            return None
        if tlp != TlpChoices.CLEAR:
            errors["tier"] = [_("Only a TLP:CLEAR item may be released to the public.")]
            return None
        return wanted
    beyond = sorted(set(wanted) - {originator} - set(rel))
    if beyond:
        errors["tier"] = [
            _("The releasability marking does not allow %(codes)s.")
            % {"codes": ", ".join(c.upper() for c in beyond)}
        ]
        return None
    # TLP:RED is for named recipients alone: the originator, the mediator, or bilateral.
    if tlp == TlpChoices.RED and tier not in (
        TierChoices.ORIGINATOR,
        TierChoices.MEDIATOR,
        TierChoices.BILATERAL,
    ):
        errors["tier"] = [_("A TLP:RED item goes to named recipients only.")]
        return None
    return wanted


def _rel(actor: Actor, values: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    """A REL marking: codes of the arrangement's parties, and ``*`` for the public."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    wanted = sorted({str(v).strip().lower() for v in values if str(v).strip()})
    known = {c for c, _k in sel.arrangement_parties(actor)} | {REL_PUBLIC}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        errors["releasability"] = [
            _("Not a party to the arrangement: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    return [c for c in wanted if c in known]


def _encode_rel(codes: Sequence[str]) -> str:
    """A REL marking as stored: ``|sy|us|*|`` keeps every code (``*`` does not swallow
    the others as it does in an audience); empty when nothing beyond the originator."""
    return "".join(f"|{c}" for c in sorted(set(codes))) + "|" if codes else ""


def _text(value: Any, limit: int, key: str, errors: dict[str, list[str]], *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[key] = [_("This field is required.")]
    elif len(text) > limit:
        errors[key] = [_("At most %(n)s characters.") % {"n": limit}]
    return text


def _geometry(value: Any, errors: dict[str, list[str]]) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            errors["geometry"] = [_("The place is not GeoJSON.")]
            return None
    try:
        return normalise_geometry(value)
    except GeometryError as exc:
        errors["geometry"] = [exc.translated(_)]
        return None


def _links(
    actor: Actor, values: Sequence[tuple[str, Any]], errors: dict[str, list[str]]
) -> list[tuple[str, Any]]:
    """Links to incidents, cases and positions the *author* may see (else refused, with
    the same message as a missing one)."""
    if len(values) > MAX_LINKS:
        errors["links"] = [_("At most %(n)s links.") % {"n": MAX_LINKS}]
        return []
    out: list[tuple[str, Any]] = []
    for kind, target in values:
        if kind not in LinkKind.values() or sel.link_label(actor, kind, target) is None:
            errors["links"] = [_("A linked record was not found.")]
            return []
        out.append((kind, sel._uuid(target)))
    return sorted(set(out), key=lambda kt: (kt[0], str(kt[1])))


def _party(code: str) -> Any:
    for party in parties.parties_of_kinds(_ORIGINATOR_KINDS):
        if party.code == code:
            return party
    return None


def _aware(value: Any, key: str, errors: dict[str, list[str]]) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        errors[key] = [_("Give the date and time with its UTC offset.")]
        return None
    return value


@dataclass
class _Checked:
    title: str
    body: str
    geometry: dict[str, Any] | None
    observed_at: dt.datetime | None
    reliability: str
    credibility: str
    tier: str
    counterpart: Any
    rel: list[str]
    orcon: bool
    tlp: str
    audience: list[str]
    links: list[tuple[str, Any]]
    external_id: str
    created_at: dt.datetime | None


def check_item(actor: Actor, data: ItemInput, *, originator: str | None = None) -> _Checked:
    """Validate every field of a new item (``ValidationFailed`` naming each problem)."""
    originator = originator or str(actor.party_code)
    errors: dict[str, list[str]] = {}
    title = _text(data.title, TITLE_MAX_CHARS, "title", errors, required=True)
    body = _text(data.body, BODY_MAX_CHARS, "body", errors, required=False)
    geometry = _geometry(data.geometry, errors)
    observed_at = _aware(data.observed_at, "observed_at", errors)
    created_at = _aware(data.created_at, "created_at", errors)
    reliability = str(data.source_reliability or "").strip().upper()
    if reliability and reliability not in ReliabilityChoices.values():
        errors["source_reliability"] = [_("Source reliability is graded A to F.")]
    credibility = str(data.information_credibility or "").strip()
    if credibility and credibility not in CredibilityChoices.values():
        errors["information_credibility"] = [_("Information credibility is graded 1 to 6.")]
    tlp = str(data.tlp or "").strip().lower()
    if tlp not in TlpChoices.values():
        errors["tlp"] = [_("Choose a TLP marking.")]
    rel = _rel(actor, data.releasability, errors)
    counterpart_code = str(data.counterpart or "").strip().lower()
    tier = str(data.tier or "").strip()
    wanted = None
    if "tlp" not in errors and "releasability" not in errors:
        wanted = _tier_audience(
            actor,
            originator=originator,
            tier=tier,
            counterpart=counterpart_code,
            rel=rel,
            tlp=tlp,
            errors=errors,
        )
    links = _links(actor, list(data.links), errors)
    external_id = _text(
        data.external_id, EXTERNAL_ID_MAX_CHARS, "external_id", errors, required=False
    )
    if errors or wanted is None:
        raise ValidationFailed(errors or {"tier": [_("Choose an audience.")]})
    return _Checked(
        title=title,
        body=body,
        geometry=geometry,
        observed_at=observed_at,
        reliability=reliability,
        credibility=credibility,
        tier=tier,
        counterpart=_party(counterpart_code) if counterpart_code else None,
        rel=rel,
        orcon=bool(data.originator_control),
        tlp=tlp,
        audience=wanted,
        links=links,
        external_id=external_id,
        created_at=created_at,
    )


# --- writing -----------------------------------------------------------------------------------


def _item_subject(item: Item) -> dict[str, str]:
    return subject("sharing.item", item.public_id, item.reference)


def _summary(item: Item) -> dict[str, Any]:
    """What a record entry says of an item: its markings, and only the fields it carries."""
    data: dict[str, Any] = {
        "item": item.reference,
        "tier": item.tier,
        "tlp": item.tlp,
        "releasability": audiences.decode(item.releasability),
        "originator_control": item.originator_control,
        "title": item.title,
    }
    if item.source_reliability or item.information_credibility:
        data["grades"] = f"{item.source_reliability}{item.information_credibility}"
    if item.redacted_fields:
        data["redacted"] = list(item.redacted_fields)
    return data


def _deliver(item: Item, entry: Entry, event: str, codes: Sequence[str]) -> None:
    """Webhook news of an item for ``codes`` (a subset of its audience) only."""
    if not codes:
        return
    queue_delivery(
        subject_type="sharing.item",
        subject_id=entry.hash,
        event_type=event,
        payload={"item": str(item.public_id), "reference": item.reference, "tier": item.tier},
        audience=list(codes),
        at=timezone.now(),
    )


def _save_item(
    actor: Actor,
    checked: _Checked,
    *,
    originator_id: int,
    tearline_of: Item | None = None,
    redaction_of: Item | None = None,
    redacted: Sequence[str] = (),
) -> Item:
    now = timezone.now()
    item = Item(
        reference=new_reference("SHR"),
        originator_id=originator_id,
        created_by=actor.user,
        created_at=checked.created_at or now,
        updated_at=now,
        title=checked.title,
        body=checked.body,
        geometry=json.dumps(checked.geometry, sort_keys=True) if checked.geometry else "",
        observed_at=checked.observed_at,
        source_reliability=checked.reliability,
        information_credibility=checked.credibility,
        tier=checked.tier,
        counterpart=checked.counterpart,
        releasability=_encode_rel(checked.rel),
        originator_control=checked.orcon,
        tlp=checked.tlp,
        audience=audiences.encode(checked.audience),
        tearline_of=tearline_of,
        redaction_of=redaction_of,
        redacted_fields=list(redacted),
        external_id=checked.external_id,
    )
    if checked.geometry:
        point = shape(checked.geometry).representative_point()
        item.lon, item.lat = round(point.x, 6), round(point.y, 6)
    item.save()
    ItemLink.objects.bulk_create(
        [ItemLink(item=item, kind=kind, target=target) for kind, target in checked.links]
    )
    entry = append_event(
        actor=actor,
        event_type=events.ITEM_CREATED,
        data=_summary(item),
        subjects=[_item_subject(item)],
        audience=checked.audience,
    )
    _deliver(item, entry, events.ITEM_CREATED.code, checked.audience)
    return item


@transaction.atomic
def create_item(*, actor: Actor, data: ItemInput) -> Item:
    """Share a new item from validated fields for the chosen audience (the originator is
    the actor's party; the STIX import calls this too)."""
    _require_originating_member(actor)
    checked = check_item(actor, data)
    assert actor.party_id is not None
    return _save_item(actor, checked, originator_id=actor.party_id)


def add_attachment(*, actor: Actor, item: Item, upload: IO[bytes], filename: str) -> Attachment:
    """Attach a file to an item of the actor's party, under the evidence rules
    (size, type from content, scrubbed copy, hashes); stored before the transaction."""
    sel.get_item(actor, item.public_id)
    _require_originator(actor, item)
    sealed = seal_upload(upload)
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    clean = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*')[:200] or "file"
    with transaction.atomic():
        locked = sel.get_item_for_update(actor, item.public_id)
        existing: Attachment | None = Attachment.objects.filter(
            item=locked, sha256=sealed.sha256
        ).first()
        if existing is not None:
            return existing
        attachment = Attachment.objects.create(
            item=locked,
            sha256=sealed.sha256,
            size=sealed.size,
            content_type=sealed.content_type,
            filename=clean,
            copy_sha256=sealed.copy_sha256,
            copy_size=sealed.copy_size,
            uploaded_by=actor.user,
        )
        append_event(
            actor=actor,
            event_type=events.ATTACHMENT_ADDED,
            data={
                "item": locked.reference,
                "original": {"sha256": sealed.sha256, "size": sealed.size},
                "released": {
                    "sha256": sealed.copy_sha256,
                    "size": sealed.copy_size,
                    "content_type": sealed.content_type,
                    "derived_from": sealed.sha256,
                },
            },
            subjects=[_item_subject(locked)],
            audience=locked.audience_codes,
        )
    return attachment


def _derived(
    actor: Actor,
    source: Item,
    data: ItemInput,
    *,
    event: Any,
    tearline: bool,
    redacted: Sequence[str] = (),
) -> Item:
    """A tearline part or a redacted version of ``source``, with its own audience (not
    public: that needs every party's consent, requested afterwards)."""
    if data.tier == TierChoices.PUBLIC:
        raise ValidationFailed(
            {"tier": [_("Release to the public is asked for once every party reads the item.")]}
        )
    checked = check_item(actor, data, originator=source.originator.code)
    item = _save_item(
        actor,
        checked,
        originator_id=source.originator_id,
        tearline_of=source if tearline else None,
        redaction_of=None if tearline else source,
        redacted=redacted,
    )
    # The link between the two is told to the source's audience only: the wider one
    # reads the new item without learning of what it came from.
    append_event(
        actor=actor,
        event_type=event,
        data={
            "source": source.reference,
            "item": item.reference,
            **({"redacted": list(redacted)} if not tearline else {}),
        },
        subjects=[_item_subject(source), _item_subject(item)],
        audience=source.audience_codes,
    )
    return item


@transaction.atomic
def make_tearline(*, actor: Actor, item: Item, below: ItemInput) -> Item:
    """Release the part of a product below its tearline as an item of its own; the
    product above the line keeps its audience (only the originator's people)."""
    source = sel.get_item_for_update(actor, item.public_id)
    _require_originator(actor, source)
    if source.tearline_of_id is not None or source.redaction_of_id is not None:
        raise ValidationFailed({"": [_("A tearline is drawn on an original product only.")]})
    return _derived(actor, source, below, event=events.TEARLINE_MADE, tearline=True)


@transaction.atomic
def create_with_tearline(
    *, actor: Actor, product: ItemInput, below: ItemInput
) -> tuple[Item, Item]:
    """Write a product and its releasable part below the tearline in one step."""
    _require_originating_member(actor)
    errors: dict[str, list[str]] = {}
    checked = None
    try:
        checked = check_item(actor, product)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        check_item(actor, below)
    except ValidationFailed as exc:
        errors.update({f"below_{k}" if k else "below": v for k, v in exc.fields.items()})
    if errors or checked is None:
        raise ValidationFailed(errors)
    assert actor.party_id is not None
    top = _save_item(actor, checked, originator_id=actor.party_id)
    part = _derived(actor, top, below, event=events.TEARLINE_MADE, tearline=True)
    return top, part


@transaction.atomic
def redact_item(
    *,
    actor: Actor,
    item: Item,
    remove: Iterable[str],
    tier: str,
    tlp: str,
    counterpart: str = "",
    releasability: Sequence[str] | None = None,
    title: str = "",
    body: str | None = None,
) -> Item:
    """A redacted version of an item for a wider audience, as an item of its own: the
    fields in ``remove`` are absent from its row, its record entries and its API (only
    their names are kept). ``body`` may give a new text when ``body`` is removed."""
    source = sel.get_item_for_update(actor, item.public_id)
    _require_originator(actor, source)
    removed = sorted({str(f) for f in remove})
    errors: dict[str, list[str]] = {}
    unknown = [f for f in removed if f not in REDACTABLE_FIELDS]
    if unknown or not removed:
        errors["remove"] = [_("Choose the fields to leave out.")]
    if body and "body" not in removed:
        errors["body"] = [_("A new text replaces the text left out.")]
    if errors:
        raise ValidationFailed(errors)
    keep = set(REDACTABLE_FIELDS) - set(removed)
    geometry = json.loads(source.geometry) if "place" in keep and source.geometry else None
    data = ItemInput(
        title=title or source.title,
        body=(body or "") if "body" in removed else source.body,
        geometry=geometry,
        observed_at=source.observed_at if "time" in keep else None,
        source_reliability=source.source_reliability if "grades" in keep else "",
        information_credibility=source.information_credibility if "grades" in keep else "",
        tier=tier,
        tlp=tlp,
        counterpart=counterpart,
        releasability=(
            list(releasability)
            if releasability is not None
            else audiences.decode(source.releasability)
        ),
        originator_control=source.originator_control,
        links=[(link.kind, link.target) for link in source.links.all()] if "links" in keep else [],
    )
    redacted = _derived(
        actor, source, data, event=events.REDACTED, tearline=False, redacted=removed
    )
    if "attachments" in keep:
        Attachment.objects.bulk_create(
            [
                Attachment(
                    item=redacted,
                    sha256=a.sha256,
                    size=a.size,
                    content_type=a.content_type,
                    filename=a.filename,
                    copy_sha256=a.copy_sha256,
                    copy_size=a.copy_size,
                    uploaded_by=a.uploaded_by,
                    uploaded_at=a.uploaded_at,
                )
                for a in source.attachments.all()
            ]
        )
    return redacted


# --- consent, widening, narrowing -------------------------------------------------------------


def _consenters(actor: Actor, item: Item, action: str) -> list[str]:
    if action == ConsentAction.PUBLISH:
        known = sel.arrangement_parties(actor)
        return audiences.normalise(
            [item.originator.code, *(c for c, k in known if k in _ALL_PARTIES_KINDS)]
        )
    return [item.originator.code]


def _apply(
    actor: Actor,
    item: Item,
    tier: str,
    counterpart: Any,
    codes: list[str],
    *,
    consent: ConsentRequest | None,
    widened: bool,
) -> AudienceChange:
    before = item.audience
    before_tier = item.tier
    item.tier = tier
    item.counterpart = counterpart
    item.audience = audiences.encode(codes)
    item.updated_at = timezone.now()
    item.save(update_fields=["tier", "counterpart", "audience", "updated_at"])
    change = AudienceChange.objects.create(
        item=item,
        from_tier=before_tier,
        to_tier=tier,
        from_audience=before,
        to_audience=item.audience,
        consent=consent,
        changed_by=actor.user,
    )
    event = events.AUDIENCE_WIDENED if widened else events.AUDIENCE_NARROWED
    entry = append_event(
        actor=actor,
        event_type=event,
        data={
            "item": item.reference,
            "from": before_tier,
            "to": tier,
            "consent": str(consent.public_id) if consent else None,
        },
        subjects=[_item_subject(item)],
        audience=codes,
    )
    change.entry_hash = entry.hash
    change.save(update_fields=["entry_hash"])
    if widened:
        old = set(audiences.decode(before))
        new = [c for c in codes if c not in old] if audiences.ALL_MEMBERS not in codes else codes
        _deliver(item, entry, event.code, new)
    return change


@transaction.atomic
def request_widening(
    *, actor: Actor, item: Item, to_tier: str, counterpart: str = "", reason: str = ""
) -> ConsentRequest:
    """Ask to widen an item's audience. The originator's own request is its consent;
    anyone else's waits in the originator's inbox (refused outright under originator
    control); release to the public waits for every party's consent as well."""
    locked = sel.get_item_for_update(actor, item.public_id)
    _require_originating_member(actor)
    own = _is_originator(actor, locked)
    if locked.originator_control and not own:
        raise PermissionDenied(
            _("Originator control: only the originator may disseminate this item further.")
        )
    errors: dict[str, list[str]] = {}
    reason = _text(reason, REASON_MAX_CHARS, "reason", errors, required=False)
    if to_tier not in TierChoices.values() or TierChoices.rank(to_tier) <= TierChoices.rank(
        locked.tier
    ):
        errors["to_tier"] = [_("Choose a wider audience than the item has.")]
        raise ValidationFailed(errors)
    if to_tier == TierChoices.PUBLIC and locked.tier != TierChoices.PARTIES:
        errors["to_tier"] = [_("An item is released to the public only once every party reads it.")]
    wanted = _tier_audience(
        actor,
        originator=locked.originator.code,
        tier=to_tier,
        counterpart=str(counterpart or "").strip().lower(),
        rel=audiences.decode(locked.releasability),
        tlp=locked.tlp,
        errors=errors,
    )
    if errors or wanted is None:
        raise ValidationFailed(errors)
    if ConsentRequest.objects.filter(item=locked, state=ConsentState.PENDING).exists():
        raise Conflict(_("A request to widen this item already waits for consent."))
    action = ConsentAction.PUBLISH if to_tier == TierChoices.PUBLIC else ConsentAction.WIDEN
    assert actor.party_id is not None
    request = ConsentRequest.objects.create(
        item=locked,
        action=action,
        from_tier=locked.tier,
        to_tier=to_tier,
        counterpart=_party(str(counterpart).strip().lower()) if counterpart else None,
        reason=reason,
        consenters=audiences.encode(_consenters(actor, locked, action)),
        requested_by=actor.user,
        requested_by_party_id=actor.party_id,
    )
    append_event(
        actor=actor,
        event_type=events.CONSENT_REQUESTED,
        data={
            "item": locked.reference,
            "request": str(request.public_id),
            "from": locked.tier,
            "to": to_tier,
            "consenters": audiences.decode(request.consenters),
        },
        subjects=[_item_subject(locked)],
        audience=locked.audience_codes,
    )
    if own:
        _decide(actor, locked, request, granted=True, note="")
    return request


def _decide(
    actor: Actor, item: Item, request: ConsentRequest, *, granted: bool, note: str
) -> ConsentDecision:
    assert actor.party_id is not None
    decision = ConsentDecision.objects.create(
        request=request, party_id=actor.party_id, granted=granted, note=note, decided_by=actor.user
    )
    entry = append_event(
        actor=actor,
        event_type=events.CONSENT_DECIDED,
        data={
            "item": item.reference,
            "request": str(request.public_id),
            "granted": granted,
            "note": note,
        },
        subjects=[_item_subject(item)],
        audience=item.audience_codes,
    )
    decision.entry_hash = entry.hash
    decision.save(update_fields=["entry_hash"])
    if not granted:
        request.state = ConsentState.REFUSED
        request.settled_at = timezone.now()
        request.save(update_fields=["state", "settled_at"])
        return decision
    needed = set(audiences.decode(request.consenters))
    given = set(request.decisions.filter(granted=True).values_list("party__code", flat=True))
    if needed <= given:
        errors: dict[str, list[str]] = {}
        codes = _tier_audience(
            actor,
            originator=item.originator.code,
            tier=request.to_tier,
            counterpart=request.counterpart.code if request.counterpart else "",
            rel=audiences.decode(item.releasability),
            tlp=item.tlp,
            errors=errors,
        )
        if codes is None:  # the marking changed since: the consent cannot be used
            raise ValidationFailed(errors)
        request.state = ConsentState.GRANTED
        request.settled_at = timezone.now()
        request.save(update_fields=["state", "settled_at"])
        _apply(
            actor, item, request.to_tier, request.counterpart, codes, consent=request, widened=True
        )
    return decision


@transaction.atomic
def decide_consent(
    *, actor: Actor, request: ConsentRequest, granted: bool, note: str = ""
) -> ConsentDecision:
    """Give or refuse the actor's party's consent to a pending request (its principal or
    liaison officer); the last consent needed widens the item at once."""
    seen = sel.get_consent_request(actor, request.public_id)
    item = sel.get_item_for_update(actor, seen.item.public_id)
    found: ConsentRequest = ConsentRequest.objects.select_for_update(no_key=True).get(pk=seen.pk)
    code = actor.party_code
    if not code or actor.party_id is None or code not in audiences.decode(found.consenters):
        raise PermissionDenied(_("Your party's consent is not asked for."))
    if not any(actor.has_role(r) for r in _DECIDER_ROLES) or actor.system:
        raise PermissionDenied(_("Consent is given by a principal or a liaison officer."))
    if found.state != ConsentState.PENDING:
        raise Conflict(_("This request is no longer waiting for consent."))
    if found.decisions.filter(party_id=actor.party_id).exists():
        raise Conflict(_("Your party has already answered."))
    errors: dict[str, list[str]] = {}
    note = _text(note, REASON_MAX_CHARS, "note", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    return _decide(actor, item, found, granted=bool(granted), note=note)


@transaction.atomic
def withdraw_request(*, actor: Actor, request: ConsentRequest) -> ConsentRequest:
    """The requesting party withdraws a pending request."""
    seen = sel.get_consent_request(actor, request.public_id)
    item = sel.get_item_for_update(actor, seen.item.public_id)
    found: ConsentRequest = ConsentRequest.objects.select_for_update(no_key=True).get(pk=seen.pk)
    if actor.system or actor.party_id != found.requested_by_party_id:
        raise PermissionDenied(_("Only the requesting party may withdraw its request."))
    if found.state != ConsentState.PENDING:
        raise Conflict(_("This request is no longer waiting for consent."))
    found.state = ConsentState.WITHDRAWN
    found.settled_at = timezone.now()
    found.save(update_fields=["state", "settled_at"])
    append_event(
        actor=actor,
        event_type=events.CONSENT_WITHDRAWN,
        data={"item": item.reference, "request": str(found.public_id)},
        subjects=[_item_subject(item)],
        audience=item.audience_codes,
    )
    return found


@transaction.atomic
def narrow_item(*, actor: Actor, item: Item, to_tier: str, counterpart: str = "") -> AudienceChange:
    """The originator narrows an item's audience: recorded; those left out keep what
    they saw, but nothing more reaches them, and pending requests are withdrawn."""
    locked = sel.get_item_for_update(actor, item.public_id)
    _require_originator(actor, locked)
    errors: dict[str, list[str]] = {}
    if to_tier not in TierChoices.values() or TierChoices.rank(to_tier) >= TierChoices.rank(
        locked.tier
    ):
        errors["to_tier"] = [_("Choose a narrower audience than the item has.")]
        raise ValidationFailed(errors)
    code = str(counterpart or "").strip().lower()
    wanted = _tier_audience(
        actor,
        originator=locked.originator.code,
        tier=to_tier,
        counterpart=code,
        rel=audiences.decode(locked.releasability),
        tlp=locked.tlp,
        errors=errors,
    )
    if errors or wanted is None:
        raise ValidationFailed(errors)
    pending = list(
        ConsentRequest.objects.select_for_update(no_key=True).filter(
            item=locked, state=ConsentState.PENDING
        )
    )
    for request in pending:
        request.state = ConsentState.WITHDRAWN
        request.settled_at = timezone.now()
        request.save(update_fields=["state", "settled_at"])
    return _apply(
        actor, locked, to_tier, _party(code) if code else None, wanted, consent=None, widened=False
    )


@transaction.atomic
def set_releasability(
    *, actor: Actor, item: Item, releasability: Sequence[str], originator_control: bool
) -> Item:
    """The originator changes the REL marking or originator control; a marking narrower
    than the current audience is refused (narrow the audience first)."""
    locked = sel.get_item_for_update(actor, item.public_id)
    _require_originator(actor, locked)
    errors: dict[str, list[str]] = {}
    rel = _rel(actor, releasability, errors)
    if not errors:
        _tier_audience(
            actor,
            originator=locked.originator.code,
            tier=locked.tier,
            counterpart=locked.counterpart.code if locked.counterpart else "",
            rel=rel,
            tlp=locked.tlp,
            errors=errors,
        )
        if errors:
            errors = {
                "releasability": [
                    _("The item is already read beyond that marking: narrow its audience first.")
                ]
            }
    if errors:
        raise ValidationFailed(errors)
    locked.releasability = _encode_rel(rel)
    locked.originator_control = bool(originator_control)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["releasability", "originator_control", "updated_at"])
    append_event(
        actor=actor,
        event_type=events.RELEASABILITY_SET,
        data={
            "item": locked.reference,
            "releasability": rel,
            "originator_control": locked.originator_control,
        },
        subjects=[_item_subject(locked)],
        audience=locked.audience_codes,
    )
    return locked


def log_access(*, actor: Actor, item: Item, surface: str) -> None:
    """Note that the actor opened an item they may read (operational: not recorded; the
    originator's people read it on the access log page). The console is not logged."""
    if actor.system or actor.user is None or surface not in Surface.values():
        return
    AccessLog.objects.create(
        item=item,
        user=actor.user,
        party_id=actor.party_id,
        reader=actor.name,
        surface=surface,
    )
