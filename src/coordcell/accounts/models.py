"""People who log in, and the API tokens they hold."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordcell.core.models import PublicIdModel, RestrictedQuerySet

__all__ = ["ApiToken", "User"]


class User(AbstractUser, PublicIdModel):
    """A person with a login. Users are deactivated, never deleted: the record cites them."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_username()


def hash_token_secret(secret: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak working tokens."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(PublicIdModel):
    """A bearer token for the API, owned by one user and acting with that user's roles.

    The clear token is shown once at creation; only its prefix (to find the row) and a
    SHA-256 hash (to check it) are kept.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def access_filter(cls, actor: object, action: str) -> Q:
        """A person sees and manages only their own tokens."""
        user = getattr(actor, "user", None)
        if user is None:
            return Q(pk__in=[])
        return Q(user=user)
