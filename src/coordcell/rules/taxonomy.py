"""Our incident kinds: a closed vocabulary, the activities each implies, and the source mappings.

An incident kind says *what happened* (an exchange of fire, a strike from the air, a new
fortified post), never *who did it*: the names describe acts, not actors, so that the same
code serves a report from either party, from UNDOF or from an open-source data set.

Each kind carries two sets of activities, in the codes of
``vocabulary.PROHIBITED_ACTIVITIES``:

- ``activities(kind)``: what the act implies wherever it is reported (an armed clash is
  fire and the presence of armed forces at the place);
- ``possible_activities(kind)``: what the act is consistent with but the report alone does
  not establish (a shelling *may* come from a gun whose range exceeds a zone's cap).

The engine matches prohibition clauses against the first set and may flag the second as
"to verify"; neither set says who is responsible.

The mappings from ACLED (event type, sub-event type) and from UCDP ``type_of_violence`` are
documented, with their reasoning and what each loses, in ``docs/taxonomy.md``. Every ACLED
pair of ``acled_schema.json`` is mapped (a test checks it against the schema file).

Labels are English, marked for translation with a local ``gettext_noop`` (Django's
``makemessages`` extracts that name); the Django layer translates them with ``gettext``.
Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from coordcell.rules.vocabulary import PROHIBITED_ACTIVITIES

__all__ = [
    "ACLED_MAPPING",
    "KINDS",
    "UCDP_MAPPING",
    "KindSpec",
    "UnknownEventType",
    "UnknownKind",
    "activities",
    "from_acled",
    "from_ucdp",
    "is_kind",
    "label",
    "possible_activities",
]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (Django's makemessages finds it)."""
    return message


class UnknownKind(ValueError):
    """A code that is not one of ``KINDS``."""


class UnknownEventType(ValueError):
    """A source event type (ACLED pair, UCDP type_of_violence) that has no mapping."""


@dataclass(frozen=True)
class KindSpec:
    """One incident kind: its code, English label and the activities it implies."""

    code: str
    label: str
    activities: frozenset[str]
    possible_activities: frozenset[str] = frozenset()


def _spec(
    code: str, label_: str, implies: tuple[str, ...] = (), may_imply: tuple[str, ...] = ()
) -> KindSpec:
    return KindSpec(code, label_, frozenset(implies), frozenset(may_imply))


_SPECS: tuple[KindSpec, ...] = (
    # Use of force
    _spec("armed_clash", gettext_noop("Armed clash"), ("fire", "military_presence")),
    _spec(
        "territory_change",
        gettext_noop("Armed takeover of territory"),
        ("fire", "military_presence"),
    ),
    _spec(
        "shelling_artillery",
        gettext_noop("Shelling, artillery or missile fire"),
        ("fire",),
        ("artillery_over_range",),
    ),
    _spec("air_or_drone_strike", gettext_noop("Air or drone strike"), ("fire", "overflight")),
    _spec("chemical_weapon", gettext_noop("Use of a chemical weapon"), ("fire",)),
    _spec(
        "remote_explosive",
        gettext_noop("Remote explosive, landmine or IED"),
        ("fire",),
        ("fortification", "military_presence"),
    ),
    _spec(
        "explosive_attack",
        gettext_noop("Suicide bombing or grenade attack"),
        ("fire",),
    ),
    _spec("attack_on_civilians", gettext_noop("Attack on civilians"), ("fire",)),
    _spec(
        "abduction",
        gettext_noop("Abduction or forced disappearance"),
        (),
        ("military_presence",),
    ),
    _spec("sexual_violence", gettext_noop("Sexual violence"), (), ("military_presence",)),
    # Military posture (mostly from liaison reports, monitors and sensors)
    _spec("overflight", gettext_noop("Overflight"), ("overflight",)),
    _spec("military_presence", gettext_noop("Military presence"), ("military_presence",)),
    _spec("troop_movement", gettext_noop("Troop or vehicle movement"), ("military_presence",)),
    _spec(
        "fortification",
        gettext_noop("Fortification (new post, trench, base)"),
        ("fortification", "military_presence"),
    ),
    _spec(
        "military_observation",
        gettext_noop("Military observation"),
        ("military_observation",),
        ("military_presence",),
    ),
    _spec(
        "sam_deployment",
        gettext_noop("Surface-to-air missile deployment"),
        ("surface_to_air_missiles", "military_presence"),
    ),
    _spec(
        "weapons_use_disrupted",
        gettext_noop("Weapons use disrupted (interception, defusal, seizure)"),
        (),
        ("surface_to_air_missiles", "military_presence"),
    ),
    # Civil unrest and other developments
    _spec("protest", gettext_noop("Protest")),
    _spec(
        "force_against_protesters",
        gettext_noop("Force used against protesters"),
        (),
        ("fire",),
    ),
    _spec("riot", gettext_noop("Riot or mob violence")),
    _spec("arrest", gettext_noop("Arrest"), (), ("military_presence",)),
    _spec("looting_destruction", gettext_noop("Looting or destruction of property")),
    _spec(
        "non_violent_transfer",
        gettext_noop("Non-violent transfer of territory"),
        (),
        ("military_presence",),
    ),
    _spec("agreement", gettext_noop("Agreement")),
    _spec("other", gettext_noop("Other")),
)

_BY_CODE: Mapping[str, KindSpec] = MappingProxyType({s.code: s for s in _SPECS})

#: Every incident kind, in display order.
KINDS: tuple[str, ...] = tuple(s.code for s in _SPECS)


def _check_specs() -> None:
    """Fail at import when the table names an activity the clauses cannot prohibit."""
    known = set(PROHIBITED_ACTIVITIES)
    for spec in _SPECS:
        unknown = (spec.activities | spec.possible_activities) - known
        if unknown:  # pragma: no cover - a programming error caught by the first test run
            raise RuntimeError(f"kind {spec.code!r} names unknown activities {sorted(unknown)}")
        if spec.activities & spec.possible_activities:  # pragma: no cover
            raise RuntimeError(f"kind {spec.code!r} lists an activity as both sure and possible")
    if len(_BY_CODE) != len(_SPECS):  # pragma: no cover
        raise RuntimeError("duplicate incident kind code")


_check_specs()


def _get(kind: str) -> KindSpec:
    try:
        return _BY_CODE[kind]
    except KeyError:
        raise UnknownKind(
            f"unknown incident kind {kind!r} (known kinds: {', '.join(KINDS)})"
        ) from None


def is_kind(kind: str) -> bool:
    """Whether ``kind`` is one of ``KINDS``."""
    return kind in _BY_CODE


def label(kind: str) -> str:
    """The English label of ``kind`` (marked for translation). Raises ``UnknownKind``."""
    return _get(kind).label


def activities(kind: str) -> frozenset[str]:
    """The activities ``kind`` implies wherever it is reported. Raises ``UnknownKind``."""
    return _get(kind).activities


def possible_activities(kind: str) -> frozenset[str]:
    """Activities ``kind`` is consistent with but does not establish (disjoint from the above)."""
    return _get(kind).possible_activities


# --------------------------------------------------------------------------------------------
# ACLED: (event_type, sub_event_type) -> kind. All 6 types and 25 sub-types of the export.
# The reasoning for each line is in docs/taxonomy.md.

ACLED_MAPPING: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("Battles", "Armed clash"): "armed_clash",
        ("Battles", "Government regains territory"): "territory_change",
        ("Battles", "Non-state actor overtakes territory"): "territory_change",
        ("Explosions/Remote violence", "Chemical weapon"): "chemical_weapon",
        ("Explosions/Remote violence", "Air/drone strike"): "air_or_drone_strike",
        ("Explosions/Remote violence", "Suicide bomb"): "explosive_attack",
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"): "shelling_artillery",
        ("Explosions/Remote violence", "Remote explosive/landmine/IED"): "remote_explosive",
        ("Explosions/Remote violence", "Grenade"): "explosive_attack",
        ("Protests", "Peaceful protest"): "protest",
        ("Protests", "Protest with intervention"): "protest",
        ("Protests", "Excessive force against protesters"): "force_against_protesters",
        ("Riots", "Violent demonstration"): "riot",
        ("Riots", "Mob violence"): "riot",
        ("Strategic developments", "Agreement"): "agreement",
        ("Strategic developments", "Arrests"): "arrest",
        ("Strategic developments", "Change to group/activity"): "other",
        ("Strategic developments", "Disrupted weapons use"): "weapons_use_disrupted",
        ("Strategic developments", "Headquarters or base established"): "fortification",
        ("Strategic developments", "Looting/property destruction"): "looting_destruction",
        ("Strategic developments", "Non-violent transfer of territory"): "non_violent_transfer",
        ("Strategic developments", "Other"): "other",
        ("Violence against civilians", "Sexual violence"): "sexual_violence",
        ("Violence against civilians", "Attack"): "attack_on_civilians",
        ("Violence against civilians", "Abduction/forced disappearance"): "abduction",
    }
)


def _fold(text: str) -> str:
    """Case and spacing do not matter: exports differ in both ("Air/drone strike " etc.)."""
    return " ".join(text.split()).casefold()


_ACLED_FOLDED: Mapping[tuple[str, str], str] = MappingProxyType(
    {(_fold(t), _fold(s)): kind for (t, s), kind in ACLED_MAPPING.items()}
)
_ACLED_TYPES: Mapping[str, str] = MappingProxyType({_fold(t): t for t, _ in ACLED_MAPPING})


def from_acled(event_type: str, sub_event_type: str) -> str:
    """The kind of an ACLED event. Raises ``UnknownEventType`` naming the pair."""
    kind = _ACLED_FOLDED.get((_fold(event_type), _fold(sub_event_type)))
    if kind is not None:
        return kind
    canonical = _ACLED_TYPES.get(_fold(event_type))
    if canonical is None:
        raise UnknownEventType(
            f"unknown ACLED event type {event_type!r} / sub-event {sub_event_type!r} "
            f"(event types: {', '.join(sorted(_ACLED_TYPES.values()))})"
        )
    subs = sorted(s for t, s in ACLED_MAPPING if t == canonical)
    raise UnknownEventType(
        f"unknown ACLED sub-event type {sub_event_type!r} for event type {canonical!r} "
        f"(known: {', '.join(subs)})"
    )


# --------------------------------------------------------------------------------------------
# UCDP GED: type_of_violence -> kind. UCDP codes who fought, not how: see docs/taxonomy.md.

UCDP_MAPPING: Mapping[int, str] = MappingProxyType(
    {
        1: "armed_clash",  # state-based conflict
        2: "armed_clash",  # non-state conflict
        3: "attack_on_civilians",  # one-sided violence
    }
)


def from_ucdp(type_of_violence: int) -> str:
    """The kind of a UCDP GED event. Raises ``UnknownEventType`` naming the code."""
    kind = UCDP_MAPPING.get(type_of_violence)
    if kind is None or isinstance(type_of_violence, bool):
        raise UnknownEventType(
            f"unknown UCDP type_of_violence {type_of_violence!r} "
            "(known: 1 state-based, 2 non-state, 3 one-sided)"
        )
    return kind
