"""``Idempotency-Key`` for every API POST: a retry after a lost answer creates nothing twice.

A client that sends ``POST /api/v1/…`` with an ``Idempotency-Key`` header and gets no
answer (a dropped connection, a timeout) sends the same request again with the same key.
The first request that completes keeps its answer here; a repeat by the same person
with the same key gets that answer back (same status, same body, with
``Idempotent-Replayed: true``) and changes nothing. The same key with a different
request (another body, path or method) is refused with 422.

How it holds under failure and concurrency:

- The key's row is written in the same transaction as the request's own changes: the
  view runs inside it, and the answer is stored before it commits. Either both are kept
  or neither, so a request that failed half-way leaves nothing and may be retried.
- ``(user, key)`` is unique in the database. A second try that arrives while the first
  runs waits for the first's transaction (PostgreSQL: on the unique index; SQLite: on
  the write lock), then finds its row and replays it.
- Only final answers are kept: successes (2xx) and refusals of the request itself (other
  4xx). After a server error, or 401, 403, 409 or 429 (which may change with time), the
  transaction is rolled back and the key stays free.
- Keys expire after ``COORDCELL_IDEMPOTENCY_HOURS``; the worker deletes expired rows.

The person is identified the way the API identifies them (its authentication classes);
a request the API would not authenticate is passed on untouched, and the API refuses it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext

from coordcell.core.models import IdempotencyKey
from coordcell.core.worker import job

__all__ = ["HEADER", "IdempotencyMiddleware", "add_header_to_schema", "purge_expired_keys"]

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_PREFIX = "/api/v1/"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
#: Answers that may change when the same request is sent again later: not kept.
_TRANSIENT = {401, 403, 408, 409, 429}


def _error(status: int, code: str, message: str) -> JsonResponse:
    # The shape of coordcell.api.errors.error_body (core does not depend on the API).
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _identify(request: HttpRequest) -> Any:
    """The person the API would take this request to be, or None."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    classes: list[Any] = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    had_user = hasattr(request, "user")
    original: Any = getattr(request, "user", None)
    try:
        user: Any = Request(request, authenticators=[cls() for cls in classes]).user
    except APIException:
        return None
    finally:
        # DRF sets request.user as it authenticates; the view will do so itself.
        if had_user:
            request.user = original
    return user if user is not None and user.is_authenticated else None


def _fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what makes two requests "the same": method, path, content and type."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\0")
    if request.content_type == "multipart/form-data":
        # The stream is parsed once (Django keeps the result, and the API reads it from
        # there); file parts are hashed from their temporary files.
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(f"field\0{name}\0{value}\0".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"file\0{name}\0{upload.name}\0{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response[REPLAYED] = "true"
    return response


def _final(response: HttpResponse) -> bool:
    """Whether the same request sent again must get this answer again."""
    return 200 <= response.status_code < 500 and response.status_code not in _TRANSIENT


class IdempotencyMiddleware:
    """Apply ``Idempotency-Key`` to every ``POST /api/v1/…`` (see the module's text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(_PREFIX):
            return self.get_response(request)
        if not _VALID_KEY.fullmatch(key):
            return _error(
                400,
                "invalid_idempotency_key",
                gettext("The Idempotency-Key header must be 1 to 255 visible ASCII characters."),
            )
        try:
            fingerprint = _fingerprint(request)
        except RequestDataTooBig:
            return _error(
                413,
                "too_large",
                gettext("A request with an Idempotency-Key may carry at most 2.5 MB of data."),
            )
        user = _identify(request)
        if user is None:
            return self.get_response(request)
        now = timezone.now()
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=user, key=key, expires_at__lte=now).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        fingerprint=fingerprint,
                        expires_at=now + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
                    )
            except IntegrityError:
                record = None
            if record is not None:
                response = self.get_response(request)
                if not _final(response):
                    # Nothing of a failed or transient try is kept, the key included.
                    transaction.set_rollback(True)
                elif response.streaming:
                    # Done, but its answer cannot be kept: the key stays free.
                    record.delete()
                else:
                    record.status_code = response.status_code
                    record.content_type = response.get("Content-Type", "")
                    record.location = response.get("Location", "")
                    record.body = response.content
                    record.save(update_fields=["status_code", "content_type", "location", "body"])
                return response
            earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
        if earlier is None or earlier.status_code is None:
            return _error(
                409,
                "idempotency_key_in_use",
                gettext("A request with this Idempotency-Key is still being handled; retry later."),
            )
        if earlier.fingerprint != fingerprint:
            return _error(
                422,
                "idempotency_key_reused",
                gettext(
                    "This Idempotency-Key was used for a different request. "
                    "Use a new key for a new request."
                ),
            )
        return _replay(earlier)


@job("core.idempotency_keys")
def purge_expired_keys(now: dt.datetime) -> int:
    """Delete the answers kept for keys that have expired."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now).delete()
    return deleted


def add_header_to_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: declare the header on every API POST."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        "description": (
            "Send the same key again to retry this request safely: the first answer is "
            f"returned (with `{REPLAYED}: true`) and nothing is done twice. "
            "See docs/api.md."
        ),
    }
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post") if path.startswith("/api/v1/") else None
        if post is not None:
            post.setdefault("parameters", []).append(parameter)
    return result
