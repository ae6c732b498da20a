"""Base model pieces shared by every domain app."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language

from coordcell.rules.arrangement import localized

__all__ = [
    "IdempotencyKey",
    "LocalizedNamesMixin",
    "PublicIdModel",
    "RestrictedQuerySet",
    "WorkerBeat",
    "localized_now",
    "new_reference",
]


class RestrictedQuerySet(models.QuerySet[Any]):
    """A queryset that can be narrowed to what an actor may see or do.

    Each model states its own rule in ``access_filter(actor, action)``, returning a
    ``Q``; ``restrict`` applies it. Reads in selectors always go through here, so an
    object the actor may not see is simply absent (and answers 404 like a missing one).
    """

    def restrict(self, actor: Any, action: str = "view") -> RestrictedQuerySet:
        access_filter = getattr(self.model, "access_filter", None)
        if access_filter is None:
            raise TypeError(f"{self.model.__name__} defines no access_filter()")
        q: Q = access_filter(actor, action)
        return self.filter(q)


class PublicIdModel(models.Model):
    """A model addressed in URLs and the API by a random UUID, never by its row id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


#: Crockford's base32: no I, L, O or U, so a reference read aloud or typed is not misread.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Random characters in a reference: 12 × 5 = 60 bits, so that even a million imported
#: rows are unlikely to draw the same one twice (the unique constraint catches it if so).
REFERENCE_CHARS = 12


def new_reference(prefix: str) -> str:
    """A short human reference that carries no count: ``INC-7K3Q-9MX2-4HZD``.

    Random, not derived from the row id or a counter, so two references say nothing of
    how many rows were made between them, or when (``docs/security.md``). Each model
    stores its own at creation (a ``reference`` field with a unique constraint).
    """
    chars = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(REFERENCE_CHARS))
    groups = [chars[i : i + 4] for i in range(0, REFERENCE_CHARS, 4)]
    return "-".join([prefix, *groups])


class LocalizedNamesMixin(models.Model):
    """A ``names`` field of ``{"en": …, "ar": …, "he": …}``; ``name`` follows the language."""

    names = models.JSONField(default=dict)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return localized(self.names, get_language() or "en")


def localized_now(names: dict[str, str]) -> str:
    """``names`` in the active UI language (English fallback)."""
    return localized(names, get_language() or "en")


class WorkerBeat(models.Model):
    """When each worker process last completed a pass (shown to operators on the status page).

    Operational state, not the cell's: it is not recorded in the record.
    """

    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    last_beat_at = models.DateTimeField()
    passes = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """The answer to one API POST sent with an ``Idempotency-Key`` (``core/idempotency.py``).

    One row per person and key (a unique constraint, so two concurrent tries cannot both
    run); written in the same transaction as whatever the request changed, so the answer
    is kept exactly when the change is. Operational state, not the cell's: not recorded.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    #: SHA-256 of the method, path, content type and body the key was first used with.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    body = models.BinaryField(default=b"")

    class Meta:
        verbose_name = "idempotency key"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key
