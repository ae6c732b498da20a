"""Vocabularies of cases, with translatable labels (the codes live in rules.workflow)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import determinations, ladder, verification, vocabulary, workflow


class StateChoices(workflow.State, ChoiceSet):
    """A case's state (constants from ``rules.workflow.State``), labelled and coloured."""

    S = workflow.State
    CHOICES = [
        (S.LODGED, _("Lodged"), "blue"),
        (S.ACKNOWLEDGED, _("Acknowledged"), "blue"),
        (S.CLARIFICATION_REQUESTED, _("Clarification requested"), "orange"),
        (S.ANSWERED, _("Answered"), "teal"),
        (S.VERIFICATION_REQUESTED, _("Verification requested"), "orange"),
        (S.VERIFIED, _("Verified"), "teal"),
        (S.UNVERIFIABLE, _("Unverifiable"), "grey"),
        (S.DISPUTED, _("Disputed"), "orange"),
        (S.DETERMINED, _("Determined"), "purple"),
        (S.REMEDIED, _("Remedied"), "green"),
        (S.REFERRED_TO_TALKS, _("Referred to the talks"), "purple"),
        (S.LINKED, _("Linked to another case"), "grey"),
        (S.RESOLVED_BY_AGREEMENT, _("Resolved by agreement"), "green"),
        (S.CLOSED, _("Closed"), "grey"),
        (S.WITHDRAWN, _("Withdrawn"), "grey"),
    ]


class ActionChoices(workflow.Action, ChoiceSet):
    """A step of a case (constants from ``rules.workflow.Action``), labelled."""

    A = workflow.Action
    CHOICES = [
        (A.LODGE, _("Lodge")),
        (A.OPEN_INQUIRY, _("Inquiry opened of its own motion")),
        (A.ACKNOWLEDGE, _("Acknowledge")),
        (A.REQUEST_CLARIFICATION, _("Request a clarification")),
        (A.CLARIFY, _("Clarify")),
        (A.ANSWER, _("Answer")),
        (A.REQUEST_VERIFICATION, _("Request verification")),
        (A.RECORD_VERIFIED, _("Record: verified")),
        (A.RECORD_UNVERIFIABLE, _("Record: unverifiable")),
        (A.RECORD_DISPUTED, _("Record: disputed")),
        (A.DETERMINE, _("Determine")),
        (A.PROPOSE, _("Propose a determination")),
        (A.CONCUR, _("Concur with the proposed determination")),
        (A.DECLINE, _("Decline the proposed determination")),
        (A.REMEDY, _("Remedy reported")),
        (A.REMEDY_DONE, _("Report a remedy done")),
        (A.VERIFY_REMEDY, _("Verify a remedy")),
        (A.REMEDY_MISSED, _("Remedy not done by its deadline")),
        (A.RESERVE, _("Attach your party's reservation")),
        (A.ASSENT, _("Assent to closing the case")),
        (A.PROPOSE_RESOLUTION, _("Propose terms agreed at working level")),
        (A.AGREE_RESOLUTION, _("Agree to the proposed terms")),
        (A.REFER_TO_TALKS, _("Refer to the talks")),
        (A.LINK, _("Link to another case")),
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
    REMEDY = "remedy"

    CHOICES = [
        (ACKNOWLEDGE, _("acknowledgement")),
        (ANSWER, _("answer")),
        (VERIFICATION, _("verification")),
        (DETERMINATION, _("determination")),
        (LEVEL, _("review at this level")),
        (REMEDY, _("remedy")),
    ]


class DeadlineStateChoices(ChoiceSet):
    OPEN = "open"
    MET = "met"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    PAUSED = "paused"

    CHOICES = [
        (OPEN, _("open"), "blue"),
        (MET, _("met"), "green"),
        (EXPIRED, _("missed"), "red"),
        (CANCELLED, _("no longer needed"), "grey"),
        (PAUSED, _("paused"), "orange"),
    ]


assert tuple(StateChoices.values()) == workflow.STATES
assert set(ActionChoices.values()) == {
    *workflow.ACTIONS,
    workflow.Action.LODGE,
    workflow.Action.OPEN_INQUIRY,
    workflow.Action.EXTEND,
    workflow.Action.REMEDY,
    workflow.Action.REMEDY_MISSED,
    *workflow.EXTENSION_STEPS,
    *workflow.OTHER_STEPS,
}


class OutcomeChoices(ChoiceSet):
    """What a determination found (codes from ``rules.determinations.OUTCOMES``)."""

    CHOICES = [
        ("violation_established", _("Violation established"), "red"),
        ("not_established", _("Violation not established"), "green"),
        ("insufficient_information", _("Insufficient information"), "grey"),
        ("outside_scope", _("Outside the arrangement's scope"), "grey"),
    ]


class RemedyStateChoices(ChoiceSet):
    """Where a remedy stands (codes from ``rules.determinations.REMEDY_STATES``)."""

    CHOICES = [
        ("open", _("to be done"), "blue"),
        ("done", _("reported done, awaiting verification"), "orange"),
        ("verified", _("verified"), "green"),
    ]


assert tuple(OutcomeChoices.values()) == determinations.OUTCOMES
assert tuple(RemedyStateChoices.values()) == determinations.REMEDY_STATES


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


class ElementChoices(ChoiceSet):
    """The elements of an incident the monitors verify (``rules.verification.ELEMENTS``)."""

    CHOICES = [
        ("presence", _("Presence")),
        ("time", _("Time")),
        ("damage", _("Damage")),
        ("casualties", _("Casualties")),
        ("attribution", _("Attribution")),
    ]


class FindingChoices(ChoiceSet):
    """What the monitors found of one element (``rules.verification.FINDINGS``)."""

    CHOICES = [
        ("established", _("established"), "green"),
        ("partly", _("partly established"), "teal"),
        ("not_established", _("not established"), "orange"),
        ("could_not_verify", _("could not verify"), "grey"),
    ]


class ReasonChoices(ChoiceSet):
    """Why an element was not (fully) verified (``rules.verification.REASONS``)."""

    CHOICES = [
        ("access_denied", _("access denied")),
        ("insufficient_information", _("insufficient information")),
        ("other", _("other reason")),
    ]


assert tuple(ElementChoices.values()) == verification.ELEMENTS
assert tuple(FindingChoices.values()) == verification.FINDINGS
assert tuple(ReasonChoices.values()) == verification.REASONS


class NatureChoices(ChoiceSet):
    """What a case asks of the party it is addressed to."""

    CHOICES = [
        ("complaint", _("Complaint")),
        # Addressed to the party that controls the territory, to act, without alleging
        # that it is responsible.
        ("request_to_act", _("Request to act")),
    ]


class LinkChoices(ChoiceSet):
    """How a linked case relates to the other."""

    CHOICES = [
        ("duplicate", _("duplicate of")),
        ("counter_complaint", _("counter-complaint to")),
    ]
