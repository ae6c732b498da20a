"""Evidence files: size and type limits, SHA-256 recorded, stored content-addressed.

The type is read from the file's first bytes, not from what the uploader claims; only the
types below are accepted. The bytes are stored once under their SHA-256 in the data
directory (``files/evidence/ab/abcdef…``), so the same photo attached twice costs nothing
and no file name chosen by a user ever reaches the file system. Files are served only to
those who may see the incident, as attachments, never rendered inline.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import events
from coordcell.incidents.models import Evidence, Incident
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject

__all__ = [
    "ALLOWED_TYPES",
    "add_evidence",
    "evidence_response",
    "open_evidence",
    "sniff_type",
]

#: Accepted types, by their leading bytes.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
ALLOWED_TYPES = frozenset(t for _m, t in _MAGIC) | {"image/webp", "video/mp4", "text/plain"}
_UPLOADER_ROLES = (RoleChoices.PRINCIPAL, RoleChoices.LIAISON_OFFICER, RoleChoices.MONITOR)


def sniff_type(head: bytes) -> str | None:
    """The file's type from its first bytes, or None when it is not an accepted one."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The prefix may end inside a multi-byte character (Arabic, Hebrew): only an
        # incomplete character at the very end is forgiven.
        if exc.reason != "unexpected end of data" or exc.start < len(head) - 3:
            return None
    return "text/plain" if b"\x00" not in head else None


def _clean_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*')
    return cleaned[:200] or "evidence"


def add_evidence(*, actor: Actor, incident: Incident, upload: IO[bytes], filename: str) -> Evidence:
    """Attach a file to an incident the actor may see (an acting member of its audience).

    The bytes are hashed, checked and stored before the transaction opens (storing is
    idempotent: the name is the hash), so the database's write lock is never held while
    a large file is read or written; the row and its record entry then commit together.
    """
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    if (
        actor.system
        or not actor.party_id
        or actor.party_kind == PartyKindChoices.KIND_DONOR
        or not any(actor.has_role(r) for r in _UPLOADER_ROLES)
    ):
        raise PermissionDenied(_("You may not add evidence."))
    limit = settings.EVIDENCE_MAX_BYTES
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = upload.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise ValidationFailed(
                {"file": [_("The file is larger than %(n)s bytes.") % {"n": f"{limit:,}"}]}
            )
        digest.update(chunk)
        chunks.append(chunk)
    if size == 0:
        raise ValidationFailed({"file": [_("The file is empty.")]})
    data = b"".join(chunks)
    kind = sniff_type(data[:64])
    if kind is None:
        raise ValidationFailed(
            {"file": [_("Accepted files: JPEG, PNG, GIF, WebP, PDF, MP4 and plain text.")]}
        )
    sha = digest.hexdigest()
    path = f"evidence/{sha[:2]}/{sha}"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return _record_evidence(actor, incident, sha, size, kind, _clean_name(filename))


@transaction.atomic
def _record_evidence(
    actor: Actor, incident: Incident, sha: str, size: int, kind: str, filename: str
) -> Evidence:
    existing = Evidence.objects.filter(incident=incident, sha256=sha).first()
    if existing is not None:
        return existing
    evidence = Evidence(
        incident=incident,
        sha256=sha,
        size=size,
        content_type=kind,
        filename=filename,
        party_id=actor.party_id,
        uploaded_by=actor.user,
        uploaded_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:  # the same file, attached at the same moment by someone else
        return Evidence.objects.get(incident=incident, sha256=sha)
    append_event(
        actor=actor,
        event_type=events.EVIDENCE_ADDED,
        data={
            "incident": incident.reference,
            "sha256": sha,
            "size": size,
            "content_type": kind,
            "filename": filename,
        },
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=incident.audience_codes,
    )
    return evidence


def open_evidence(actor: Actor, incident: Incident, sha256: str) -> tuple[Evidence, IO[bytes]]:
    """The evidence and its bytes, for someone who may see the incident (else NotFound)."""
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    evidence = Evidence.objects.filter(incident=incident, sha256=sha256).first()
    if evidence is None or not default_storage.exists(evidence.path):
        raise NotFound()
    handle = default_storage.open(evidence.path, "rb")
    actual = hashlib.sha256(handle.read()).hexdigest()
    handle.seek(0)
    if actual != evidence.sha256:
        handle.close()
        raise NotFound()  # the stored bytes were changed: never serve them as the evidence
    return evidence, handle


def evidence_response(evidence: Evidence, handle: IO[bytes]) -> FileResponse:
    """Serve the file as a download, never rendered in the reader's browser."""
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.filename, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
