"""Zone and clause kinds with translatable labels (codes from ``rules.vocabulary``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import mechanism, vocabulary

__all__ = [
    "ActivityChoices",
    "CertaintyChoices",
    "ClauseKindChoices",
    "ClauseStatusChoices",
    "DecisionRuleChoices",
    "LimitChoices",
    "MechanismRoleChoices",
    "MediaRuleChoices",
    "ZoneKindChoices",
]


class ZoneKindChoices(ChoiceSet):
    KIND_LINE = "line"
    KIND_AREA = "area"
    CHOICES = [(KIND_LINE, _("Line")), (KIND_AREA, _("Area"))]


class ClauseKindChoices(ChoiceSet):
    CHOICES = [
        ("prohibition", _("Prohibition"), "red"),
        ("limit", _("Limitation"), "orange"),
        ("freeze", _("Freeze"), "blue"),
        ("withdrawal", _("Withdrawal"), "purple"),
        ("economic_zone", _("Economic zone"), "green"),
        ("inspection", _("Inspection"), "teal"),
        ("general", _("General"), "grey"),
    ]


class ClauseStatusChoices(ChoiceSet):
    """Whether the parties hold a clause to apply (``vocabulary.CLAUSE_STATUSES``): data of
    the scenario, never a conclusion of the engine."""

    CHOICES = [
        ("agreed", _("Agreed"), "green"),
        ("disputed", _("Disputed applicability"), "orange"),
        ("illustrative", _("Illustrative"), "grey"),
    ]


class ActivityChoices(ChoiceSet):
    CHOICES = [
        ("military_presence", _("Military presence")),
        ("fire", _("Fire")),
        ("overflight", _("Overflight")),
        ("fortification", _("Fortification")),
        ("military_observation", _("Military observation")),
        ("surface_to_air_missiles", _("Surface-to-air missiles")),
        ("artillery_over_range", _("Artillery above the permitted range")),
        ("line_crossing", _("Military forces crossing the line")),
    ]


class LimitChoices(ChoiceSet):
    CHOICES = [
        ("max_personnel", _("Personnel, at most")),
        ("max_brigades", _("Brigades, at most")),
        ("max_tanks", _("Tanks, at most")),
        ("max_artillery_pieces", _("Artillery pieces, at most")),
        ("max_artillery_range_km", _("Artillery range (km), at most")),
        ("max_surface_to_air_missiles", _("Surface-to-air missiles, at most")),
    ]


class CertaintyChoices(ChoiceSet):
    """How sure a finding is of its zone (``rules.engine.Finding.certainty``)."""

    CHOICES = [
        ("inside", _("inside")),
        ("possibly", _("possibly")),
        ("declared", _("declared")),
    ]


assert tuple(ZoneKindChoices.values()) == vocabulary.ZONE_KINDS
assert tuple(ClauseKindChoices.values()) == vocabulary.CLAUSE_KINDS
assert tuple(ActivityChoices.values()) == vocabulary.PROHIBITED_ACTIVITIES
assert tuple(LimitChoices.values()) == vocabulary.LIMIT_KEYS


class MechanismRoleChoices(ChoiceSet):
    """A party's seat in the mechanism (``rules.mechanism.ROLES``)."""

    CHOICES = [
        ("chair", _("Chair"), "purple"),
        ("member", _("Member"), "blue"),
        ("party", _("Party"), "blue"),
        ("monitor", _("Monitor"), "teal"),
        ("host", _("Host"), "grey"),
        ("observer", _("Observer"), "grey"),
        ("donor", _("Donor"), "green"),
    ]


class DecisionRuleChoices(ChoiceSet):
    """Who decides a determination (``rules.mechanism.DECISION_RULES``)."""

    CHOICES = [
        ("any", _("Any one mediator, alone")),
        ("chair", _("The chair")),
        ("any_of", _("Any one of")),
        ("all_of", _("Jointly, every one of")),
    ]


class MediaRuleChoices(ChoiceSet):
    """What members may say to the media (``rules.mechanism.MEDIA_RULES``)."""

    CHOICES = [
        ("confidential", _("Nothing about the proceedings")),
        ("chair_only", _("Only the chair speaks for the mechanism")),
        ("joint_statements", _("Only statements every member agreed")),
        ("each_member", _("Each member speaks for itself")),
    ]


assert tuple(MechanismRoleChoices.values()) == mechanism.ROLES
assert tuple(DecisionRuleChoices.values()) == mechanism.DECISION_RULES
assert tuple(MediaRuleChoices.values()) == mechanism.MEDIA_RULES


# --- authoritative texts and the lexicon's amendments -----------------------------------


class OfficialTextKindChoices(ChoiceSet):
    """What an official text is."""

    MINUTES = "minutes"
    DETERMINATION = "determination"
    AGREED_OUTCOME = "agreed_outcome"
    CHOICES = [
        (MINUTES, _("Agreed minutes")),
        (DETERMINATION, _("Determination")),
        (AGREED_OUTCOME, _("Agreed outcome")),
    ]


class TranslationStatusChoices(ChoiceSet):
    """How far a language's text of an official text has come."""

    AUTHORITATIVE = "authoritative"
    TRANSLATED = "translated"
    CHECKED = "checked"
    CERTIFIED = "certified"
    CHOICES = [
        (AUTHORITATIVE, _("Authoritative text"), "purple"),
        (TRANSLATED, _("Translated"), "grey"),
        (CHECKED, _("Checked"), "blue"),
        (CERTIFIED, _("Certified"), "green"),
    ]


class AmendmentStateChoices(ChoiceSet):
    """Where a proposed amendment of the lexicon stands."""

    PENDING = "pending"
    APPLIED = "applied"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    CHOICES = [
        (PENDING, _("Awaiting approvals"), "orange"),
        (APPLIED, _("Applied by agreement"), "green"),
        (REFUSED, _("Refused"), "red"),
        (WITHDRAWN, _("Withdrawn"), "grey"),
    ]


class ApprovalDecisionChoices(ChoiceSet):
    """A party's decision on a proposed amendment."""

    APPROVE = "approve"
    REFUSE = "refuse"
    CHOICES = [(APPROVE, _("Approve")), (REFUSE, _("Refuse"))]
