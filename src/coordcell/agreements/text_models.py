"""Authoritative texts and the lexicon's amendments by agreement.

An :class:`OfficialText` is a text the cell issues as official (agreed minutes, a
determination, an agreed outcome): it names its authoritative language, and each
language it exists in is an :class:`OfficialTranslation` with its SHA-256 and its
status (translated by whom, checked by whom, certified by whom). Every version and
every change of status is stated in the record with the hash of each language, so a
reader can prove which words were the official ones. The apps that issue such texts
(``talks`` minutes, ``cases`` determinations, proposals' agreed outcomes) hold a
foreign key to it and write it only through ``agreements.services``.

A :class:`LexiconAmendment` proposes new names for one entry of a version's agreed
lexicon; it is applied only when every party to the arrangement and the mediator have
approved it on the record (:class:`LexiconApproval`), and then read over the version's
own lexicon by ``agreements.selectors.lexicon_of``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.agreements.choices import (
    AmendmentStateChoices,
    ApprovalDecisionChoices,
    OfficialTextKindChoices,
    TranslationStatusChoices,
)
from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, localized_now

__all__ = ["LexiconAmendment", "LexiconApproval", "OfficialText", "OfficialTranslation"]

_USER = settings.AUTH_USER_MODEL


class OfficialText(AudienceMixin, PublicIdModel):
    """A text the cell issues as official, read by its ``audience``.

    ``subject`` names what it is the text of (``talks.minutes:<public id>``, a case's
    reference…), for the record; ``revision`` counts its versions (a revised draft of
    minutes is a new revision of the same text, the former hashes stay in the record)."""

    kind = models.CharField(_("kind"), max_length=20, choices=OfficialTextKindChoices.choices())
    subject = models.CharField(_("subject"), max_length=120)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    authoritative_language = models.CharField(_("authoritative language"), max_length=8)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("official text")
        verbose_name_plural = _("official texts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject}"


class OfficialTranslation(models.Model):
    """The text in one language: its words, their SHA-256 (of the UTF-8 bytes) and how
    far it has come: the authoritative language's text is ``authoritative``; another is
    ``translated`` (by ``translator``), then ``checked``, then ``certified``."""

    text = models.ForeignKey(OfficialText, on_delete=models.PROTECT, related_name="translations")
    language = models.CharField(_("language"), max_length=8)
    body = models.TextField(_("text"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=14, choices=TranslationStatusChoices.choices()
    )
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    translated_at = models.DateTimeField(_("translated at"))
    checked_by = models.CharField(_("checked by"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    certified_by = models.CharField(_("certified by"), max_length=200, blank=True)
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["text", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["text", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text_id}:{self.language}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "text__")


class LexiconAmendment(PublicIdModel):
    """New names proposed for ``section.key`` of ``version``'s lexicon (every member of
    the cell reads it: the lexicon is common ground). ``required`` are the codes of the
    parties whose approval it needs (every party to the arrangement and the mediators,
    fixed when it is proposed); it is ``applied`` when all of them approved, ``refused``
    when one refused, ``withdrawn`` by its proposer."""

    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    section = models.CharField(_("section"), max_length=20)
    key = models.CharField(_("entry"), max_length=80)
    current = models.JSONField(_("current names"), default=dict)
    proposed = models.JSONField(_("proposed names"))
    reason = models.TextField(_("reason"))
    required = models.JSONField(_("approvals required"), default=list)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AmendmentStateChoices.choices(),
        default=AmendmentStateChoices.PENDING,
    )
    proposed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    proposed_by_party = models.CharField(_("proposed by"), max_length=40)
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lexicon amendment")
        verbose_name_plural = _("lexicon amendments")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One open amendment per entry at a time: the cell decides one before the next.
            models.UniqueConstraint(
                fields=["version", "section", "key"],
                condition=Q(state="pending"),
                name="one_pending_amendment_per_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def proposed_name(self) -> str:
        return localized_now(self.proposed)

    @property
    def current_name(self) -> str:
        return localized_now(self.current)

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if action == "view" and getattr(actor, "is_member", False):
            return Q()
        return Q(pk__in=[])


class LexiconApproval(models.Model):
    """One party's decision on an amendment, on the record (``entry_seq``)."""

    amendment = models.ForeignKey(
        LexiconAmendment, on_delete=models.PROTECT, related_name="approvals"
    )
    party_code = models.CharField(_("party"), max_length=40)
    decision = models.CharField(
        _("decision"), max_length=10, choices=ApprovalDecisionChoices.choices()
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    entry_seq = models.PositiveBigIntegerField(_("record entry"))

    class Meta:
        verbose_name = _("lexicon approval")
        verbose_name_plural = _("lexicon approvals")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "party_code"], name="one_decision_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amendment_id}:{self.party_code}:{self.decision}"
