"""Evidence files: limits, types by content, SHA-256, content-addressed storage, access."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from coordcell.cases.models import Case
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents.evidence import add_evidence, open_evidence, sniff_type
from coordcell.incidents.models import Evidence
from coordcell.record.models import Entry
from tests.conftest import PNG

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% fictional exhibit\n"


def _case() -> Case:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case


def test_the_session_photo_is_stored_under_its_hash() -> None:
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.content_type == "image/png"
    assert evidence.path == f"evidence/{evidence.sha256[:2]}/{evidence.sha256}"
    with default_storage.open(evidence.path, "rb") as handle:
        assert handle.read() == PNG


def test_a_file_is_recorded_with_its_hash_and_deduplicated(actor: Any) -> None:
    incident = _case().incident
    first = add_evidence(
        actor=actor("sy.liaison"), incident=incident, upload=io.BytesIO(PDF), filename="a.pdf"
    )
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "incidents.evidence_added"
    assert entry.data["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entry.audience_codes == incident.audience_codes
    again = add_evidence(
        actor=actor("il.liaison"), incident=incident, upload=io.BytesIO(PDF), filename="b.pdf"
    )
    assert again.pk == first.pk


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.png"),
        (b"MZ\x90\x00" + b"\x00" * 60, "tool.exe"),  # an executable, whatever its name
        (b"\x00\x01\x02\x03" * 8, "photo.jpg"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    actor: Any, content: bytes, name: str
) -> None:
    count = Entry.objects.count()
    with pytest.raises(ValidationFailed):
        add_evidence(
            actor=actor("il.liaison"), incident=_case().incident, upload=io.BytesIO(content),
            filename=name,
        )  # fmt: skip
    assert Entry.objects.count() == count


def test_the_size_limit_holds(actor: Any) -> None:
    with override_settings(EVIDENCE_MAX_BYTES=1000), pytest.raises(ValidationFailed):
        add_evidence(
            actor=actor("il.liaison"), incident=_case().incident,
            upload=io.BytesIO(b"%PDF-" + b"x" * 2000), filename="big.pdf",
        )  # fmt: skip


@pytest.mark.parametrize(("username", "error"), [("observer", NotFound), ("donor", NotFound),
                                                 ("il.analyst", PermissionDenied)])  # fmt: skip
def test_who_may_attach(actor: Any, username: str, error: type) -> None:
    with pytest.raises(error):
        add_evidence(
            actor=actor(username), incident=_case().incident, upload=io.BytesIO(PDF),
            filename="x.pdf",
        )  # fmt: skip


def test_files_are_served_only_to_the_incidents_audience(actor: Any, client_for: Any) -> None:
    case = _case()
    sha = Evidence.objects.get().sha256
    _evidence, handle = open_evidence(actor("monitor"), case.incident, sha)
    assert handle.read() == PNG
    handle.close()
    for username in ("observer", "donor"):
        with pytest.raises(NotFound):
            open_evidence(actor(username), case.incident, sha)
    page = client_for("sy.liaison").get(f"/cases/{case.public_id}/evidence/{sha}/")
    assert page.status_code == 200
    assert page["Content-Disposition"].startswith("attachment;")
    assert page["X-Content-Type-Options"] == "nosniff"
    assert b"".join(page.streaming_content) == PNG
    assert client_for("observer").get(f"/cases/{case.public_id}/evidence/{sha}/").status_code == 404
    assert (
        client_for("sy.liaison").get(f"/cases/{case.public_id}/evidence/{'0' * 64}/").status_code
        == 404
    )


def test_upload_over_the_api_and_the_page(api: Any, client_for: Any) -> None:
    case = _case()
    response = api("sy.liaison", "token").post(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/",
        {"file": SimpleUploadedFile("exhibit.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = api("il.liaison").get(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/{response.json()['sha256']}"
    )
    assert download.status_code == 200
    bad = api("il.liaison").post(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90" + b"\x00" * 61)},
    )
    assert bad.status_code == 400
    page = client_for("il.liaison").post(
        f"/cases/{case.public_id}/evidence/",
        {"file": SimpleUploadedFile("note.txt", b"Witness note (fictional).")},
    )
    assert page.status_code == 302
    assert Evidence.objects.filter(content_type="text/plain").exists()


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"\xff\xd8\xff\xe0", "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf"),
     (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"), (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
     ("نص".encode(), "text/plain"),
     (("a" + "بيان" * 20).encode()[:64], "text/plain"),
     (b"MZ\x90\x00", None), (b"\x00\xff\x00", None)],
)  # fmt: skip
def test_types_are_read_from_the_content(head: bytes, kind: str | None) -> None:
    assert sniff_type(head) == kind
