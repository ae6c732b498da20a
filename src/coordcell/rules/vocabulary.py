"""The platform's fixed vocabularies, as plain codes.

The Django apps attach translatable labels to these codes (``parties/choices.py``);
the pure rules and the scenario validator only need the codes themselves, so they
live here where nothing imports Django.
"""

from __future__ import annotations

__all__ = [
    "ACCESS_ANSWERS",
    "ACCESS_PURPOSES",
    "ACCESS_REQUESTERS",
    "AGE_BANDS",
    "CASUALTY_CATEGORIES",
    "CASUALTY_OUTCOMES",
    "CLAUSE_KINDS",
    "CLAUSE_STATUSES",
    "COMMITMENT_KINDS",
    "CONFIRMATION_RESULTS",
    "FORCE_KINDS",
    "HOTLINE_CHANNELS",
    "LAND_USES",
    "LANGUAGES",
    "LIMIT_KEYS",
    "LINE_SIDES",
    "PARTY_KINDS",
    "PROHIBITED_ACTIVITIES",
    "PROPERTY_KINDS",
    "PROTOCOL_SERVES",
    "ROLES",
    "SEX_BANDS",
    "TIME_PRECISIONS",
    "WARNING_OUTCOMES",
    "ZONE_FILLS",
    "ZONE_KINDS",
    "ZONE_LINES",
]

#: What a protocol serves: the exchanges whose deadlines and ladder it sets. The cell
#: lodges complaints on the protocol that serves ``complaints`` and times hotline calls
#: (and the complaints they become) on the one that serves ``hotline``.
PROTOCOL_SERVES: tuple[str, ...] = ("complaints", "hotline")

#: Interface languages; every translatable name in a scenario carries these keys.
LANGUAGES: tuple[str, ...] = ("en", "ar", "he")

#: What a party is to the cell. No kind is privileged in the data model.
PARTY_KINDS: tuple[str, ...] = ("party", "mediator", "monitor", "donor", "observer")

#: What a person does for their delegation.
ROLES: tuple[str, ...] = (
    "principal",
    "liaison_officer",
    "analyst",
    "monitor",
    "donor_representative",
    "observer",
    "cell_administrator",
)

#: Geometry kinds of a zone.
ZONE_KINDS: tuple[str, ...] = ("line", "area")

#: How a zone's outline is drawn on the map (``style.line``).
ZONE_LINES: tuple[str, ...] = ("solid", "dashed", "dotted")

#: How an area zone is filled on the map (``style.fill``): ``hatched`` marks, e.g., an area
#: whose delineation is disputed.
ZONE_FILLS: tuple[str, ...] = ("solid", "hatched", "none")

#: What a clause does.
CLAUSE_KINDS: tuple[str, ...] = (
    "prohibition",  # activities prohibited in zones
    "limit",  # caps on forces and equipment in zones
    "freeze",  # positions frozen at a baseline date
    "withdrawal",  # withdrawal from positions taken after a date
    "economic_zone",  # the demilitarised economic zone
    "inspection",  # verification duties
    "general",  # anything else the arrangement says (ceasefire, status)
)

#: Whether the parties hold a clause to apply. This is data the scenario states; the
#: engine never decides it. Findings under a clause that is not ``agreed`` are labelled
#: and kept apart, and no severity is computed from them.
CLAUSE_STATUSES: tuple[str, ...] = (
    "agreed",  # the parties the clause binds are not reported to dispute it
    "disputed",  # reference text whose applicability the parties in ``disputed_by`` dispute
    "illustrative",  # terms the scenario set itself (no agreed or reported wording)
)

#: Sides of a line, by compass: the side a line-crossing clause keeps forces on.
LINE_SIDES: tuple[str, ...] = ("west", "east", "north", "south")

#: Activities a prohibition clause may name: the built-in ones. A scenario may declare
#: more (``[[activities]]``, ``arrangement.ActivitySpec``) on top of these.
PROHIBITED_ACTIVITIES: tuple[str, ...] = (
    "military_presence",
    "fire",
    "overflight",
    "fortification",
    "military_observation",
    "surface_to_air_missiles",
    "artillery_over_range",
    "line_crossing",  # for clauses citing a line: military forces crossing it
)

#: What a force a party fields is (``[[forces]]`` of a scenario): what an exemption from a
#: clause may name beside whole parties.
FORCE_KINDS: tuple[str, ...] = (
    "army",
    "police",
    "internal_security",
    "un_force",
    "armed_group_uncontrolled",
)

#: Keys a limit clause may set, with their meaning. All are non-negative numbers.
LIMIT_KEYS: tuple[str, ...] = (
    "max_personnel",
    "max_brigades",
    "max_tanks",
    "max_artillery_pieces",
    "max_artillery_range_km",
    "max_surface_to_air_missiles",
)

#: How the hotline is activated (``cases.choices.ChannelChoices`` labels them).
HOTLINE_CHANNELS: tuple[str, ...] = ("call", "message", "radio", "in_person")

#: What a hotline message may commit its party to (``cases.exchange_choices``).
COMMITMENT_KINDS: tuple[str, ...] = ("hold_fire", "unit_dispatched", "investigate_report")
#: How a warning ended, as its warner records it (``cases.exchange_choices``).
WARNING_OUTCOMES: tuple[str, ...] = ("acted_in_time", "not_acted", "unilateral_after_window")
#: A monitor's finding on the action a warned party reported (``cases.exchange_choices``).
CONFIRMATION_RESULTS: tuple[str, ...] = ("confirmed", "could_not_confirm")

#: How precisely the time of an incident is known (``incidents.choices.PrecisionChoices``).
TIME_PRECISIONS: tuple[str, ...] = ("minute", "hour", "day", "month")

# --- civilian harm, property and access (issue 18) ----------------------------------
# Fixed vocabularies, not arrangement data: they are counting categories, and two
# parties' figures (and two scenarios' daily reports) compare only when they fall in the
# same cells. The bands follow the humanitarian practice of disaggregating by sex and
# age (children under 18, adults 18–59, older persons 60 and over), with "unknown" a
# cell of its own: a person is counted in exactly one cell, never in "unknown" and a
# band at once (docs/humanitarian.md, "Counting rules").

#: Who was harmed (``incidents.choices.CasualtyCategoryChoices``).
CASUALTY_CATEGORIES: tuple[str, ...] = ("civilian", "military", "unknown")
#: What happened to them.
CASUALTY_OUTCOMES: tuple[str, ...] = ("killed", "injured", "detained")
#: Age bands, where known.
AGE_BANDS: tuple[str, ...] = ("unknown", "child", "adult", "older")
#: Sex, where known.
SEX_BANDS: tuple[str, ...] = ("unknown", "female", "male")
#: What was done to property (``incidents.choices.PropertyKindChoices``).
PROPERTY_KINDS: tuple[str, ...] = ("demolition", "land_clearing", "damage")
#: What the land or the structures were used for.
LAND_USES: tuple[str, ...] = (
    "agricultural",
    "orchard",
    "grazing",
    "residential",
    "public_infrastructure",
    "other",
)
#: Who asks for access to land near the lines (``deconfliction`` access requests).
ACCESS_REQUESTERS: tuple[str, ...] = ("farmer", "shepherd", "resident", "utility_worker")
#: What the access is for.
ACCESS_PURPOSES: tuple[str, ...] = ("cultivation", "harvest", "grazing", "irrigation", "repair")
#: The other party's answer to an access request.
ACCESS_ANSWERS: tuple[str, ...] = ("granted", "granted_escorted", "denied")
