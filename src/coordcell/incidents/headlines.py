"""The headline every reader sees of an incident (and of a complaint about it): generated,
never typed.

A headline is ``kind · place · local time``: the kind by the version's lexicon (else the
taxonomy's or the arrangement's name), the place as the nearest place of the lexicon
within :data:`NEAR_KM` ("near Quneitra"), else the zone the incident falls in, else its
coordinates, and the time it occurred in the arrangement's local time beside UTC. It is
in the reader's language and is otherwise the same for every reader: nothing in it comes
from a party's words. What a party says (its title, its narrative) is that party's
version (``Account``), shown beside the other party's.

Pages, the API, CAP alerts, webhooks and e-mails all call :class:`Headlines`, which reads
each version's names once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for, kind_name
from coordcell.core.timefmt import local_date_text, local_time_html, local_time_text
from coordcell.incidents.choices import PrecisionChoices
from coordcell.rules import lexicon as lexicon_rules
from coordcell.rules import taxonomy, vocabulary

if TYPE_CHECKING:
    from coordcell.incidents.models import Incident

__all__ = ["NEAR_KM", "SEPARATOR", "Headlines", "distance_km", "headline_of", "shared"]

#: A lexicon place names the incident when it is at most this far (km) from its point.
NEAR_KM = 25.0
#: Between the headline's parts, in every language.
SEPARATOR = " · "


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


class Headlines:
    """Headlines of incidents, reading each arrangement version's names once."""

    def __init__(self) -> None:
        self._names: dict[int, dict[str, Any]] = {}

    def _of_version(self, version_id: int) -> dict[str, Any]:
        if version_id not in self._names:
            self._names[version_id] = agreements.headline_names(version_id)
        return self._names[version_id]

    def _kind(self, incident: Incident, names: dict[str, Any], language: str) -> str:
        entry = names["kinds"].get(incident.kind)
        if entry:
            return lexicon_rules.name_in(entry, language, incident.kind)
        if taxonomy.is_kind(incident.kind):
            return _(taxonomy.label(incident.kind))
        return kind_name(incident.kind, engine_for(incident.version))

    def _place(self, incident: Incident, names: dict[str, Any], language: str) -> str:
        near = [
            (distance_km(incident.lon, incident.lat, lon, lat), place)
            for lon, lat, place in names["places"]
        ]
        near = [n for n in near if n[0] <= NEAR_KM]
        if near:
            place = min(near, key=lambda n: n[0])[1]
            return _("near %(place)s") % {"place": lexicon_rules.name_in(place, language)}
        for zone_id in incident.zones:
            zone = names["zones"].get(zone_id)
            if zone:
                return lexicon_rules.name_in(zone, language, zone_id)
        return f"{incident.lat:.3f}, {incident.lon:.3f}"

    def _time(self, incident: Incident, names: dict[str, Any]) -> str:
        zone = names["time_zone"]
        if incident.time_precision in (PrecisionChoices.DAY, PrecisionChoices.MONTH):
            return local_date_text(incident.occurred_from, zone)
        return local_time_text(incident.occurred_from, zone)

    def of(self, incident: Incident, language: str | None = None) -> str:
        """The headline in ``language`` (the active one when None)."""
        language = language or translation.get_language() or "en"
        names = self._of_version(incident.version_id)
        with translation.override(language):
            return SEPARATOR.join(
                (
                    self._kind(incident, names, language),
                    self._place(incident, names, language),
                    self._time(incident, names),
                )
            )

    def html(self, incident: Incident) -> str:
        """The headline in the active language for a page: the time in a ``<time>``
        element (the instant and the zone), like every time the pages show."""
        language = translation.get_language() or "en"
        names = self._of_version(incident.version_id)
        if incident.time_precision in (PrecisionChoices.DAY, PrecisionChoices.MONTH):
            moment = self._time(incident, names)
        else:
            moment = local_time_html(incident.occurred_from, names["time_zone"])
        return format_html(
            "{}{}{}{}{}",
            self._kind(incident, names, language),
            SEPARATOR,
            self._place(incident, names, language),
            SEPARATOR,
            moment,
        )

    def in_every_language(self, incident: Incident) -> dict[str, str]:
        """The headline in each language of the cell (for a webhook's payload)."""
        return {language: self.of(incident, language) for language in vocabulary.LANGUAGES}


def shared(context: Any) -> Headlines:
    """The :class:`Headlines` kept in a serializer's context (one per response, shared by
    the items of a list)."""
    headlines = context.get("headlines")
    if not isinstance(headlines, Headlines):
        headlines = context["headlines"] = Headlines()
    return headlines


def headline_of(incident: Incident, language: str | None = None) -> str:
    """One incident's headline (for a list, keep one :class:`Headlines`)."""
    return Headlines().of(incident, language)
