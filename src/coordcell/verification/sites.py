"""The monitors' checks of a site: military presence found or not (issue 15).

The economic zone (above) ties a tranche to "no military presence at the project's site,
verified by the monitors"; this is the smallest piece verification needed for it. A
monitor records, for a site the caller names (``site_key``) and its geometry, the time of
the check, whether a military presence was found and, when the monitors attribute it,
the party of the arrangement whose forces they were. Read by both parties, the mediators
and the monitors, like every inspection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.parties import selectors as parties
from coordcell.record.services import append_event, subject
from coordcell.verification import events
from coordcell.verification.inspections import (
    MAY_NOT_INSPECT,
    TEXT_MAX_CHARS,
    audience_of,
    may_inspect,
    party_codes,
)
from coordcell.verification.models import SiteCheck

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = ["SITE_KEY_MAX_CHARS", "record_site_check"]

SITE_KEY_MAX_CHARS = 80


@transaction.atomic
def record_site_check(
    *,
    actor: Actor,
    version: ArrangementVersion,
    site_key: str,
    site: Mapping[str, Any],
    checked_at: dt.datetime,
    military_presence: bool,
    party: str = "",
    note: str = "",
) -> SiteCheck:
    """A monitor records its check of a site (geometry already normalised by
    ``rules.geojson_input``): when, whether it found a military presence, and whose
    (a party of the arrangement) when the monitors attribute it."""
    if not may_inspect(actor):
        raise PermissionDenied(MAY_NOT_INSPECT)
    monitor = parties.party_of(actor)
    assert monitor is not None
    errors: dict[str, list[str]] = {}
    key = site_key.strip() if isinstance(site_key, str) else ""
    if not key or len(key) > SITE_KEY_MAX_CHARS:
        errors["site"] = [_("Choose a site.")]
    if not isinstance(site, Mapping) or engine_for(version).locate(site).problems:
        errors["site"] = [_("The site is not a valid geometry inside the arrangement's region.")]
    now = timezone.now()
    if not isinstance(checked_at, dt.datetime) or checked_at.tzinfo is None:
        errors["checked_at"] = [_("Give the time of the check, with its time zone.")]
    elif checked_at > now + dt.timedelta(minutes=5):
        errors["checked_at"] = [_("The check cannot be in the future.")]
    elif checked_at < now - dt.timedelta(days=31):
        errors["checked_at"] = [_("Record a check within 31 days.")]
    if not isinstance(military_presence, bool):
        errors["military_presence"] = [_("Say whether a military presence was found.")]
    if party and party not in party_codes(version):
        errors["party"] = [_("Unknown party.")]
    elif party and not military_presence:
        errors["party"] = [_("A party is named only for a military presence found.")]
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > TEXT_MAX_CHARS:
        errors["note"] = [_("At most %(n)s characters.") % {"n": TEXT_MAX_CHARS}]
    if errors:
        raise ValidationFailed(errors)
    check = SiteCheck.objects.create(
        reference=new_reference("SITE"),
        version=version,
        site_key=key,
        site=dict(site),
        monitor=monitor,
        filed_by=actor.user,
        call_sign=actor.name,
        checked_at=checked_at,
        filed_at=now,
        military_presence=military_presence,
        party=parties.access_party(actor, party) if party else None,
        note=note,
        audience=encode(audience_of(version)),
    )
    append_event(
        actor=actor,
        event_type=events.SITE_CHECKED,
        data={
            "check": check.reference,
            "site": key,
            "monitor": monitor.code,
            "checked_at": checked_at,
            "military_presence": military_presence,
            "party": party or None,
        },
        subjects=[subject("verification.sitecheck", check.public_id, check.reference)],
        audience=check.audience_codes,
    )
    return check
