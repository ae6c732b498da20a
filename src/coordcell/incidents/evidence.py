"""Evidence files: the original sealed, a scrubbed copy released under its hash.

An upload is two files. The **original** is kept byte for byte under its SHA-256 and
never served to another party: its hash, size and detected type, who attached it and
when are written to the record (the chain of custody), and only the party that attached
it may fetch it again. The **released copy** is what the incident's audience downloads:
made from the original's content, never from its name, and linked to it by hash in the
same record entry.

- The type is read from the content (leading bytes, and for text the whole file), from
  an allow-list: JPEG, PNG, PDF and plain UTF-8 text. Anything else is refused with a
  message; the name the uploader gave never counts and never reaches a reader.
- Images are decoded and encoded again from their pixels alone (Pillow), turned upright
  first, so EXIF (GPS position, camera, time), XMP, ICC profiles, comments and any bytes
  appended after the image are gone from the copy.
- Text is decoded strictly as UTF-8 (control characters other than tab and line breaks
  refused) and released as ``.txt``, served as ``text/plain; charset=utf-8``: a page or a
  script uploaded as text is only ever text to its reader.
- PDF is released as uploaded: the copy is not scrubbed (its document properties stay);
  docs/cases.md says so to the people who attach one.
- Every download is an attachment named ``<sha256 of the copy>.<extension of the type>``,
  with ``X-Content-Type-Options: nosniff`` and a CSP that allows nothing.

Both files are stored content-addressed in the data directory (``evidence/ab/abcd…`` for
originals, ``evidence/released/ab/abcd…`` for copies), so no name chosen by a user reaches
the file system.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from coordcell.core import audience as audience_codes
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import events
from coordcell.incidents.models import EXTENSIONS, Evidence, Incident
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject

__all__ = [
    "ALLOWED_TYPES",
    "MAX_IMAGE_PIXELS",
    "SealedFile",
    "add_evidence",
    "evidence_response",
    "open_evidence",
    "open_original",
    "open_sealed",
    "release_missing_copies",
    "seal_upload",
    "sealed_response",
    "sniff_type",
]

#: Accepted types, by their leading bytes; plain text is recognised by decoding it whole.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
ALLOWED_TYPES = frozenset(EXTENSIONS)
#: Larger images are refused rather than decoded (a small file can expand to gigabytes).
MAX_IMAGE_PIXELS = 50_000_000
#: Control characters a text file may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\f\r")
_FORBIDDEN_CONTROLS = frozenset(
    chr(c) for c in (*range(0x20), 0x7F) if chr(c) not in _TEXT_CONTROLS_ALLOWED
)
_UPLOADER_ROLES = (RoleChoices.PRINCIPAL, RoleChoices.LIAISON_OFFICER, RoleChoices.MONITOR)
_DOWNLOAD_CSP = "default-src 'none'; sandbox"


def sniff_type(data: bytes) -> str | None:
    """The file's type from its content, or None when it is not an accepted one.

    Images and PDF by their leading bytes; anything else is plain text only if the whole
    file is UTF-8 without NUL or other control characters (tab and line breaks aside).
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip() or any(c in _FORBIDDEN_CONTROLS for c in text):
        return None
    return "text/plain"


class _Refused(Exception):
    """The content claims a type but does not decode as one."""


def _reencode_image(data: bytes, kind: str) -> bytes:
    """The image's pixels alone, upright, encoded again: no metadata survives."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.split("/")[1].upper()]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise _Refused
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Warning) as exc:
        raise _Refused from exc
    if kind == "image/jpeg":
        mode = "L" if upright.mode in ("1", "L", "I;16") else "RGB"
    else:
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        mode = "RGBA" if has_alpha else ("L" if upright.mode in ("1", "L") else "RGB")
    converted = upright.convert(mode)
    # A new image from the raw pixels carries no info dictionary at all (no EXIF, XMP,
    # ICC profile, comment, text chunk or DPI): the encoders below have nothing to copy.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if kind == "image/jpeg":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def _scrub(kind: str, data: bytes) -> bytes:
    """The released copy of an original of type ``kind`` (see the module's docstring)."""
    if kind in ("image/jpeg", "image/png"):
        return _reencode_image(data, kind)
    if kind == "text/plain":
        return data.decode("utf-8").removeprefix("\ufeff").encode("utf-8")
    return data  # PDF: released as uploaded (documented)


@dataclass(frozen=True)
class _Sealed:
    sha256: str
    size: int
    kind: str
    copy_sha256: str
    copy_size: int


def _store(path: str, data: bytes) -> None:
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))


def _read_upload(upload: IO[bytes]) -> bytes:
    limit = settings.EVIDENCE_MAX_BYTES
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
        chunks.append(chunk)
    if size == 0:
        raise ValidationFailed({"file": [_("The file is empty.")]})
    return b"".join(chunks)


def _clean_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*')
    return cleaned[:200] or "evidence"


def add_evidence(*, actor: Actor, incident: Incident, upload: IO[bytes], filename: str) -> Evidence:
    """Attach a file to an incident the actor may see (an acting member of its audience).

    The original is sealed and its scrubbed copy made and stored before the transaction
    opens (storing is idempotent: the name is the hash), so the database's write lock is
    never held while a large file is read, decoded or written; the row and its record
    entry then commit together. ``filename`` is kept for the uploading party only.
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
    data = _read_upload(upload)
    kind = sniff_type(data)
    if kind is None:
        raise ValidationFailed({"file": [_("Accepted files: JPEG, PNG, PDF and plain text.")]})
    try:
        copy = _scrub(kind, data)
    except _Refused:
        raise ValidationFailed(
            {"file": [_("The file looks like an image but cannot be read as one.")]}
        ) from None
    sealed = _Sealed(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        kind=kind,
        copy_sha256=hashlib.sha256(copy).hexdigest(),
        copy_size=len(copy),
    )
    _store(Evidence.original_path_for(sealed.sha256), data)
    _store(Evidence.released_path_for(sealed.copy_sha256), copy)
    return _record_evidence(actor, incident, sealed, _clean_name(filename))


@transaction.atomic
def _record_evidence(actor: Actor, incident: Incident, sealed: _Sealed, filename: str) -> Evidence:
    existing = Evidence.objects.filter(incident=incident, sha256=sealed.sha256).first()
    if existing is not None:
        return existing
    evidence = Evidence(
        incident=incident,
        sha256=sealed.sha256,
        size=sealed.size,
        content_type=sealed.kind,
        filename=filename,
        copy_sha256=sealed.copy_sha256,
        copy_size=sealed.copy_size,
        party_id=actor.party_id,
        uploaded_by=actor.user,
        uploaded_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:  # the same file, attached at the same moment by someone else
        return Evidence.objects.get(incident=incident, sha256=sealed.sha256)
    # Who and when are the entry's own actor, party and time. The uploader's file name
    # is not recorded: the record is read by the whole audience, the name is the
    # uploading party's (it can say who took a photo, or where).
    append_event(
        actor=actor,
        event_type=events.EVIDENCE_ADDED,
        data={
            "incident": incident.reference,
            "original": {
                "sha256": sealed.sha256,
                "size": sealed.size,
                "content_type": sealed.kind,
                "served_to": "uploading party",
            },
            "released": {
                "sha256": sealed.copy_sha256,
                "size": sealed.copy_size,
                "content_type": sealed.kind,
                "name": evidence.released_name,
                "derived_from": sealed.sha256,
                "scrubbed": sealed.kind != "application/pdf",
            },
        },
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=incident.audience_codes,
    )
    return evidence


def release_missing_copies(*, actor: Actor, limit: int = 100) -> int:
    """Release the scrubbed copy of each piece of evidence attached before copies existed
    (the worker's ``incidents.release_copies`` job; ``limit`` per call).

    Until then such evidence reaches nobody outside the uploading party. The original is
    read and checked against its hash, typed from its content and scrubbed exactly as an
    upload is; a type outside the allow-list, or an original that is missing or changed,
    releases nothing (the row is marked so that it is not tried again, and its party
    still has the original). Each release is its own transaction with its record entry.
    Returns the number of copies released.
    """
    released = 0
    pending = list(
        Evidence.objects.filter(copy_sha256="", copy_size__isnull=True)
        .select_related("incident")
        .order_by("pk")[:limit]
    )
    for evidence in pending:
        copy = _copy_of(evidence)
        with transaction.atomic():
            if copy is None:  # nothing to release: recorded for its party, never tried again
                claimed = Evidence.objects.filter(
                    pk=evidence.pk, copy_sha256="", copy_size__isnull=True
                ).update(copy_size=0)
                if claimed:
                    append_event(
                        actor=actor,
                        event_type=events.EVIDENCE_NOT_RELEASED,
                        data={
                            "incident": evidence.incident.reference,
                            "original": {"sha256": evidence.sha256},
                        },
                        subjects=[
                            subject(
                                "incidents.incident",
                                evidence.incident.public_id,
                                evidence.incident.reference,
                            )
                        ],
                        # Only the party that holds the original learns of it.
                        audience=[evidence.party.code]
                        if evidence.party is not None
                        else [audience_codes.CONSOLE_ONLY],
                    )
                continue
            kind, data = copy
            digest = hashlib.sha256(data).hexdigest()
            _store(Evidence.released_path_for(digest), data)
            claimed = Evidence.objects.filter(pk=evidence.pk, copy_sha256="").update(
                copy_sha256=digest, copy_size=len(data), content_type=kind
            )
            if not claimed:  # another worker released it a moment ago
                continue
            evidence.refresh_from_db()
            append_event(
                actor=actor,
                event_type=events.EVIDENCE_RELEASED,
                data={
                    "incident": evidence.incident.reference,
                    "original": {"sha256": evidence.sha256, "content_type": kind},
                    "released": {
                        "sha256": digest,
                        "size": len(data),
                        "content_type": kind,
                        "name": evidence.released_name,
                        "derived_from": evidence.sha256,
                        "scrubbed": kind != "application/pdf",
                    },
                },
                subjects=[
                    subject(
                        "incidents.incident",
                        evidence.incident.public_id,
                        evidence.incident.reference,
                    )
                ],
                audience=evidence.incident.audience_codes,
            )
            released += 1
    return released


def _copy_of(evidence: Evidence) -> tuple[str, bytes] | None:
    """The type and scrubbed copy of an original as stored, or None if there is none."""
    try:
        with _open_checked(evidence.original_path, evidence.sha256) as handle:
            data = handle.read()
    except NotFound:
        return None
    kind = sniff_type(data)
    if kind is None:
        return None
    try:
        return kind, _scrub(kind, data)
    except _Refused:
        return None


def _open_checked(path: str, sha256: str) -> IO[bytes]:
    if not default_storage.exists(path):
        raise NotFound()
    handle = default_storage.open(path, "rb")
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    if digest.hexdigest() != sha256:
        handle.close()
        raise NotFound()  # the stored bytes were changed: never serve them as the evidence
    return handle


def open_evidence(actor: Actor, incident: Incident, sha256: str) -> tuple[Evidence, IO[bytes]]:
    """The released copy whose hash is ``sha256``, for the incident's audience (else NotFound)."""
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    evidence = (
        Evidence.objects.filter(incident=incident, copy_sha256=sha256).order_by("pk").first()
        if sha256
        else None
    )
    if evidence is None:
        raise NotFound()
    return evidence, _open_checked(evidence.released_path, sha256)


def open_original(actor: Actor, incident: Incident, sha256: str) -> tuple[Evidence, IO[bytes]]:
    """The sealed original, for members of the party that attached it only (else NotFound).

    Another party, the mediator included, gets the same 404 as for a file that does not
    exist: the original may locate the person who made it.
    """
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    evidence = Evidence.objects.filter(incident=incident, sha256=sha256).first()
    if evidence is None or not evidence.original_visible_to(actor):
        raise NotFound()
    return evidence, _open_checked(evidence.original_path, sha256)


def evidence_response(
    evidence: Evidence, handle: IO[bytes], *, original: bool = False
) -> FileResponse:
    """Serve a file as a download named by hash and type, never rendered in the browser."""
    sha = evidence.sha256 if original else evidence.copy_sha256
    extension = EXTENSIONS.get(evidence.content_type)
    content_type = evidence.content_type if extension else "application/octet-stream"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{sha}.{extension or 'bin'}",  # an original attached before the allow-list
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = _DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response


# --- the same rules for other apps' files (sharing.Attachment) -----------------------------


@dataclass(frozen=True)
class SealedFile:
    """An upload checked, sealed and scrubbed by the rules above, both files stored."""

    sha256: str
    size: int
    content_type: str
    copy_sha256: str
    copy_size: int


def seal_upload(upload: IO[bytes]) -> SealedFile:
    """Read an upload under the evidence limits, type it from its content, scrub its copy
    and store both content-addressed (idempotent); ``ValidationFailed`` on ``file`` when
    it is empty, too large, of a type outside the allow-list or a broken image. No row is
    written: the caller records the file in its own transaction."""
    data = _read_upload(upload)
    kind = sniff_type(data)
    if kind is None:
        raise ValidationFailed({"file": [_("Accepted files: JPEG, PNG, PDF and plain text.")]})
    try:
        copy = _scrub(kind, data)
    except _Refused:
        raise ValidationFailed(
            {"file": [_("The file looks like an image but cannot be read as one.")]}
        ) from None
    sealed = SealedFile(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=kind,
        copy_sha256=hashlib.sha256(copy).hexdigest(),
        copy_size=len(copy),
    )
    _store(Evidence.original_path_for(sealed.sha256), data)
    _store(Evidence.released_path_for(sealed.copy_sha256), copy)
    return sealed


def open_sealed(sha256: str, *, original: bool) -> IO[bytes]:
    """A stored file by its hash, checked against it (``NotFound`` if missing or changed).
    The caller has already decided that the reader may have it."""
    path = Evidence.original_path_for(sha256) if original else Evidence.released_path_for(sha256)
    return _open_checked(path, sha256)


def sealed_response(sha256: str, content_type: str, handle: IO[bytes]) -> FileResponse:
    """Serve a sealed file as :func:`evidence_response` does: a download named by hash."""
    extension = EXTENSIONS.get(content_type)
    served_type = content_type if extension else "application/octet-stream"
    if served_type == "text/plain":
        served_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{sha256}.{extension or 'bin'}",
        content_type=served_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = _DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response
