"""Evidence files: the original sealed, a scrubbed copy released under its hash.

Types by content from an allow-list, limits, who may attach, the chain of custody in the
record, metadata removed from images, text only ever served as text, downloads named by
hash and type, and the original served to the party that attached it and nobody else.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image, ImageCms

from coordcell.cases.models import Case
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import evidence as evidence_files
from coordcell.incidents.evidence import add_evidence, open_evidence, sniff_type
from coordcell.incidents.models import Evidence
from coordcell.record.models import Entry
from tests.conftest import PNG
from tests.integration.api.conftest import NOT_FOUND

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% fictional exhibit\n"
GPS = {1: "N", 2: (33.0, 7.0, 30.0), 3: "E", 4: (35.0, 49.0, 28.0)}
#: Members of the incident's audience who are not of the party that attached the photo.
OTHER_PARTIES = ["sy.liaison", "sy.admin", "mediator", "monitor"]


def _case() -> Case:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case


def _photo_with_gps() -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera and a GPS position (rotated 90°
    by its orientation tag), an ICC profile, a comment and XMP."""
    image = Image.new("RGB", (16, 12), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "FictionalCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = GPS  # GPSInfo
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(
        out, "JPEG", exif=exif, icc_profile=icc, comment=b"taken by the villager",
        xmp=b"<x:xmpmeta>exif:GPSLatitude 33.125</x:xmpmeta>",
    )  # fmt: skip
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825) == GPS
    return data


def _attach(actor: Any, content: bytes, name: str, username: str = "il.liaison") -> Evidence:
    return add_evidence(
        actor=actor(username), incident=_case().incident, upload=io.BytesIO(content),
        filename=name,
    )  # fmt: skip


def test_the_session_photo_is_sealed_and_a_copy_released() -> None:
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.content_type == "image/png"
    assert evidence.path == f"evidence/{evidence.sha256[:2]}/{evidence.sha256}"
    with default_storage.open(evidence.path, "rb") as handle:
        assert handle.read() == PNG
    with default_storage.open(evidence.released_path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == evidence.copy_sha256
    assert evidence.released_path.startswith("evidence/released/")
    assert evidence.copy_sha256 != evidence.sha256  # its text chunk (the author) is dropped


def test_a_photo_comes_back_without_its_gps_and_metadata(actor: Any, client_for: Any) -> None:
    photo = _photo_with_gps()
    evidence = _attach(actor, photo, "IMG_0042 Quneitra.jpg")
    assert evidence.content_type == "image/jpeg"
    assert evidence.copy_sha256 != evidence.sha256

    page = client_for("sy.liaison").get(
        f"/cases/{_case().public_id}/evidence/{evidence.copy_sha256}/"
    )
    assert page.status_code == 200
    released = b"".join(page.streaming_content)
    assert hashlib.sha256(released).hexdigest() == evidence.copy_sha256
    copy = Image.open(io.BytesIO(released))
    assert copy.format == "JPEG"
    assert copy.size == (12, 16)  # turned upright by its orientation before it was dropped
    assert not copy.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(copy.info)
    for trace in (b"FictionalCam", b"villager", b"GPSLatitude", b"Exif\x00\x00", b"ICC_PROFILE"):
        assert trace not in released
    # The original is kept as it came, byte for byte.
    with default_storage.open(evidence.path, "rb") as handle:
        assert handle.read() == photo


def test_the_record_keeps_the_chain_of_custody(actor: Any) -> None:
    photo = _photo_with_gps()
    evidence = _attach(actor, photo, "IMG_0042 Quneitra.jpg")
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "incidents.evidence_added"
    assert entry.party_code == "il"
    assert entry.actor_user_id == actor("il.liaison").user.pk
    assert entry.audience_codes == _case().incident.audience_codes
    assert entry.data["original"] == {
        "sha256": hashlib.sha256(photo).hexdigest(),
        "size": len(photo),
        "content_type": "image/jpeg",
        "served_to": "uploading party",
    }
    assert entry.data["released"] == {
        "sha256": evidence.copy_sha256,
        "size": evidence.copy_size,
        "content_type": "image/jpeg",
        "name": f"{evidence.copy_sha256}.jpg",
        "derived_from": hashlib.sha256(photo).hexdigest(),
        "scrubbed": True,
    }
    # The uploader's file name is the uploading party's: the record does not carry it.
    assert "Quneitra" not in entry.canonical


def test_the_same_original_is_recorded_once(actor: Any) -> None:
    first = _attach(actor, PDF, "a.pdf", "sy.liaison")
    count = Entry.objects.count()
    again = _attach(actor, PDF, "b.pdf", "il.liaison")
    assert again.pk == first.pk
    assert Entry.objects.count() == count


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(document.cookie)</script></html>", "sitrep.html"),
        (b'Set s = CreateObject("WScript.Shell")\r\ns.Run "calc"\r\n', "orders.vbs"),
        ("\ufeffتقرير الموقف (خيالي)".encode(), "report.txt"),
    ],
)
def test_text_is_only_ever_served_as_a_text_attachment(
    actor: Any, client_for: Any, api: Any, content: bytes, name: str
) -> None:
    evidence = _attach(actor, content, name)
    assert evidence.content_type == "text/plain"
    case = _case()
    for response in (
        client_for("sy.liaison").get(f"/cases/{case.public_id}/evidence/{evidence.copy_sha256}/"),
        api("sy.liaison").get(
            f"/api/v1/incidents/{case.incident.public_id}/evidence/{evidence.copy_sha256}"
        ),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{evidence.copy_sha256}.txt"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content) == content.removeprefix(b"\xef\xbb\xbf")
        assert name.encode() not in response.serialize_headers()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.png"),
        (b"MZ\x90\x00" + b"\x00" * 60, "tool.exe"),  # an executable, whatever its name
        (b"\x00\x01\x02\x03" * 8, "photo.jpg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),  # no longer on the list
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "photo.webp"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16, "clip.mp4"),
        (b"\xff\xd8\xff\xe0 not really a JPEG", "broken.jpg"),  # the magic, then garbage
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "broken.png"),
        (b"text with a bell \x07 inside", "odd.txt"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    actor: Any, content: bytes, name: str
) -> None:
    count, files = Entry.objects.count(), Evidence.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _attach(actor, content, name)
    assert refused.value.fields["file"]
    assert (Entry.objects.count(), Evidence.objects.count()) == (count, files)


def test_the_size_limit_holds(actor: Any) -> None:
    with override_settings(EVIDENCE_MAX_BYTES=1000), pytest.raises(ValidationFailed):
        _attach(actor, b"%PDF-" + b"x" * 2000, "big.pdf")


@pytest.mark.parametrize(("username", "error"), [("observer", NotFound), ("donor", NotFound),
                                                 ("il.analyst", PermissionDenied)])  # fmt: skip
def test_who_may_attach(actor: Any, username: str, error: type) -> None:
    with pytest.raises(error):
        _attach(actor, PDF, "x.pdf", username)


def test_copies_are_served_only_to_the_incidents_audience(actor: Any, client_for: Any) -> None:
    case = _case()
    evidence = Evidence.objects.get()
    sha = evidence.copy_sha256
    _evidence, handle = open_evidence(actor("monitor"), case.incident, sha)
    assert hashlib.sha256(handle.read()).hexdigest() == sha
    handle.close()
    for username in ("observer", "donor"):
        with pytest.raises(NotFound):
            open_evidence(actor(username), case.incident, sha)
    page = client_for("sy.liaison").get(f"/cases/{case.public_id}/evidence/{sha}/")
    assert page.status_code == 200
    assert page["Content-Disposition"] == f'attachment; filename="{sha}.png"'
    assert page["Content-Type"] == "image/png"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert client_for("observer").get(f"/cases/{case.public_id}/evidence/{sha}/").status_code == 404
    for missing in ("0" * 64, evidence.sha256):  # the original's hash is not a copy's
        assert (
            client_for("sy.liaison").get(f"/cases/{case.public_id}/evidence/{missing}/").status_code
            == 404
        )


@pytest.mark.parametrize("username", OTHER_PARTIES)
def test_other_parties_cannot_fetch_the_original(
    actor: Any, client_for: Any, api: Any, username: str
) -> None:
    case = _case()
    photo = _photo_with_gps()
    evidence = _attach(actor, photo, "IMG_0042.jpg")
    with pytest.raises(NotFound):
        evidence_files.open_original(actor(username), case.incident, evidence.sha256)
    page = client_for(username).get(f"/cases/{case.public_id}/evidence/{evidence.sha256}/original/")
    assert page.status_code == 404
    client = api(username)
    hidden = client.get(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/{evidence.sha256}/original"
    )
    missing = client.get(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/{'0' * 64}/original"
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == NOT_FOUND
    # The case page names the copy, never the uploader's file name or a link to the original.
    body = client_for(username).get(f"/cases/{case.public_id}/").content.decode()
    assert evidence.copy_sha256 in body
    assert "IMG_0042" not in body
    assert f"/evidence/{evidence.sha256}/original/" not in body


@pytest.mark.parametrize("username", ["il.liaison", "il.analyst"])
def test_the_uploading_party_may_fetch_its_original(
    actor: Any, client_for: Any, api: Any, username: str
) -> None:
    case = _case()
    photo = _photo_with_gps()
    evidence = _attach(actor, photo, "IMG_0042.jpg")
    response = api(username).get(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/{evidence.sha256}/original"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == photo
    assert response["Content-Disposition"] == f'attachment; filename="{evidence.sha256}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client_for(username).get(f"/cases/{case.public_id}/")
    assert f"/evidence/{evidence.sha256}/original/" in page.content.decode()


def test_upload_over_the_api_and_the_page(api: Any, client_for: Any) -> None:
    case = _case()
    response = api("sy.liaison", "token").post(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/",
        {"file": SimpleUploadedFile("exhibit.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["released"]["name"] == f"{body['released']['sha256']}.pdf"
    assert "filename" not in body
    download = api("il.liaison").get(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/{body['released']['sha256']}"
    )
    assert download.status_code == 200
    bad = api("il.liaison").post(
        f"/api/v1/incidents/{case.incident.public_id}/evidence/",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90" + b"\x00" * 61)},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["file"] == [
        "Accepted files: JPEG, PNG, PDF and plain text."
    ]
    page = client_for("il.liaison").post(
        f"/cases/{case.public_id}/evidence/",
        {"file": SimpleUploadedFile("note.txt", b"Witness note (fictional).")},
    )
    assert page.status_code == 302
    assert Evidence.objects.filter(content_type="text/plain").exists()


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"\xff\xd8\xff\xe0", "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf"),
     ("نص".encode(), "text/plain"), (b"<html></html>", "text/plain"),
     (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None), (b"\x00\x00\x00\x18ftypmp42", None),
     (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", None), (b"MZ\x90\x00", None), (b"\x00\xff\x00", None),
     (("a" + "بيان" * 20).encode()[:64], None), (b"  \n", None)],
)  # fmt: skip
def test_types_are_read_from_the_content(data: bytes, kind: str | None) -> None:
    assert sniff_type(data) == kind
