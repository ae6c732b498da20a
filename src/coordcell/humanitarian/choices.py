"""The fixed vocabularies of detainees and missing persons, with translatable labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet

__all__ = ["RequestKindChoices", "RequestStateChoices", "StatusChoices"]


class StatusChoices(ChoiceSet):
    """Where a person stands, as the file's readers record it (a fact of the file, never a
    verdict on who holds the person: each party's version says that)."""

    DETAINED = "detained"
    MISSING = "missing"
    CHARGED = "charged"
    RELEASED = "released"
    LOCATED = "located"

    CHOICES = [
        (DETAINED, _("Detained"), "orange"),
        (MISSING, _("Missing"), "red"),
        (CHARGED, _("Charged"), "purple"),
        (RELEASED, _("Released"), "green"),
        (LOCATED, _("Located"), "teal"),
    ]


#: The statuses of a file that is still open (counted by ``selectors.open_files_count``).
OPEN_STATUSES = (StatusChoices.DETAINED, StatusChoices.MISSING, StatusChoices.CHARGED)
#: Which status a person may move to from each: release and location end a file.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    StatusChoices.DETAINED: (StatusChoices.CHARGED, StatusChoices.RELEASED),
    StatusChoices.CHARGED: (StatusChoices.RELEASED,),
    StatusChoices.MISSING: (StatusChoices.DETAINED, StatusChoices.LOCATED),
    StatusChoices.RELEASED: (),
    StatusChoices.LOCATED: (),
}


class RequestKindChoices(ChoiceSet):
    """What a request asks of the party addressed."""

    RELEASE = "release"
    ACCESS = "access"

    CHOICES = [
        (RELEASE, _("Release")),
        (ACCESS, _("Access by the agreed body")),
    ]


class RequestStateChoices(ChoiceSet):
    """How a request stands: open until it is met or, at its deadline, missed; overtaken
    when the person is released or located first and there is nothing left to ask."""

    OPEN = "open"
    MET = "met"
    MISSED = "missed"
    OVERTAKEN = "overtaken"

    CHOICES = [
        (OPEN, _("Open"), "blue"),
        (MET, _("Met"), "green"),
        (MISSED, _("Missed"), "red"),
        (OVERTAKEN, _("Overtaken by events"), "grey"),
    ]
