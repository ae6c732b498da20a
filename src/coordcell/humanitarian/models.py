"""Detainees and missing persons: one file per person, each party's version of it, the
release and access requests with their deadlines, the links to incidents and cases, and
the log of who read the file.

A file is read by its audience only (``core.audience``): by default the reporting party,
the mediators and the agreed access body the file names, never the other party, the
monitors, the donors or the observers unless the reporting party shares it on the record.
Its requests, versions, links and readings are reached only through a file the reader
may read. The person's name, date of birth and identifying details are sealed
(``humanitarian.crypto``): the column holds a token, never the text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, new_reference
from coordcell.humanitarian.choices import RequestKindChoices, RequestStateChoices, StatusChoices

__all__ = ["FileLink", "PersonFile", "Reading", "Request", "Version"]


def file_reference() -> str:
    """A new file's reference, ``PERSON-`` and random characters (no count, no name)."""
    return new_reference("PERSON")


def request_reference() -> str:
    return new_reference("REQ")


class PersonFile(AudienceMixin, PublicIdModel):
    """One detained or missing person: status since when and where, the detention's
    notification, the access body's visits, charge and release, read by its audience.

    ``personal`` is the sealed token of the name, date of birth and identifying details;
    ``personal_digest`` the record's commitment to them (salted, ``crypto.digest``)."""

    reference = models.CharField(
        _("reference"), max_length=40, unique=True, default=file_reference, editable=False
    )
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    reporting_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))
    status = models.CharField(_("status"), max_length=20, choices=StatusChoices.choices())
    since = models.DateTimeField(_("since"), db_index=True)
    place = models.JSONField(_("place"))
    personal = models.TextField()
    personal_digest = models.CharField(max_length=64)
    access_body = models.CharField(_("access body"), max_length=40, blank=True)
    notified_at = models.DateTimeField(_("detention notified at"), null=True, blank=True)
    access_granted_at = models.DateTimeField(_("access granted at"), null=True, blank=True)
    charged_at = models.DateTimeField(_("charged at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    located_at = models.DateTimeField(_("located at"), null=True, blank=True)
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person's file")
        verbose_name_plural = _("persons' files")
        ordering = ["-since", "-pk"]

    def __str__(self) -> str:
        return self.reference


class Version(models.Model):
    """One party's version of the file: who holds the person as that party states it
    (a party's code, or "" for unknown), the status it states, and its words. Every
    statement is kept; the latest of each party is shown side by side with the others."""

    file = models.ForeignKey(PersonFile, on_delete=models.PROTECT, related_name="versions")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    held_by = models.CharField(_("held by"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=StatusChoices.choices())
    statement = models.TextField(_("statement"))
    stated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    stated_at = models.DateTimeField(_("stated at"))

    class Meta:
        ordering = ["party__code", "-stated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.party_id}"


class Request(PublicIdModel):
    """A request to the party addressed (release, or access by the file's body), due at a
    deadline; it ends met (the release or the access recorded in time) or missed (the
    worker, once). ``case``/``remedy`` name the determination that ordered it, if any."""

    reference = models.CharField(
        _("reference"), max_length=40, unique=True, default=request_reference, editable=False
    )
    file = models.ForeignKey(PersonFile, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("request"), max_length=20, choices=RequestKindChoices.choices())
    requested_by = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    addressee = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    state = models.CharField(
        max_length=12, choices=RequestStateChoices.choices(), default=RequestStateChoices.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    case = models.UUIDField(null=True, blank=True)
    case_reference = models.CharField(max_length=40, blank=True)
    remedy = models.UUIDField(null=True, blank=True)
    escalation_level = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="humanitarian_request_due")]

    def __str__(self) -> str:
        return self.reference


class FileLink(models.Model):
    """A link from the file to an incident or a case, by public id: shown to a reader
    only when that reader may read the incident or case too."""

    file = models.ForeignKey(PersonFile, on_delete=models.PROTECT, related_name="links")
    kind = models.CharField(max_length=20)
    target = models.UUIDField()
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["file", "kind", "target"], name="humanitarian_one_link")
        ]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.kind}:{self.target}"


class Reading(models.Model):
    """Someone read the file (its page, or the API): who, of which party, when, where.
    Operational and append-only; read by the file's reporting party and the mediators."""

    file = models.ForeignKey(PersonFile, on_delete=models.PROTECT, related_name="readings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reader = models.CharField(max_length=200)
    party_code = models.CharField(max_length=40, blank=True)
    surface = models.CharField(max_length=20)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.reader}"
