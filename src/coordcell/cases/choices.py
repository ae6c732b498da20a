"""Vocabularies of cases, with translatable labels (the codes live in rules.workflow)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import ladder, vocabulary, workflow


class StateChoices(workflow.State, ChoiceSet):
    """A case's state (constants from ``rules.workflow.State``), labelled and coloured."""

    S = workflow.State
    CHOICES = [
        (S.LODGED, _("Lodged"), "blue"),
        (S.ACKNOWLEDGED, _("Acknowledged"), "blue"),
        (S.ANSWERED, _("Answered"), "teal"),
        (S.VERIFICATION_REQUESTED, _("Verification requested"), "orange"),
        (S.VERIFIED, _("Verified"), "teal"),
        (S.UNVERIFIABLE, _("Unverifiable"), "grey"),
        (S.DISPUTED, _("Disputed"), "orange"),
        (S.DETERMINED, _("Determined"), "purple"),
        (S.REMEDIED, _("Remedied"), "green"),
        (S.CLOSED, _("Closed"), "grey"),
        (S.WITHDRAWN, _("Withdrawn"), "grey"),
    ]


class ActionChoices(workflow.Action, ChoiceSet):
    """A step of a case (constants from ``rules.workflow.Action``), labelled."""

    A = workflow.Action
    CHOICES = [
        (A.LODGE, _("Lodge")),
        (A.ACKNOWLEDGE, _("Acknowledge")),
        (A.ANSWER, _("Answer")),
        (A.REQUEST_VERIFICATION, _("Request verification")),
        (A.RECORD_VERIFIED, _("Record: verified")),
        (A.RECORD_UNVERIFIABLE, _("Record: unverifiable")),
        (A.RECORD_DISPUTED, _("Record: disputed")),
        (A.DETERMINE, _("Determine")),
        (A.PROPOSE, _("Propose a determination")),
        (A.CONCUR, _("Concur with the proposed determination")),
        (A.DECLINE, _("Decline the proposed determination")),
        (A.REMEDY, _("Report the remedy")),
        (A.CLOSE, _("Close")),
        (A.WITHDRAW, _("Withdraw")),
        (A.ESCALATE, _("Escalate")),
        (A.NO_REPLY, _("No reply by the deadline")),
        (A.EXTEND, _("Deadline extended by agreement")),
        (A.REJECT_ANSWER, _("Reject the answer")),
        (A.RECORD_LEVEL_OUTCOME, _("Record the outcome at this level")),
        (A.REVIEW_DUE, _("Review due at this level")),
        (A.PROPOSE_EXTENSION, _("Propose an extension")),
        (A.COUNTERSIGN_EXTENSION, _("Countersign the extension")),
        (A.REFUSE_EXTENSION, _("Refuse the extension")),
        (A.CHANGE_PRECEDENCE, _("Change the precedence")),
    ]


class DeadlineKindChoices(ChoiceSet):
    ACKNOWLEDGE = "acknowledge"
    ANSWER = "answer"
    VERIFICATION = "verification"
    DETERMINATION = "determination"
    LEVEL = "level"

    CHOICES = [
        (ACKNOWLEDGE, _("acknowledgement")),
        (ANSWER, _("answer")),
        (VERIFICATION, _("verification")),
        (DETERMINATION, _("determination")),
        (LEVEL, _("review at this level")),
    ]


class DeadlineStateChoices(ChoiceSet):
    OPEN = "open"
    MET = "met"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    CHOICES = [
        (OPEN, _("open"), "blue"),
        (MET, _("met"), "green"),
        (EXPIRED, _("missed"), "red"),
        (CANCELLED, _("no longer needed"), "grey"),
    ]


assert tuple(StateChoices.values()) == workflow.STATES
assert set(ActionChoices.values()) == {
    *workflow.ACTIONS,
    workflow.Action.LODGE,
    *workflow.EXTENSION_STEPS,
    *workflow.OTHER_STEPS,
}


class ExtensionStateChoices(ChoiceSet):
    """Where a proposed deadline extension stands."""

    PENDING = "pending"
    AGREED = "agreed"
    REFUSED = "refused"
    LAPSED = "lapsed"

    CHOICES = [
        (PENDING, _("awaiting countersignature"), "orange"),
        (AGREED, _("countersigned by both parties"), "green"),
        (REFUSED, _("refused"), "grey"),
        (LAPSED, _("lapsed: the deadline is no longer open"), "grey"),
    ]


class LadderOwnerChoices(ChoiceSet):
    """Who acts for the cell at a level of the ladder (``rules.ladder.OWNERS``)."""

    CHOICES = [
        ("liaison_officers", _("The parties' liaison officers")),
        ("principals", _("The parties' principals")),
        ("mediator", _("The mediator")),
        ("deciders", _("The deciding parties")),
        ("governments", _("The governments")),
    ]


assert tuple(LadderOwnerChoices.values()) == ladder.OWNERS


class GroundChoices(ChoiceSet):
    """Why a case may climb the ladder (``rules.ladder.GROUNDS``)."""

    CHOICES = [
        (ladder.MISSED_DEADLINE, _("a deadline was missed")),
        (ladder.ANSWER_REJECTED, _("the complainant rejected the answer")),
        (ladder.DECIDED, _("the mediator decided")),
    ]


assert tuple(GroundChoices.values()) == ladder.GROUNDS


class ChannelChoices(ChoiceSet):
    """How the hotline was activated."""

    CHOICES = [
        ("call", _("Telephone call")),
        ("message", _("Message")),
        ("radio", _("Radio")),
        ("in_person", _("In person")),
    ]


assert tuple(ChannelChoices.values()) == vocabulary.HOTLINE_CHANNELS
