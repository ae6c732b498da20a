"""The arrangement as plain, immutable data.

These dataclasses are what the scenario reader (``coordcell.rules.scenario``) produces
from a scenario folder and what the loader stores as an arrangement version. The rules
engine takes them as its input. Nothing here imports Django.

Every translatable name is a ``Localized`` mapping with the keys of
``vocabulary.LANGUAGES``; English is the fallback when a language is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coordcell.rules.localtime import DEFAULT_TIME_ZONE, parse_moment
from coordcell.rules.mechanism import DecisionRule, role_of

__all__ = [
    "COUNT_BREAKDOWNS",
    "HUMANITARIAN_STORY_DOINGS",
    "RELEASE_PUBLIC",
    "STORY_DOINGS",
    "ActivitySpec",
    "Arrangement",
    "ClauseSpec",
    "ConfidentialityTier",
    "CountingRulesSpec",
    "DeconflictionSpec",
    "DemoAccountSpec",
    "DemoData",
    "DemoDelegationSpec",
    "DemoIncidentSpec",
    "DemoRemedySpec",
    "DemoSharedItemSpec",
    "DemoStepSpec",
    "ForceSpec",
    "HumanitarianSpec",
    "IncidentKindSpec",
    "LadderStep",
    "Localized",
    "NotifiableActivitySpec",
    "PartySpec",
    "PlaceSpec",
    "PositionKindSpec",
    "PositionsSpec",
    "PrecedenceSpec",
    "ProcedureSpec",
    "ProtocolSpec",
    "ReportsSpec",
    "RoleSpec",
    "SensitiveDaySpec",
    "SourceSpec",
    "StoryDo",
    "WithdrawalStepSpec",
    "ZoneSpec",
    "arrangement_from_content",
    "deconfliction_from_content",
    "humanitarian_from_content",
    "localized",
    "procedure_from_content",
    "withdrawal_steps_from_content",
]

#: A name in each interface language, e.g. ``{"en": "Line A", "ar": "...", "he": "..."}``.
Localized = Mapping[str, str]


def localized(names: Localized, language: str) -> str:
    """Return ``names`` in ``language``, falling back to English, then to any name."""
    base = language.split("-")[0]
    if names.get(base):
        return names[base]
    if names.get("en"):
        return names["en"]
    return next(iter(names.values()), "")


@dataclass(frozen=True)
class SourceSpec:
    """A source of the scenario's data, with the attribution its licence requires."""

    key: str
    title: str
    licence: str
    attribution: str
    url: str = ""


@dataclass(frozen=True)
class PartySpec:
    """A party to the arrangement (or the mediator, a monitor, a donor, an observer).

    ``kind`` is what it is to the arrangement and drives what its members may do;
    ``role`` (``mechanism.ROLES``) is its seat in the mechanism, "" where the scenario
    states none (then ``seat`` is the one its kind implies; ADR 0014)."""

    code: str
    kind: str
    name: Localized
    role: str = ""

    @property
    def seat(self) -> str:
        return role_of(self.kind, self.role)


@dataclass(frozen=True)
class ForceSpec:
    """A force a party fields (its army, its police, a UN force, …): what a clause's
    exemption may name beside whole parties. ``kind`` is one of ``vocabulary.FORCE_KINDS``."""

    id: str
    party: str
    kind: str
    name: Localized
    #: The names ACLED (``actor1``) and UCDP GED (``side_a``) give this force: an import
    #: names the force as having acted only on such an exact name (docs/cases.md).
    acled_actors: tuple[str, ...] = ()
    ucdp_actors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivitySpec:
    """An activity the scenario declares on top of ``vocabulary.PROHIBITED_ACTIVITIES``,
    with its name in each language (the scenario's, not the interface catalogue's) and the
    incident kinds (``taxonomy.KINDS``) whose report implies it."""

    id: str
    name: Localized
    implied_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentKindSpec:
    """An incident kind the scenario declares on top of ``taxonomy.KINDS`` (a weapons
    cache, an arms transfer): its name in each language (the scenario's), the activities
    a report of it implies (``implies``) or is consistent with (``may_imply``), built-in
    or declared, and where the external taxonomies file such events: ACLED (event type,
    sub-event type) pairs and UCDP ``type_of_violence`` codes."""

    id: str
    name: Localized
    implies: tuple[str, ...] = ()
    may_imply: tuple[str, ...] = ()
    acled: tuple[tuple[str, str], ...] = ()
    ucdp: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoleSpec:
    """A role this cell uses, from ``vocabulary.ROLES``, with its display name here."""

    code: str
    name: Localized


@dataclass(frozen=True)
class ZoneSpec:
    """A zone: a line or an area, in WGS84 GeoJSON, with its bounding box.

    ``geometry`` is an RFC 7946 geometry object (lon, lat order). ``bbox`` is
    (min_lon, min_lat, max_lon, max_lat). ``derived`` marks geometry approximated from
    reference data; ``illustrative`` marks geometry the scenario drew because no real
    delineation exists (e.g. the economic zone).
    """

    id: str
    kind: str
    name: Localized
    geometry: Mapping[str, Any]
    bbox: tuple[float, float, float, float]
    description: str = ""
    side: str = ""
    from_km: float | None = None
    to_km: float | None = None
    derived: bool = False
    illustrative: bool = False
    source: str = ""
    #: How the map draws the zone (``color``, ``weight``, ``opacity``, ``line``, and for an
    #: area ``fill``, ``fill_color``, ``fill_opacity``); what is missing takes the
    #: interface's default for the zone's kind.
    style: Mapping[str, Any] = field(default_factory=dict)
    #: The id of the area this area is a part of (``properties.part_of``): a clause that
    #: concerns only part of a zone cites the part (e.g. the Mount Hermon part of an Area
    #: of Separation); the part lies within its zone. Empty: a zone of its own.
    part_of: str = ""


@dataclass(frozen=True)
class ClauseSpec:
    """One numbered term of the arrangement.

    ``text`` is the wording in English, the reference; ``text_translations`` holds it
    in other languages, and ``text_unofficial`` names those that are unofficial working
    translations. ``zones`` and ``parties`` cite ids defined elsewhere in the scenario.
    ``prohibited`` lists activities from ``vocabulary.PROHIBITED_ACTIVITIES`` or the
    scenario's ``activities``; ``limits`` maps keys
    from ``vocabulary.LIMIT_KEYS`` to non-negative numbers. ``parameters`` carries what
    a specific kind needs (a freeze's ``baseline_date``, a withdrawal's ``after_date``,
    a line clause's ``forces_side``).

    ``status`` is one of ``vocabulary.CLAUSE_STATUSES``: ``agreed``, ``disputed`` (by the
    party codes in ``disputed_by``) or ``illustrative``. It is what the scenario states,
    never a conclusion of the engine. (A version stored before clauses had a status
    reads as ``agreed``, the only behaviour the engine then had.)

    ``exempt_parties`` (party codes) and ``exempt_forces`` (ids of ``ForceSpec``) are
    who the clause's prohibitions and limits do not concern, as the scenario states
    (e.g. the force the arrangement deploys in the zone it demilitarises).
    """

    id: str
    kind: str
    title: Localized
    text: str
    source: str
    zones: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    prohibited: tuple[str, ...] = ()
    limits: Mapping[str, float] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    #: A date, a local date-time (in ``Arrangement.time_zone``) or an aware date-time;
    #: ``rules.localtime`` turns them into instants.
    effective_from: dt.date | dt.datetime | None = None
    effective_until: dt.date | dt.datetime | None = None
    amends: str = ""
    text_translations: Localized = field(default_factory=dict)
    text_unofficial: tuple[str, ...] = ()
    status: str = "agreed"
    disputed_by: tuple[str, ...] = ()
    exempt_parties: tuple[str, ...] = ()
    exempt_forces: tuple[str, ...] = ()

    @property
    def agreed(self) -> bool:
        return self.status == "agreed"


@dataclass(frozen=True)
class LadderStep:
    """One rung of an escalation ladder: who handles a case at this level, what they do,
    when a case may reach it (``rules.ladder``), and after how long at it the mediator is
    reminded to review the case (``within_hours``: a reminder, never a climb)."""

    level: str
    name: Localized
    within_hours: float
    #: Hours since the case reached the level below before this one may be reached.
    eligible_after_hours: float = 0.0
    #: Only a missed deadline at the level below brings a case here.
    after_failure: bool = False
    #: Who acts at this level (``rules.ladder.OWNERS``), or "" when the scenario says not.
    owner: str = ""
    #: What is done at this level (e.g. "principals' meeting within 24 h"), by language.
    action: Localized = field(default_factory=dict)


@dataclass(frozen=True)
class PrecedenceSpec:
    """A precedence a complaint is lodged with (e.g. FLASH, IMMEDIATE, ROUTINE): its
    first-response (acknowledgement) and substantive-answer deadlines."""

    code: str
    name: Localized
    first_response_within_hours: float
    answer_within_hours: float


@dataclass(frozen=True)
class ProtocolSpec:
    """A protocol between the parties: reply deadlines and the escalation ladder."""

    id: str
    title: Localized
    acknowledge_within_hours: float
    answer_within_hours: float
    verification_within_hours: float
    ladder: tuple[LadderStep, ...]
    #: What the cell uses it for (``vocabulary.PROTOCOL_SERVES``), or "" for neither.
    serves: str = ""
    #: Who decides a case's determination (``mechanism.DecisionRule``); a protocol that
    #: states none takes the procedure's, else ``any`` mediator.
    determined_by: DecisionRule = field(default_factory=DecisionRule)
    #: Hours the deciders have for the determination, counted from the answer (or from
    #: the answer's deadline when none came); None: no such deadline.
    determine_within_hours: float | None = None
    #: What a complaint on it may be addressed to (``mechanism.ADDRESSEES``): another
    #: party, and where stated the mechanism itself (its deciders answer).
    addressed_to: tuple[str, ...] = ("party",)
    #: The precedences a complaint on it may be lodged with, highest first; the last
    #: (the lowest) is the default. Empty: the protocol's own two deadlines alone.
    precedence: tuple[PrecedenceSpec, ...] = ()
    #: On the protocol serving the hotline: minutes the other end of a link has to answer
    #: a daily communications check before the worker marks it failed; None: no checks.
    comms_check_answer_minutes: float | None = None


@dataclass(frozen=True)
class ConfidentialityTier:
    """A tier of the rules of procedure's confidentiality (descriptive: what the members
    agreed each tier means; who reads an exchange stays its audience)."""

    id: str
    name: Localized
    description: Localized = field(default_factory=dict)


@dataclass(frozen=True)
class ProcedureSpec:
    """The mechanism's rules of procedure (``[procedure]`` of ``arrangement.toml``).

    The chair is not repeated here: it is the party (or the parties, co-chairs) whose
    ``role`` is ``chair``. ``determined_by`` is the decision rule of the protocols that
    state none. The quorum, the meetings, the languages, the confidentiality tiers and
    the media rule are stated for the members to read; the software does not hold
    meetings."""

    determined_by: DecisionRule | None = None
    quorum_all_of: tuple[str, ...] = ()
    quorum_at_least: int | None = None
    authoritative_language: str = ""
    authentic_languages: tuple[str, ...] = ()
    meetings_every_days: float | None = None
    meetings_on_request_within_hours: float | None = None
    media: str = ""
    confidentiality: tuple[ConfidentialityTier, ...] = ()


@dataclass(frozen=True)
class PlaceSpec:
    """A named place of the scenario. ``lat``/``lon`` are None where no open source gives them."""

    key: str
    name: str
    name_local: str
    lat: float | None
    lon: float | None
    feature: str
    country_code: str
    source: str
    source_id: str
    note: str


@dataclass(frozen=True)
class DemoDelegationSpec:
    """A delegation created by the demo (fictional exercise data)."""

    party: str
    name: Localized


@dataclass(frozen=True)
class DemoAccountSpec:
    """A demo account (fictional person) with its party and roles."""

    username: str
    full_name: str
    party: str
    roles: tuple[str, ...]


class StoryDo:
    """What a step of the demo's story does (its ``do`` in ``demo.toml``)."""

    REPORT_AND_LODGE = "report_and_lodge"  # report an incident and lodge a complaint about it
    ACT = "act"  # take a workflow step on a case
    CALL = "call"  # activate the hotline
    ANSWER_CALL = "answer_call"  # the called party answers
    CONVERT_CALL = "convert_call"  # a call becomes an incident and a complaint
    MESSAGE = "message"  # a message in a call's thread, perhaps with a commitment
    RELAY = "relay"  # the mediator passes on a message a party asked it to relay
    REPORT = "report"  # report an incident (no complaint)
    RELEASE_REPORT = "release_report"  # the day's report released to every reader (issue 17)
    WARN = "warn"  # pass a warning with an action window
    ACKNOWLEDGE_WARNING = "acknowledge_warning"  # the party warned acknowledges
    REPORT_ACTION = "report_action"  # the party warned reports the action taken
    CONFIRM_ACTION = "confirm_action"  # a monitor confirms it, or says why it could not
    WARNING_OUTCOME = "warning_outcome"  # the warner records how the warning ended
    SELF_DEFENCE = "self_defence"  # a use of force stated as self-defence, its warning linked
    DUTY_SHIFT = "duty_shift"  # a party puts one of its call signs on its hotline desk
    COMMS_CHECK = "comms_check"  # one end of a link checks it; the other may answer
    HANDOVER = "handover"  # the outgoing duty officer hands the desk over
    ACKNOWLEDGE_HANDOVER = "acknowledge_handover"  # the incoming officer acknowledges it
    # verification (issue 13): the withdrawal timeline and inspections
    PROPOSE_STEPS = "propose_withdrawal_steps"  # the mediator proposes two linked steps
    COUNTERSIGN_STEPS = "countersign_withdrawal_steps"  # a party countersigns them
    VERIFY_STEP = "verify_withdrawal_step"  # a monitor verifies one met (or met in part)
    PROPOSE_EXTENSION = "propose_step_extension"  # a party proposes a new date
    COUNTERSIGN_EXTENSION = "countersign_step_extension"  # the other party countersigns it
    REQUEST_INSPECTION = "request_inspection"  # a party requests an inspection of a zone
    FILE_INSPECTION = "file_inspection_report"  # a monitor files a report by element
    ACCESS_DENIAL = "record_access_denial"  # a monitor records a denial or restriction
    # positions (issue 13): declare a fictional set, seal the baseline, dispute, reveal
    DECLARE_POSITIONS = "declare_positions"  # a party declares a set of the story file
    SEAL_POSITIONS = "seal_positions"  # the party seals its baseline
    DISPUTE_POSITION = "dispute_position"  # another party disputes a place
    REVEAL_POSITION = "reveal_position"  # the declaring party reveals the nearest item
    # Advance notification (deconfliction):
    REGISTER_HUMANITARIAN = "register_humanitarian"  # the mediator registers a humanitarian actor
    NOTIFY = "notify"  # submit a notice of a movement or a site (confirmed past its warnings)
    RECEIPT = "receipt"  # an addressee acknowledges a notice
    SCREEN_NOTICES = "screen_notices"  # the worker's run: incidents near notices, receipts due
    # economy (issue 15): the economic zone's projects, donors, money and conditions
    REGISTER_DONOR = "register_donor"  # the mediator registers a donor party
    REGISTER_PROJECT = "register_project"  # the mediator registers a project in the zone
    FUND_PROJECT = "fund_project"  # a pledge, its commitment and its tranches
    SET_TRANCHE_CONDITION = "set_tranche_condition"  # the mediator ties a tranche
    CHECK_PROJECT_SITE = "check_project_site"  # a monitor checks a project's site
    DISBURSE_TRANCHE = "disburse_tranche"  # a tranche whose conditions hold is disbursed
    REPORT_UNATTRIBUTED = "report_unattributed_incident"  # by an actor no party controls
    # sharing (issue 14): share an item (perhaps with a tearline), ask to widen, consent,
    # redact
    SHARE_ITEM = "share_item"  # share an item; ``below``: the part below its tearline
    WIDEN_ITEM = "widen_item"  # ask to widen an item's audience (the originator: do it)
    CONSENT = "consent"  # a party gives (or refuses) its consent to a widening
    REDACT_ITEM = "redact_item"  # the originator makes a redacted version for a wider audience
    # talks (issue 16): meetings, their agenda, minutes, media lines; the lexicon by agreement
    SCHEDULE_MEETING = "schedule_meeting"  # the mediator schedules a meeting (its agenda opens)
    NAME_ATTENDEES = "name_attendees"  # a party names who attends for it
    ADD_AGENDA_ITEM = "add_agenda_item"  # the mediator adds an item
    CLOSE_AGENDA_ITEM = "close_agenda_item"  # the mediator closes an item (it stops carrying)
    MEETING_HELD = "meeting_held"  # the mediator records the meeting as held
    DRAFT_MINUTES = "draft_minutes"  # the mediator drafts the minutes
    TRANSLATE_MINUTES = "translate_minutes"  # a translation, perhaps checked and certified
    CIRCULATE_MINUTES = "circulate_minutes"  # the mediator circulates them for approval
    APPROVE_MINUTES = "approve_minutes"  # a party approves (perhaps with an objection)
    CHAIR_SUMMARY = "chair_summary"  # the chair's own summary
    DELEGATION_NOTES = "delegation_notes"  # a delegation's own notes
    MEDIA_LINE = "media_line"  # the agreed press line, next date, embargo
    REQUEST_MEETING = "request_meeting"  # a party asks for a meeting at short notice
    ANSWER_REQUEST = "answer_meeting_request"  # the mediator declines or schedules it
    PROPOSE_LEXICON = "propose_lexicon_amendment"  # new names proposed for a lexicon entry
    DECIDE_LEXICON = "decide_lexicon_amendment"  # a party or the mediator decides
    # proposals (issue 16): proposals, versions, positions; commitments and their deadlines
    TABLE_PROPOSAL = "table_proposal"  # a party or the mediator tables a proposal (version 1)
    TABLE_VERSION = "table_proposal_version"  # the next version of a proposal
    TAKE_POSITION = "take_position"  # a deciding party accepts, rejects or counters a version
    MAKE_COMMITMENT = "make_commitment"  # the mediator makes one from the agreed version
    VERIFY_INDICATOR = "verify_commitment_indicator"  # a monitor verifies an indicator
    PROPOSE_COMMITMENT_EXTENSION = "propose_commitment_extension"  # a party: a new due date
    AGREE_COMMITMENT_EXTENSION = "agree_commitment_extension"  # the other party agrees it
    ASSESS_COMMITMENT = "assess_commitment"  # a party's own assessment
    # civilian harm, property and access (issue 18)
    GIVE_CASUALTIES = "give_casualties"  # a party gives its casualty figures of a case's incident
    RECORD_PROPERTY = "record_property"  # a party records property harmed, with its version
    PROPERTY_VERSION = "property_version"  # another party gives its version of that record
    REQUEST_ACCESS = "request_access"  # a party asks another for access to land near the lines
    ANSWER_ACCESS = "answer_access"  # the other party acknowledges and answers it
    # detainees and missing persons (issue 18): a file, its shares and versions, requests
    OPEN_PERSON_FILE = "open_person_file"  # a party opens the file of a detained person
    SHARE_PERSON_FILE = "share_person_file"  # the reporting party shares it on the record
    STATE_PERSON_VERSION = "state_person_version"  # a party reading it states its version
    REQUEST_PERSON_RELEASE = "request_person_release"  # a release request with a deadline
    RECORD_PERSON_STATUS = "record_person_status"  # released (or charged, located) now
    RECORD_PERSON_ACCESS = "record_person_access"  # the access body visited now


STORY_DOINGS: tuple[str, ...] = (
    StoryDo.REPORT_AND_LODGE,
    StoryDo.ACT,
    StoryDo.CALL,
    StoryDo.ANSWER_CALL,
    StoryDo.CONVERT_CALL,
    StoryDo.MESSAGE,
    StoryDo.RELAY,
    StoryDo.REPORT,
    StoryDo.WARN,
    StoryDo.ACKNOWLEDGE_WARNING,
    StoryDo.REPORT_ACTION,
    StoryDo.CONFIRM_ACTION,
    StoryDo.WARNING_OUTCOME,
    StoryDo.SELF_DEFENCE,
    StoryDo.DUTY_SHIFT,
    StoryDo.COMMS_CHECK,
    StoryDo.HANDOVER,
    StoryDo.ACKNOWLEDGE_HANDOVER,
    # verification (issue 13)
    StoryDo.PROPOSE_STEPS,
    StoryDo.COUNTERSIGN_STEPS,
    StoryDo.VERIFY_STEP,
    StoryDo.PROPOSE_EXTENSION,
    StoryDo.COUNTERSIGN_EXTENSION,
    StoryDo.REQUEST_INSPECTION,
    StoryDo.FILE_INSPECTION,
    StoryDo.ACCESS_DENIAL,
)
# positions (issue 13)
STORY_DOINGS = (
    *STORY_DOINGS,
    StoryDo.DECLARE_POSITIONS,
    StoryDo.SEAL_POSITIONS,
    StoryDo.DISPUTE_POSITION,
    StoryDo.REVEAL_POSITION,
    StoryDo.REGISTER_HUMANITARIAN,
    StoryDo.NOTIFY,
    StoryDo.RECEIPT,
    StoryDo.SCREEN_NOTICES,
)
# economy (issue 15)
STORY_DOINGS = (
    *STORY_DOINGS,
    StoryDo.REGISTER_DONOR,
    StoryDo.REGISTER_PROJECT,
    StoryDo.FUND_PROJECT,
    StoryDo.SET_TRANCHE_CONDITION,
    StoryDo.CHECK_PROJECT_SITE,
    StoryDo.DISBURSE_TRANCHE,
    StoryDo.REPORT_UNATTRIBUTED,
)
# sharing (issue 14)
STORY_DOINGS = (
    *STORY_DOINGS,
    StoryDo.SHARE_ITEM,
    StoryDo.WIDEN_ITEM,
    StoryDo.CONSENT,
    StoryDo.REDACT_ITEM,
)
# talks (issue 16)
TALKS_DOINGS: tuple[str, ...] = (
    StoryDo.SCHEDULE_MEETING,
    StoryDo.NAME_ATTENDEES,
    StoryDo.ADD_AGENDA_ITEM,
    StoryDo.CLOSE_AGENDA_ITEM,
    StoryDo.MEETING_HELD,
    StoryDo.DRAFT_MINUTES,
    StoryDo.TRANSLATE_MINUTES,
    StoryDo.CIRCULATE_MINUTES,
    StoryDo.APPROVE_MINUTES,
    StoryDo.CHAIR_SUMMARY,
    StoryDo.DELEGATION_NOTES,
    StoryDo.MEDIA_LINE,
    StoryDo.REQUEST_MEETING,
    StoryDo.ANSWER_REQUEST,
    StoryDo.PROPOSE_LEXICON,
    StoryDo.DECIDE_LEXICON,
)
STORY_DOINGS = (*STORY_DOINGS, *TALKS_DOINGS)
# proposals (issue 16)
STORY_DOINGS = (
    *STORY_DOINGS,
    StoryDo.TABLE_PROPOSAL,
    StoryDo.TABLE_VERSION,
    StoryDo.TAKE_POSITION,
    StoryDo.MAKE_COMMITMENT,
    StoryDo.VERIFY_INDICATOR,
    StoryDo.PROPOSE_COMMITMENT_EXTENSION,
    StoryDo.AGREE_COMMITMENT_EXTENSION,
    StoryDo.ASSESS_COMMITMENT,
)
# civilian harm, property and access (issue 18)
STORY_DOINGS = (
    *STORY_DOINGS,
    StoryDo.GIVE_CASUALTIES,
    StoryDo.RECORD_PROPERTY,
    StoryDo.PROPERTY_VERSION,
    StoryDo.REQUEST_ACCESS,
    StoryDo.ANSWER_ACCESS,
)
# reports (issue 17)
STORY_DOINGS = (*STORY_DOINGS, StoryDo.RELEASE_REPORT)
# detainees and missing persons (issue 18)
HUMANITARIAN_STORY_DOINGS: tuple[str, ...] = (
    StoryDo.OPEN_PERSON_FILE,
    StoryDo.SHARE_PERSON_FILE,
    StoryDo.STATE_PERSON_VERSION,
    StoryDo.REQUEST_PERSON_RELEASE,
    StoryDo.RECORD_PERSON_STATUS,
    StoryDo.RECORD_PERSON_ACCESS,
)
STORY_DOINGS = (*STORY_DOINGS, *HUMANITARIAN_STORY_DOINGS)
#: The audience tiers of a shared item, narrowest first (``sharing.choices.TierChoices``).
SHARING_TIERS: tuple[str, ...] = ("originator", "mediator", "bilateral", "parties", "public")
#: TLP 2.0 markings (``sharing.choices.TlpChoices``).
TLP_MARKINGS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict", "red")
#: What a redacted version may leave out (``sharing.services.REDACTABLE_FIELDS``).
REDACTABLE_FIELDS: tuple[str, ...] = ("body", "place", "time", "grades", "links", "attachments")
#: The REL code that allows release to the public (every other code is a party's).
REL_PUBLIC = "*"


@dataclass(frozen=True)
class DemoSharedItemSpec:
    """An item a story step shares (or the redacted version it makes): what, for whom,
    with which markings. Party codes are the arrangement's."""

    title: str
    tier: str
    tlp: str
    text: str = ""
    counterpart: str = ""
    releasability: tuple[str, ...] = ()
    originator_control: bool = False


# --- end of sharing (issue 14) -----------------------------------------------------------


@dataclass(frozen=True)
class DemoIncidentSpec:
    """The incident a story step reports: what, where (a GeoJSON point) and when.

    ``occurred_minutes_before`` is what the report says: the incident happened that many
    minutes before the step reports it. Every record entry of the step is written at the
    moment it runs; nothing is dated earlier or later.
    """

    kind: str
    title: str
    geometry: Mapping[str, Any]
    occurred_minutes_before: int = 0
    time_precision: str = "minute"
    uncertainty_m: float = 0.0


@dataclass(frozen=True)
class DemoRemedySpec:
    """A remedy a story's determination orders: ``what`` is to be done by party ``owner``
    within ``due_hours`` of the step, verified by ``verifier`` (a monitor party's code, or
    ``deciders``: ``rules.determinations``)."""

    what: str
    owner: str
    due_hours: int
    verifier: str


@dataclass(frozen=True)
class DemoStepSpec:
    """One step of the demo's story, played through the ordinary services by ``by``.

    ``key`` names what the step creates (a case or a hotline call) so that a later step
    can refer to it through ``case`` or ``call``. Which other fields a step has depends
    on ``do`` (see docs/scenario-format.md); the others stay empty.
    """

    do: str
    by: str
    key: str = ""
    case: str = ""
    call: str = ""
    action: str = ""
    text: str = ""
    #: ``act`` with determine or propose: what the determination found
    #: (``rules.determinations.OUTCOMES``); ``warning_outcome``: the warning's outcome
    #: (``vocabulary.WARNING_OUTCOMES``).
    outcome: str = ""
    clauses: tuple[str, ...] = ()  # determine, propose: the clauses it cites
    remedies: tuple[DemoRemedySpec, ...] = ()  # determine, propose: the remedies it orders
    respondent: str = ""
    summary: str = ""
    extra_audience: tuple[str, ...] = ()
    incident: DemoIncidentSpec | None = None
    callee: str = ""
    channel: str = ""
    subject: str = ""
    #: ``message``: a commitment (``vocabulary.COMMITMENT_KINDS``), due that many minutes
    #: after the step runs; ``via_mediator`` asks the mediator to relay it.
    commitment: str = ""
    commitment_minutes: int = 0
    via_mediator: bool = False
    #: ``relay``: the key of the ``message`` step to relay.
    message: str = ""
    #: ``report``: the parties the incident is shared with (the mediators and monitors too).
    audience: tuple[str, ...] = ()
    #: ``warn``: the warning (the place is ``geometry``, a Point; ``passed_minutes_before``
    #: says it was given that long before the step records it, as a radio warning may be).
    addressee: str = ""
    geometry: Mapping[str, Any] | None = None
    threat: str = ""
    act_kind: str = ""
    action_requested: str = ""
    window_hours: float = 0.0
    include_monitors: bool = False
    passed_minutes_before: int = 0
    #: The key of a ``warn`` step (the warning steps and ``self_defence``).
    warning: str = ""
    #: ``confirm_action``: the monitors' finding (``vocabulary.CONFIRMATION_RESULTS``).
    result: str = ""
    #: The key of a ``report`` step (``warning_outcome``, ``self_defence``).
    incident_key: str = ""
    #: ``duty_shift``: whose call sign goes on duty (an account of the keeper's party),
    #: its place in the contact tree, for ``hours`` from the step (``channel`` too);
    #: ``contact`` and ``shared`` the contact details and whether the others see them.
    officer: str = ""
    tier: int = 0
    hours: float = 0.0
    contact: str = ""
    shared: bool = False
    #: ``comms_check``: the other end of the link (a party code); ``answered_by``: the
    #: account there that answers at once (empty: unanswered, the worker fails it in time).
    #: ``handover``: ``to`` is the account of the incoming officer.
    to: str = ""
    answered_by: str = ""
    #: ``acknowledge_handover``: the key of the ``handover`` step.
    handover: str = ""
    #: The verification steps (issue 13): what each takes, checked by the reader
    #: (``rules.scenario._read_verification_step``; docs/scenario-format.md).
    verification: Mapping[str, Any] | None = None
    #: positions (issue 13): ``declare_positions``: the name of a set of fictional
    #: positions in ``demo/story_positions.py``; ``reveal_position``: the key of the
    #: ``dispute_position`` step (which states ``respondent``, ``summary``, ``geometry``).
    positions: str = ""
    dispute: str = ""
    #: The advance-notification steps' options (``register_humanitarian``: ``name``;
    #: ``notify``: ``activity``, ``starts_in_hours``, ``hours``, ``geometry``,
    #: ``description``, ``audience``, ``humanitarian``; ``receipt``: ``notice``).
    notice: Mapping[str, Any] = field(default_factory=dict)
    #: economy (issue 15): what an economic-zone step takes, checked by the reader
    #: (``rules.scenario._read_economy_step``; docs/scenario-format.md).
    economy: Mapping[str, Any] | None = None
    #: sharing (issue 14): ``share_item`` and ``redact_item``: the item (``below``: the
    #: part below a tearline); ``widen_item``, ``redact_item``: the key of the step that
    #: made the item (``shared_item``) and the audience asked for (``to_tier``, with
    #: ``counterpart`` when bilateral); ``consent``: the key of the ``widen_item`` step
    #: (``request``) and the answer (``granted``); ``redact_item``: the fields left out.
    item: DemoSharedItemSpec | None = None
    below: DemoSharedItemSpec | None = None
    shared_item: str = ""
    to_tier: str = ""
    counterpart: str = ""
    request: str = ""
    granted: bool = False
    remove: tuple[str, ...] = ()
    #: talks (issue 16): what a talks step takes, checked by the reader
    #: (``rules.scenario._read_talks_step``; docs/scenario-format.md, "Talks").
    talks: Mapping[str, Any] | None = None
    #: proposals (issue 16): what a proposals step takes, checked by the reader
    #: (``rules.scenario._read_proposals_step``; docs/scenario-format.md).
    proposals: Mapping[str, Any] | None = None
    #: civilian harm, property and access (issue 18): what a step takes, checked by the
    #: reader (``rules.scenario._read_harm_step``; docs/scenario-format.md).
    harm: Mapping[str, Any] | None = None
    #: detainees and missing persons (issue 18): what a file's step takes, checked by the
    #: reader (``rules.scenario._read_humanitarian_step``; docs/scenario-format.md).
    humanitarian: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DemoData:
    """Fictional exercise data that ``coordcell demo`` loads beside the arrangement."""

    notice: Localized
    parties: tuple[PartySpec, ...]
    delegations: tuple[DemoDelegationSpec, ...]
    accounts: tuple[DemoAccountSpec, ...]
    story: tuple[DemoStepSpec, ...] = ()
    #: The parties whose record witness the demo runs (each has an administrator account).
    witnesses: tuple[str, ...] = ()


# --- withdrawal timeline (verification, issue 13) -------------------------------------


@dataclass(frozen=True)
class WithdrawalStepSpec:
    """One step of a withdrawal timeline agreed in the arrangement's text
    (``[[withdrawal_steps]]``): party ``party``'s step number ``sequence`` under withdrawal
    clause ``clause``, from the areas ``zones``, due by ``due`` (a date: the whole of that
    day in the arrangement's time zone; or a date-time), verified by ``verifier`` (a
    monitor party's code, or "" for any monitor). ``linked_to`` is the other party's step
    it goes with (step n of one ↔ step m of the other): the timeline is reciprocal."""

    id: str
    clause: str
    party: str
    sequence: int
    title: Localized
    zones: tuple[str, ...]
    due: dt.date | dt.datetime
    linked_to: str
    verifier: str = ""


# --- end of the withdrawal timeline block -----------------------------------------------


@dataclass(frozen=True)
class Arrangement:
    """A whole arrangement as read from a scenario folder.

    ``content`` is the canonical, JSON-serialisable form of everything above (without
    the demo data): the loader hashes it to decide whether files changed, and stores
    it with the version so that a version can always be re-read exactly.
    """

    key: str
    title: Localized
    description: Localized
    region_crs: str
    region_bbox: tuple[float, float, float, float]
    valid_from: dt.date
    valid_until: dt.date | None
    parties: tuple[PartySpec, ...]
    roles: tuple[RoleSpec, ...]
    zones: tuple[ZoneSpec, ...]
    clauses: tuple[ClauseSpec, ...]
    protocols: tuple[ProtocolSpec, ...]
    places: tuple[PlaceSpec, ...]
    sources: tuple[SourceSpec, ...]
    content: Mapping[str, Any]
    demo: DemoData | None = None
    basemap: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    forces: tuple[ForceSpec, ...] = ()
    activities: tuple[ActivitySpec, ...] = ()
    incident_kinds: tuple[IncidentKindSpec, ...] = ()
    #: The IANA time zone in which the arrangement's dates and local times are meant.
    time_zone: str = "UTC"
    #: The rules of procedure, None where the scenario states none.
    procedure: ProcedureSpec | None = None
    #: The withdrawal steps the arrangement's text sets (none: the cell agrees them).
    withdrawal_steps: tuple[WithdrawalStepSpec, ...] = ()
    # positions (issue 13): the kinds of declared positions and how the cell handles them.
    position_kinds: tuple[PositionKindSpec, ...] = ()
    positions: PositionsSpec | None = None
    #: Advance notification (``[deconfliction]``), None where the scenario states none.
    deconfliction: DeconflictionSpec | None = None
    #: The talks (``[talks]``): venue, tracks, standing agenda items; None where none.
    talks: TalksSpec | None = None
    #: The daily report and time-locked publication (``[reports]``), None where none.
    reports: ReportsSpec | None = None
    #: Detainees and missing persons (``[humanitarian]``), None where the scenario states none.
    humanitarian: HumanitarianSpec | None = None


# --- positions (issue 13): [[position_kinds]] and [positions] ------------------------------


@dataclass(frozen=True)
class PositionKindSpec:
    """A kind of declared position (a base, an outpost, a checkpoint, an observation
    post): its id and its name in each language (``[[position_kinds]]``)."""

    id: str
    name: Localized


@dataclass(frozen=True)
class PositionsSpec:
    """How the cell handles declared positions (``[positions]``).

    ``notice_days``: a change declared at least this many days before it takes effect is
    *notified in advance*. ``mediator_reveal_consent``: whose consent the mediator needs
    to reveal a committed item on a party's behalf in a dispute — ``"declaring"`` (the
    party whose item it is), ``"other"`` (the party that disputes), both, or none."""

    notice_days: int = 0
    mediator_reveal_consent: tuple[str, ...] = ("declaring",)


def position_kinds_from_content(content: Mapping[str, Any]) -> tuple[PositionKindSpec, ...]:
    """The ``[[position_kinds]]`` of stored content (none before scenarios declared them)."""
    return tuple(
        PositionKindSpec(str(k["id"]), dict(k["name"])) for k in content.get("position_kinds", ())
    )


def positions_from_content(content: Mapping[str, Any]) -> PositionsSpec | None:
    """The ``[positions]`` table of stored content (None: the scenario states none)."""
    data = content.get("positions")
    if not data:
        return None
    return PositionsSpec(
        notice_days=int(data.get("notice_days", 0)),
        mediator_reveal_consent=tuple(data.get("mediator_reveal_consent", ("declaring",))),
    )


# --- end of positions ----------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def arrangement_from_content(content: Mapping[str, Any]) -> Arrangement:
    """Rebuild an ``Arrangement`` from its stored canonical ``content``.

    A loaded version keeps its content, so findings can be computed under exactly the
    version that was current, even after the scenario files changed. (The demo data and
    the basemap are not part of the content.)
    """
    c = content
    return Arrangement(
        key=c["key"],
        title=dict(c["title"]),
        description=dict(c["description"]),
        region_crs=c["region_crs"],
        region_bbox=tuple(c["region_bbox"]),
        valid_from=dt.date.fromisoformat(c["valid_from"]),
        valid_until=_date(c.get("valid_until")),
        # A party's role is absent from versions stored before the mechanism had roles.
        parties=tuple(
            PartySpec(p["code"], p["kind"], dict(p["name"]), p.get("role", ""))
            for p in c["parties"]
        ),
        roles=tuple(RoleSpec(r["code"], dict(r["name"])) for r in c["roles"]),
        zones=tuple(
            ZoneSpec(**{**z, "name": dict(z["name"]), "bbox": tuple(z["bbox"])}) for z in c["zones"]
        ),
        clauses=tuple(
            ClauseSpec(
                **{
                    **cl,
                    "title": dict(cl["title"]),
                    "zones": tuple(cl["zones"]),
                    "parties": tuple(cl["parties"]),
                    "disputed_by": tuple(cl.get("disputed_by", ())),
                    # Absent from versions stored before clauses had exemptions.
                    "exempt_parties": tuple(cl.get("exempt_parties", ())),
                    "exempt_forces": tuple(cl.get("exempt_forces", ())),
                    "prohibited": tuple(cl["prohibited"]),
                    "limits": dict(cl["limits"]),
                    "parameters": dict(cl["parameters"]),
                    "effective_from": parse_moment(cl.get("effective_from")),
                    "effective_until": parse_moment(cl.get("effective_until")),
                    # Absent from versions stored before clause texts were translated.
                    "text_translations": dict(cl.get("text_translations", {})),
                    "text_unofficial": tuple(cl.get("text_unofficial", ())),
                }
            )
            for cl in c["clauses"]
        ),
        protocols=tuple(
            ProtocolSpec(
                **{
                    **p,
                    "title": dict(p["title"]),
                    "ladder": tuple(
                        LadderStep(
                            s["level"],
                            dict(s["name"]),
                            s["within_hours"],
                            # Absent from versions stored before eligibility and owners.
                            eligible_after_hours=s.get("eligible_after_hours", 0.0),
                            after_failure=s.get("after_failure", False),
                            owner=s.get("owner", ""),
                            action=dict(s.get("action") or {}),
                        )
                        for s in p["ladder"]
                    ),
                    # Absent from versions stored before protocols had decision rules.
                    "determined_by": DecisionRule.from_content(p.get("determined_by")),
                    "addressed_to": tuple(p.get("addressed_to") or ("party",)),
                    # Absent from versions stored before precedences.
                    "precedence": tuple(
                        PrecedenceSpec(
                            r["code"],
                            dict(r["name"]),
                            r["first_response_within_hours"],
                            r["answer_within_hours"],
                        )
                        for r in p.get("precedence") or ()
                    ),
                }
            )
            for p in c["protocols"]
        ),
        places=tuple(PlaceSpec(**p) for p in c["places"]),
        sources=tuple(SourceSpec(**s) for s in c["sources"]),
        content=content,
        # Absent from versions stored before scenarios declared forces and activities.
        forces=tuple(
            ForceSpec(
                f["id"],
                f["party"],
                f["kind"],
                dict(f["name"]),
                tuple(f.get("acled_actors", ())),
                tuple(f.get("ucdp_actors", ())),
            )
            for f in c.get("forces", ())
        ),
        activities=tuple(
            ActivitySpec(a["id"], dict(a["name"]), tuple(a.get("implied_by", ())))
            for a in c.get("activities", ())
        ),
        # Absent from versions stored before scenarios declared incident kinds.
        incident_kinds=tuple(
            IncidentKindSpec(
                k["id"],
                dict(k["name"]),
                tuple(k.get("implies", ())),
                tuple(k.get("may_imply", ())),
                tuple((str(t), str(sub)) for t, sub in k.get("acled", ())),
                tuple(int(code) for code in k.get("ucdp", ())),
            )
            for k in c.get("incident_kinds", ())
        ),
        # Absent from versions stored before scenarios named a time zone.
        time_zone=c.get("time_zone", DEFAULT_TIME_ZONE),
        procedure=procedure_from_content(c.get("procedure")),
        # positions (issue 13); absent from versions stored before.
        position_kinds=position_kinds_from_content(c),
        positions=positions_from_content(c),
        withdrawal_steps=withdrawal_steps_from_content(c.get("withdrawal_steps")),
        deconfliction=deconfliction_from_content(c.get("deconfliction")),
        talks=talks_from_content(c.get("talks")),
        humanitarian=humanitarian_from_content(c.get("humanitarian")),
    )


def withdrawal_steps_from_content(data: Any) -> tuple[WithdrawalStepSpec, ...]:
    """The stored ``[[withdrawal_steps]]`` back (absent: none, the cell agrees them)."""
    return tuple(
        WithdrawalStepSpec(
            id=w["id"],
            clause=w["clause"],
            party=w["party"],
            sequence=int(w["sequence"]),
            title=dict(w["title"]),
            zones=tuple(w["zones"]),
            due=parse_moment(w["due"]) or dt.date.min,
            linked_to=w["linked_to"],
            verifier=w.get("verifier", ""),
        )
        for w in data or ()
    )


def procedure_from_content(data: Mapping[str, Any] | None) -> ProcedureSpec | None:
    """The stored rules of procedure back (None: the version states none)."""
    if not data:
        return None
    rule = data.get("determined_by")
    return ProcedureSpec(
        determined_by=DecisionRule.from_content(rule) if rule else None,
        quorum_all_of=tuple(data.get("quorum_all_of", ())),
        quorum_at_least=data.get("quorum_at_least"),
        authoritative_language=data.get("authoritative_language", ""),
        authentic_languages=tuple(data.get("authentic_languages", ())),
        meetings_every_days=data.get("meetings_every_days"),
        meetings_on_request_within_hours=data.get("meetings_on_request_within_hours"),
        media=data.get("media", ""),
        confidentiality=tuple(
            ConfidentialityTier(t["id"], dict(t["name"]), dict(t.get("description", {})))
            for t in data.get("confidentiality", ())
        ),
    )


# ------------------------------------------------------------- advance notification (deconfliction)
#
# ``[deconfliction]`` of arrangement.toml: the agreed, versioned list of notifiable
# activities, the calendar of sensitive days, the distance within which an incident
# opens a follow-up case, and the receipt deadline with the protocol whose ladder an
# unacknowledged notice climbs (docs/scenario-format.md, "Advance notification").

#: Who may notify an activity: a party to the arrangement, or a humanitarian actor the
#: cell registers (its notices relayed by the mediator, as OCHA relays humanitarian
#: notifications).
NOTIFIER_KINDS: tuple[str, ...] = ("party", "humanitarian")
#: What a notified activity is: a movement along a route, or a static site or area.
NOTICE_SHAPES: tuple[str, ...] = ("movement", "static")


@dataclass(frozen=True)
class NotifiableActivitySpec:
    """One activity of the agreed list: what must be notified, how long in advance.

    ``shape`` is ``movement`` (a route: LineString) or ``static`` (a site or an area:
    Point or Polygon); ``geometry_required`` says whether a notice must give it.
    ``incident_kinds`` are the incident kinds that are this activity (an incident of one
    of them by a party with no covering notice is a missing notice; the engine checks a
    notice as these kinds before it is submitted)."""

    id: str
    name: Localized
    lead_hours: float
    notified_by: tuple[str, ...]
    shape: str
    geometry_required: bool = True
    incident_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class SensitiveDaySpec:
    """A sensitive day (an anniversary, a religious holiday, a harvest near the lines):
    a fixed ``date``, or every year on ``month``/``day``; ``days`` long; anywhere, or in
    ``zones`` only. ``illustrative``: the date is the scenario's invention."""

    id: str
    name: Localized
    days: int = 1
    date: dt.date | None = None
    month: int | None = None
    day: int | None = None
    zones: tuple[str, ...] = ()
    illustrative: bool = False


@dataclass(frozen=True)
class DeconflictionSpec:
    """The arrangement's advance-notification data."""

    #: The label of the agreed list's own version ("1", "2026-03"): notices keep it.
    list_version: str
    #: The protocol whose ladder an unacknowledged notice climbs (its first rung above
    #: the working level), on the grounds ``missed_deadline``; "": the one that serves
    #: complaints.
    protocol: str
    #: Hours after submission by which each addressee acknowledges with a receipt.
    receipt_within_hours: float
    #: An incident within this many metres of a notified site or route, during its
    #: window, opens a follow-up case.
    follow_up_distance_m: float
    activities: tuple[NotifiableActivitySpec, ...] = ()
    sensitive_days: tuple[SensitiveDaySpec, ...] = ()

    def activity(self, activity_id: str) -> NotifiableActivitySpec | None:
        return next((a for a in self.activities if a.id == activity_id), None)


def deconfliction_from_content(data: Mapping[str, Any] | None) -> DeconflictionSpec | None:
    """The stored advance-notification data back (None: the version states none)."""
    if not data:
        return None
    return DeconflictionSpec(
        list_version=str(data["list_version"]),
        protocol=str(data.get("protocol") or ""),
        receipt_within_hours=float(data["receipt_within_hours"]),
        follow_up_distance_m=float(data["follow_up_distance_m"]),
        activities=tuple(
            NotifiableActivitySpec(
                id=a["id"],
                name=dict(a["name"]),
                lead_hours=float(a["lead_hours"]),
                notified_by=tuple(a["notified_by"]),
                shape=a["shape"],
                geometry_required=bool(a.get("geometry_required", True)),
                incident_kinds=tuple(a.get("incident_kinds", ())),
            )
            for a in data.get("activities", ())
        ),
        sensitive_days=tuple(
            SensitiveDaySpec(
                id=d["id"],
                name=dict(d["name"]),
                days=int(d.get("days", 1)),
                date=_date(d.get("date")),
                month=d.get("month"),
                day=d.get("day"),
                zones=tuple(d.get("zones", ())),
                illustrative=bool(d.get("illustrative", False)),
            )
            for d in data.get("sensitive_days", ())
        ),
    )


# ------------------------------------------------------------------------------ talks
#
# ``[talks]`` of arrangement.toml: where the cell's meetings are held, the tracks of its
# talks and the standing items of their agendas (docs/scenario-format.md, "Talks").


@dataclass(frozen=True)
class TrackSpec:
    """A track of the talks (``[[talks.tracks]]``): ``id`` and its name in each language."""

    id: str
    name: Localized
    description: Localized = field(default_factory=dict)


@dataclass(frozen=True)
class StandingItemSpec:
    """A standing agenda item (``[[talks.standing_items]]``): it is put on every meeting
    of its ``tracks`` (none: of every track) and carries forward until the cell closes it."""

    id: str
    title: Localized
    tracks: tuple[str, ...] = ()


#: The automatic sources of agenda items an installed app provides (``core.agenda``):
#: a scenario names which tracks each feeds (``[[talks.automatic_items]]``).
AGENDA_SOURCES: tuple[str, ...] = ("cases.past_deadline", "humanitarian.missed_requests")


@dataclass(frozen=True)
class AutomaticItemSpec:
    """An automatic source of agenda items (``AGENDA_SOURCES``) and the tracks whose
    meetings it feeds (none: every track)."""

    source: str
    tracks: tuple[str, ...] = ()


@dataclass(frozen=True)
class TalksSpec:
    """The arrangement's talks: the usual venue (a place id of ``places.csv``), the
    tracks and the standing agenda items."""

    venue: str
    tracks: tuple[TrackSpec, ...] = ()
    standing_items: tuple[StandingItemSpec, ...] = ()
    automatic_items: tuple[AutomaticItemSpec, ...] = ()

    def track(self, track_id: str) -> TrackSpec | None:
        return next((t for t in self.tracks if t.id == track_id), None)

    def standing_for(self, track_ids: Sequence[str]) -> tuple[StandingItemSpec, ...]:
        """The standing items of a meeting on ``track_ids``."""
        wanted = set(track_ids)
        return tuple(i for i in self.standing_items if not i.tracks or wanted & set(i.tracks))

    def sources_for(self, track_ids: Sequence[str]) -> tuple[str, ...]:
        """The automatic sources that feed a meeting on ``track_ids``."""
        wanted = set(track_ids)
        return tuple(
            a.source for a in self.automatic_items if not a.tracks or wanted & set(a.tracks)
        )


def talks_from_content(data: Mapping[str, Any] | None) -> TalksSpec | None:
    """The stored talks data back (None: the version states none)."""
    if not data:
        return None
    return TalksSpec(
        venue=str(data["venue"]),
        tracks=tuple(
            TrackSpec(t["id"], dict(t["name"]), dict(t.get("description") or {}))
            for t in data.get("tracks", ())
        ),
        standing_items=tuple(
            StandingItemSpec(i["id"], dict(i["title"]), tuple(i.get("tracks", ())))
            for i in data.get("standing_items", ())
        ),
        automatic_items=tuple(
            AutomaticItemSpec(a["source"], tuple(a.get("tracks", ())))
            for a in data.get("automatic_items", ())
        ),
    )


# --- reports (issue 17): [reports] and its [[reports.counting_rules]] ---------------------


@dataclass(frozen=True)
class CountingRulesSpec:
    """One agreed, versioned definition of what counts as one violation
    (``[[reports.counting_rules]]``; pure evaluation in ``rules.counting``).

    A report says which ``version`` it counted under. Reports of the same event — the
    same kind, within ``group_within_minutes`` and ``group_within_km`` of the group's
    first report — count once. ``count_disputed``: whether a finding under a clause whose
    status is not agreed (or that a party disputes) makes a report count; ``count_possible``:
    whether a finding only within the location's uncertainty does. ``kinds`` limits the
    incident kinds counted (none: every kind); ``by`` names the breakdowns a report shows.
    """

    version: str
    effective_from: dt.date
    group_within_minutes: float
    group_within_km: float
    count_disputed: bool = False
    count_possible: bool = True
    kinds: tuple[str, ...] = ()
    by: tuple[str, ...] = ("zone", "clause", "kind")


@dataclass(frozen=True)
class ReportsSpec:
    """The daily report and time-locked publication (``[reports]``).

    ``cutoff`` is the local time (``HH:MM`` in the arrangement's time zone) at which a
    day's report closes: the report of day D covers the day before D's cut-off to D's.
    What the report issues for publication is released to ``release_to`` (``public``, or
    the code of the party the arrangement names) ``embargo_hours`` after it was issued,
    unless every party signs an extension, which adds ``extension_hours``.
    """

    cutoff: str
    embargo_hours: float
    extension_hours: float
    release_to: str
    counting_rules: tuple[CountingRulesSpec, ...]


#: The breakdowns a daily report's counts may show (``[[reports.counting_rules]] by``).
COUNT_BREAKDOWNS: tuple[str, ...] = ("zone", "clause", "kind", "party")
#: ``[reports] release_to`` naming everyone, no login.
RELEASE_PUBLIC = "public"
# ------------------------------------------------------------- detainees and missing persons
#
# ``[humanitarian]`` of arrangement.toml (docs/humanitarian.md): the bodies the parties
# agreed may visit detained persons, and the default deadlines of release and access
# requests.


@dataclass(frozen=True)
class HumanitarianSpec:
    """The arrangement's data on detainees and missing persons."""

    #: The parties (of kind monitor or observer) agreed as access bodies: a file may name
    #: one of them, which then reads the file. Empty: no file names an access body.
    access_bodies: tuple[str, ...] = ()
    #: The default deadline of a release request, and of an access request (hours).
    release_within_hours: float = 72.0
    access_within_hours: float = 48.0
    #: The protocol whose ladder a missed request climbs ("": the complaints' protocol).
    protocol: str = ""


def humanitarian_from_content(data: Mapping[str, Any] | None) -> HumanitarianSpec | None:
    """The stored ``[humanitarian]`` data back (None: the version states none)."""
    if not data:
        return None
    return HumanitarianSpec(
        access_bodies=tuple(str(c) for c in data.get("access_bodies", ())),
        release_within_hours=float(data.get("release_within_hours", 72)),
        access_within_hours=float(data.get("access_within_hours", 48)),
        protocol=str(data.get("protocol") or ""),
    )
