"""MGRS and the scenario's gazetteer, on every map (the situation map and the lodge form's).

Liaison officers report in MGRS, and latitude/longitude typed under stress is where
2 km errors come from: every map takes an MGRS reference, read on the server
(``rules.mgrs``) and checked against the arrangement's region, and searches the
scenario's places by any of their names (the lexicon's Arabic, Hebrew and English, the
gazetteer's own spellings), ignoring case, accents and Arabic and Hebrew vowel marks.
Numbers stay Latin digits; Arabic-Indic digits typed in a reference are read as such.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.core.models import localized_now
from coordcell.rules.mgrs import MgrsError, parse_mgrs

__all__ = ["fold", "read_mgrs", "search_places"]

#: At most this many places answer one search.
LIMIT = 10
#: The longest query or reference read.
MAX_QUERY = 100

_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_DROP = set("'’‘`ʿʾ-.,")


def fold(text: str) -> str:
    """``text`` for comparison: no case, no accents or vowel marks, one Arabic alef."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_ARABIC))
    kept = (c for c in decomposed if not unicodedata.combining(c) and c not in _DROP)
    return " ".join("".join(kept).split())


_MESSAGES = {
    "empty": lambda: _("Give an MGRS reference, e.g. 37S BT 48392 11135."),
    "format": lambda: _(
        "Not an MGRS reference: give a zone (1-60), a latitude band letter, the two "
        "letters of the 100 km square and 1 to 5 digits each of easting and northing, "
        "e.g. 37S BT 48392 11135."
    ),
    "zone": lambda: _("The UTM zone of an MGRS reference is between 1 and 60."),
    "polar": lambda: _("Polar MGRS references (bands A, B, Y and Z) are not supported."),
    "band": lambda: _("The 100 km square does not lie in that zone and latitude band."),
    "digits": lambda: _(
        "Give the same number of digits (1 to 5) for the easting and the northing."
    ),
    "square": lambda: _("Those two letters name no 100 km square of that zone."),
}


def read_mgrs(text: str, version: ArrangementVersion) -> dict[str, Any]:
    """The square an MGRS reference names, inside the arrangement's region: its centre
    (``lat``, ``lon``, rounded to the reference's precision, at most 6 decimals), its
    south-west corner, its side (``precision_m``) and the uncertainty that covers it
    (half its diagonal, whole metres). :class:`ValidationFailed` otherwise."""
    if len(text) > MAX_QUERY:
        raise ValidationFailed({"ref": [_MESSAGES["format"]()]})
    try:
        point = parse_mgrs(text)
    except MgrsError as exc:
        raise ValidationFailed({"ref": [_MESSAGES.get(exc.code, _MESSAGES["format"])()]}) from exc
    lat, lon = point.centre
    west, south, east, north = version.region_bbox
    if not (west <= lon <= east and south <= lat <= north):
        raise ValidationFailed(
            {"ref": [_("That reference lies outside the arrangement's region.")]}
        )
    return {
        "reference": point.reference,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "corner": [round(point.corner[0], 6), round(point.corner[1], 6)],
        "precision_m": point.precision_m,
        "uncertainty_m": round(point.precision_m * 0.7071) if point.precision_m > 1 else 1,
    }


def search_places(actor: Actor, version: ArrangementVersion, query: str) -> dict[str, Any]:
    """The places of the version (with coordinates) whose names contain ``query``:
    names that start with it first, then by name; each with its name in the reader's
    language and in every language of the lexicon."""
    if len(query) > MAX_QUERY:
        raise ValidationFailed({"q": [_("Search for at most 100 characters.")]})
    wanted = fold(query)
    if not wanted:
        return {"results": []}
    lexicon = agreements.lexicon_section(version.pk, "places")
    found: list[tuple[int, str, dict[str, Any]]] = []
    for feature in agreements.places_feature_collection(actor, version)["features"]:
        if feature["geometry"] is None:
            continue
        props = feature["properties"]
        names = dict(lexicon.get(feature["id"]) or {})
        spellings = [*names.values(), props["source_name"], props["name_local"]]
        folded = [fold(str(n)) for n in spellings if n]
        if not any(wanted in n for n in folded):
            continue
        rank = 0 if any(n.startswith(wanted) for n in folded) else 1
        name = localized_now(names) or props["name"]
        lon, lat = feature["geometry"]["coordinates"]
        found.append(
            (
                rank,
                fold(name),
                {"key": feature["id"], "name": name, "names": names, "lat": lat, "lon": lon},
            )
        )
    found.sort(key=lambda r: (r[0], r[1]))
    return {"results": [r[2] for r in found[:LIMIT]]}
