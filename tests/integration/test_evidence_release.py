"""Evidence attached before released copies existed: the worker releases a scrubbed copy
of each, recorded, so the incident's audience can read it again; what cannot be released
(a type outside the allow-list, a changed original) stays with the uploading party."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from coordcell.core.actor import Actor
from coordcell.core.worker import registered_jobs
from coordcell.incidents.evidence import release_missing_copies
from coordcell.incidents.models import Evidence, Incident
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 8), (200, 10, 10))
    exif = Image.Exif()
    exif[0x8825] = {2: (33.0, 7.0, 30.0), 1: "N"}  # GPSInfo: a latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _old_evidence(user: Any, data: bytes, content_type: str, name: str) -> Evidence:
    """A row as the code before released copies wrote it: the original only."""
    incident = Incident.objects.order_by("pk").first()
    assert incident is not None
    digest = hashlib.sha256(data).hexdigest()
    path = Evidence.original_path_for(digest)
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    liaison = user("il.liaison")
    return Evidence.objects.create(
        incident=incident,
        sha256=digest,
        size=len(data),
        content_type=content_type,
        filename=name,
        party_id=Actor.from_user(liaison).party_id,
        uploaded_by=liaison,
        uploaded_at=timezone.now(),
    )


def test_the_worker_releases_a_scrubbed_recorded_copy_of_old_evidence(user, client_for) -> None:
    photo = _jpeg_with_gps()
    old = _old_evidence(user, photo, "image/jpeg", "IMG_0001 (fictional).jpg")
    page = Client()
    page.force_login(user("sy.liaison"))
    base = f"/api/v1/incidents/{old.incident.public_id}/evidence/"
    assert old.released_name == ""
    before = Entry.objects.count()

    job = next(j for j in registered_jobs() if j.name == "incidents.release_copies")
    assert job.func(None) == 1  # type: ignore[arg-type]
    assert release_missing_copies(actor=Actor.console("tests")) == 0  # once only

    old.refresh_from_db()
    assert old.copy_sha256
    assert old.copy_size
    copy = default_storage.open(old.released_path, "rb").read()
    assert hashlib.sha256(copy).hexdigest() == old.copy_sha256
    assert b"Exif" not in copy
    assert photo != copy
    assert Image.open(io.BytesIO(copy)).getexif() == {}
    entry = Entry.objects.order_by("-seq").first()
    assert Entry.objects.count() == before + 1
    assert entry.event_type == "incidents.evidence_released"
    assert entry.data["released"]["derived_from"] == old.sha256
    assert entry.audience == old.incident.audience
    # The other party reads the copy again, under its hash-built name.
    response = page.get(f"{base}{old.copy_sha256}")
    assert response.status_code == 200
    assert f'filename="{old.copy_sha256}.jpg"' in response["Content-Disposition"]


def test_what_cannot_be_released_stays_sealed_and_is_not_tried_again(user) -> None:
    page = _old_evidence(user, b"<html><script>alert(1)</script></html>\x00", "text/html", "a.html")
    assert release_missing_copies(actor=Actor.console("tests")) == 0
    page.refresh_from_db()
    assert (page.copy_sha256, page.copy_size) == ("", 0)
    assert page.released_name == ""
    entry = Entry.objects.order_by("-seq").first()
    assert entry.event_type == "incidents.evidence_not_released"
    assert entry.data["original"]["sha256"] == page.sha256
    assert entry.audience == "|il|"  # only the party that holds the original
    before = Entry.objects.count()
    assert release_missing_copies(actor=Actor.console("tests")) == 0
    assert Entry.objects.count() == before
