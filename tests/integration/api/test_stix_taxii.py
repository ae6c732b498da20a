"""STIX 2.1 export and import through the API, and the TAXII 2.1 server read by
taxii2-client (the client MISP and OpenCTI use): exactly what each persona may read,
nothing else, not even a reference; invalid bundles refused whole (issue 14)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.db import transaction
from django.test import Client
from django.utils import timezone
from taxii2client.common import TokenAuth, _HTTPConnection
from taxii2client.v21 import Server, as_pages

from coordcell.interop import stix
from coordcell.record.models import Entry
from coordcell.sharing import selectors as sel
from coordcell.sharing import services
from coordcell.sharing.models import AccessLog, Item
from coordcell.sharing.services import ItemInput
from tests.stixcheck import check_tlp2 as run_tlp2_checker

pytestmark = pytest.mark.django_db

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "stix"
PERSONAS = ("mediator", "il.liaison", "il.analyst", "sy.liaison", "monitor", "donor", "observer")
EXPORT = "/api/v1/sharing/stix/"
TAXII = "http://testserver/api/taxii2/"
TAXII_TYPE = "application/taxii+json;version=2.1"
POINT = {"type": "Point", "coordinates": [35.82461, 33.12595]}


@pytest.fixture(scope="module")
def _items_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """The items (``_make_items``), made once per module in a transaction rolled back after
    its last test; each test runs in a savepoint inside it (pytest-django's ``db``), so
    what a test changes (an access log, an import) is undone as usual. Made for each of
    the 22 tests that read them, they cost some 0.1 s of CPU each."""
    from coordcell.accounts.models import User
    from coordcell.core.actor import Actor

    with django_db_blocker.unblock(), transaction.atomic():
        made = _make_items(lambda name: Actor.from_user(User.objects.get(username=name)))
        yield {name: item.pk for name, item in made.items()}
        transaction.set_rollback(True)


@pytest.fixture
def items(db: Any, _items_once: dict[str, int]) -> dict[str, Any]:
    """The module's items by name, read again for each test (its own instances)."""
    fresh = Item.objects.in_bulk(_items_once.values())
    return {name: fresh[pk] for name, pk in _items_once.items()}


def _make_items(actor: Any) -> dict[str, Any]:
    """Items of every tier, a tearline product and a redacted version (fictional)."""
    il, sy, med = actor("il.liaison"), actor("sy.liaison"), actor("mediator")

    def new(who: Any, **fields: Any) -> Any:
        data = {"title": "Convoy seen on the road (fictional exercise)", "tlp": "amber"}
        data.update(fields)
        return services.create_item(actor=who, data=ItemInput(**data))

    made = {
        "il_own": new(
            il,
            title="IL own observation (fictional exercise)",
            tier="originator",
            body="Observation post details",
            geometry=POINT,
            observed_at=timezone.now() - dt.timedelta(hours=2),
            source_reliability="B",
            information_credibility="2",
            releasability=["us", "sy", "*"],
        ),
        "il_mediator": new(
            il,
            title="IL to the mediator (fictional exercise)",
            tier="mediator",
            releasability=["us"],
        ),
        "il_bilateral": new(
            il,
            title="IL to SY (fictional exercise)",
            tier="bilateral",
            counterpart="sy",
            releasability=["us", "sy"],
        ),
        "sy_parties": new(
            sy,
            title="SY to all parties (fictional exercise)",
            tier="parties",
            releasability=["us", "il"],
        ),
        "il_public": new(
            il,
            title="IL public notice (fictional exercise)",
            tier="public",
            tlp="clear",
            releasability=["*"],
        ),
    }
    top, part = services.create_with_tearline(
        actor=med,
        product=ItemInput(
            title="Mediator full assessment (fictional exercise)",
            tier="originator",
            tlp="red",
            body="Sources and methods",
        ),
        below=ItemInput(
            title="Mediator summary below the line (fictional exercise)",
            tier="parties",
            tlp="amber",
            releasability=["il", "sy"],
        ),
    )
    made["med_top"], made["med_part"] = top, part
    made["il_redacted"] = services.redact_item(
        actor=il,
        item=made["il_own"],
        remove=["body", "place", "grades"],
        tier="parties",
        tlp="green",
        title="IL redacted observation (fictional exercise)",
    )
    return made


def readable(actor: Any, username: str, items: dict[str, Any]) -> set[str]:
    """The oracle: the items the sharing app's selector lets the persona read."""
    visible = set(sel.items_visible_to(actor(username)).values_list("public_id", flat=True))
    return {name for name, item in items.items() if item.public_id in visible}


def report_ids(names: set[str], items: dict[str, Any]) -> set[str]:
    return {stix.item_object_ids(str(items[n].public_id))[0] for n in names}


def hidden_traces(items: dict[str, Any], names: set[str]) -> list[str]:
    """What must not appear anywhere in a document for the items ``names``."""
    out = []
    for name in names:
        item = items[name]
        out += [str(item.public_id), item.reference, item.title]
        out += stix.item_object_ids(str(item.public_id))
    return out


def check_tlp2(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    result = run_tlp2_checker(path)
    assert result.returncode == 0, result.stdout
    assert "OK  " in result.stdout


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", PERSONAS)
def test_the_export_holds_exactly_what_the_persona_reads(
    username: str, items: dict[str, Any], actor: Any, api: Any, tmp_path: Path
) -> None:
    response = api(username, "token").get(EXPORT)
    assert response.status_code == 200
    document = response.json()
    assert stix.validate(document) == []  # --strict --enforce-refs
    check_tlp2(document, tmp_path)
    mine = readable(actor, username, items)
    reports = {o["id"] for o in document["objects"] if o["type"] == "report"}
    assert reports == report_ids(mine, items)
    text = json.dumps(document)
    for trace in hidden_traces(items, set(items) - mine):
        assert trace not in text, trace
    ids = {o["id"] for o in document["objects"]}
    for obj in document["objects"]:
        for ref in obj.get("object_refs", []):
            assert ref in ids


def test_the_export_leaves_redacted_fields_out(items: dict[str, Any], api: Any) -> None:
    document = api("sy.liaison", "token").get(EXPORT).json()
    redacted = stix.item_object_ids(str(items["il_redacted"].public_id))
    report = next(o for o in document["objects"] if o["id"] == redacted[0])
    assert "description" not in report
    assert "labels" not in report
    assert "confidence" not in report
    assert redacted[1] not in json.dumps(document)  # no location
    assert "Observation post details" not in json.dumps(document)
    # its source is the originator's alone: no reference to it
    assert stix.item_object_ids(str(items["il_own"].public_id))[0] not in report["object_refs"]


def test_a_tearline_part_names_its_product_only_to_those_who_read_it(
    items: dict[str, Any], api: Any
) -> None:
    top = stix.item_object_ids(str(items["med_top"].public_id))[0]
    part = stix.item_object_ids(str(items["med_part"].public_id))[0]
    for username, names_top in (("mediator", True), ("il.liaison", False)):
        objects = api(username, "token").get(EXPORT).json()["objects"]
        report = next(o for o in objects if o["id"] == part)
        assert (top in report["object_refs"]) is names_top


def test_the_export_filters_and_logs_each_item_it_gives(items: dict[str, Any], api: Any) -> None:
    response = api("il.liaison", "token").get(EXPORT, {"tlp": "clear"})
    reports = {o["id"] for o in response.json()["objects"] if o["type"] == "report"}
    assert reports == report_ids({"il_public"}, items)
    public = items["il_public"]
    assert AccessLog.objects.filter(item=public, surface="export").count() == 1
    assert api("il.liaison", "token").get(EXPORT, {"tlp": "purple"}).status_code == 400


def test_the_identities_name_parties_never_people(
    items: dict[str, Any], api: Any, user: Any
) -> None:
    objects = api("mediator", "token").get(EXPORT).json()["objects"]
    identities = [o for o in objects if o["type"] == "identity"]
    assert {i["identity_class"] for i in identities} == {"organization"}
    text = json.dumps(objects)
    for username in ("il.liaison", "sy.liaison", "mediator"):
        person = user(username)
        for name in (person.get_full_name(), person.email):
            if name:
                assert name not in text


# --- import ------------------------------------------------------------------------------------


def sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "sample-bundle-tlp2.json").read_text())
    return data


def state() -> tuple[int, int]:
    return Item.objects.count(), Entry.objects.count()


def test_a_bundle_is_imported_as_items_of_the_importers_party(api: Any, actor: Any) -> None:
    body = {"bundle": sample(), "tier": "mediator", "releasability": ["us"]}
    response = api("il.liaison", "token").post(EXPORT, body, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()["created"]
    assert len(created) == 2
    imported = {i.external_id: i for i in Item.objects.filter(public_id__in=created)}
    report = imported["report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3"]
    assert (report.title, report.tlp, report.tier) == (
        "Weekly maritime incident summary",
        "green",
        "mediator",
    )
    assert report.originator.code == "il"
    assert (round(report.lat, 3), round(report.lon, 3)) == (11.588, 43.145)
    assert report.observed_at is not None
    assert Entry.objects.filter(
        event_type="sharing.item_created", data__item=report.reference
    ).exists()
    # the same bundle again: nothing new
    again = api("il.liaison", "token").post(EXPORT, body, content_type="application/json")
    assert again.status_code == 201
    assert again.json() == {"created": [], "skipped": sorted(imported)}


def test_tlp1_marking_ids_are_accepted_on_import(api: Any) -> None:
    misp = json.loads((VECTORS / "misp-event-sample.stix21.json").read_text())
    body = {"bundle": misp, "tier": "originator"}
    response = api("sy.liaison", "token").post(EXPORT, body, content_type="application/json")
    assert response.status_code == 201, response.json()
    (public_id,) = response.json()["created"]
    assert Item.objects.get(public_id=public_id).tlp == "amber"


def test_an_invalid_bundle_is_refused_with_reasons_and_leaves_nothing(api: Any) -> None:
    bad = sample()
    report = next(o for o in bad["objects"] if o["type"] == "report")
    del report["published"]
    before = state()
    body = {"bundle": bad, "tier": "originator"}
    response = api("il.liaison", "token").post(EXPORT, body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any("published" in reason for reason in error["fields"]["bundle"])
    assert state() == before


def test_one_bad_object_refuses_the_whole_bundle(api: Any) -> None:
    """The note passes, the report's text is too long for an item: nothing is written."""
    bad = sample()
    report = next(o for o in bad["objects"] if o["type"] == "report")
    report["description"] = "x" * 30_000
    report["object_marking_refs"] = []
    del report["object_marking_refs"]
    before = state()
    body = {"bundle": bad, "tier": "originator"}
    response = api("il.liaison", "token").post(EXPORT, body, content_type="application/json")
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert list(fields) == [report["id"]]
    assert state() == before
    # given a TLP for the unmarked report, it is the text alone that is refused
    body["tlp"] = "amber"
    fields = api("il.liaison", "token").post(EXPORT, body, content_type="application/json").json()
    assert "body" in " ".join(fields["error"]["fields"][report["id"]])
    assert state() == before


def test_an_import_outside_what_the_marking_allows_is_refused(api: Any) -> None:
    """TLP:RED goes to named recipients only: not to all parties."""
    red = sample()
    for obj in red["objects"]:
        if obj["type"] in ("report", "note"):
            obj["object_marking_refs"] = [stix.TLP2["red"]]
    red["objects"].append(
        next(
            o
            for o in json.loads((VECTORS / "tlp2-marking-definitions.json").read_text())["objects"]
            if o["id"] == stix.TLP2["red"]
        )
    )
    before = state()
    body = {"bundle": red, "tier": "parties", "releasability": ["us", "sy"]}
    response = api("il.liaison", "token").post(EXPORT, body, content_type="application/json")
    assert response.status_code == 400
    assert state() == before


def test_donors_and_observers_import_nothing(api: Any) -> None:
    before = state()
    body = {"bundle": sample(), "tier": "originator"}
    response = api("donor", "token").post(EXPORT, body, content_type="application/json")
    assert response.status_code == 403
    assert state() == before


# --- TAXII 2.1, read by taxii2-client ------------------------------------------------------


class DjangoAdapter(requests.adapters.BaseAdapter):
    """Hands taxii2-client's HTTP requests to Django in this process (the test client:
    the whole middleware, authentication and throttling stack, no socket)."""

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        answer = Client(headers=headers).generic(
            request.method, f"{parts.path}?{parts.query}" if parts.query else parts.path
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers.update(dict(answer.items()))
        response._content = answer.content
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def taxii(tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """``taxii("il.liaison")``: a taxii2-client Server with that persona's API token; every
    connection the client opens (it opens one per API root and collection) goes to Django."""
    opened = _HTTPConnection.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        self.session.mount("http://testserver/", DjangoAdapter())

    monkeypatch.setattr(_HTTPConnection, "__init__", init)
    return lambda username: Server(TAXII, auth=TokenAuth(tokens[username]))


@pytest.mark.parametrize("username", PERSONAS)
def test_a_taxii_client_pulls_exactly_what_the_persona_reads(
    username: str, items: dict[str, Any], actor: Any, taxii: Any
) -> None:
    server = taxii(username)
    (root,) = server.api_roots
    assert server.default.url == root.url
    assert TAXII_TYPE in root.versions
    pulled: set[str] = set()
    me = actor(username)
    audiences = set()
    for collection in root.collections:
        assert collection.can_read
        assert not collection.can_write
        objects = []
        for envelope in as_pages(collection.get_objects, per_request=3):
            objects += envelope.get("objects", [])
        for obj in objects:
            pulled.add(obj["id"])
        reports = [o for o in objects if o["type"] == "report"]
        got = {
            i.audience
            for i in Item.objects.filter(
                public_id__in=[_public_id(items, r["id"]) for r in reports]
            )
        }
        assert len(got) <= 1  # one audience per collection
        audiences |= got
        manifest = []
        for envelope in as_pages(collection.get_manifest, per_request=3):
            manifest += envelope.get("objects", [])
        assert [m["id"] for m in manifest] == [o["id"] for o in objects]
    mine = readable(actor, username, items)
    assert {i for i in pulled if i.startswith("report--")} == report_ids(mine, items)
    for audience in audiences:
        assert f"|{me.party_code}|" in audience or audience == "|*|"
    top = stix.item_object_ids(str(items["med_top"].public_id))[0]
    assert (top in pulled) is ("med_top" in mine)


def _public_id(items: dict[str, Any], report: str) -> str:
    return next(
        str(i.public_id)
        for i in items.values()
        if stix.item_object_ids(str(i.public_id))[0] == report
    )


def test_a_collection_filters_by_type_and_pages(items: dict[str, Any], taxii: Any) -> None:
    server = taxii("il.liaison")
    own = max(server.api_roots[0].collections, key=lambda c: len(c.get_manifest()["objects"]))
    everything = own.get_objects()["objects"]
    assert everything
    reports = own.get_objects(type="report")["objects"]
    assert reports
    assert {o["type"] for o in reports} == {"report"}
    first = own.get_objects(limit=1)
    assert first["more"] is True
    assert len(first["objects"]) == 1
    assert own.get_objects(limit=1, next=first["next"])["objects"][0] != first["objects"][0]


def test_the_collections_leak_nothing(
    items: dict[str, Any], api: Any, tokens: dict[str, str]
) -> None:
    def ids_of(username: str) -> set[str]:
        body = api(username, "token").get("/api/taxii2/cell/collections/", HTTP_ACCEPT=TAXII_TYPE)
        assert body["Content-Type"] == TAXII_TYPE
        return {c["id"] for c in body.json()["collections"]}

    il, sy, mediator = ids_of("il.liaison"), ids_of("sy.liaison"), ids_of("mediator")
    hidden = mediator - il
    assert hidden  # the mediator's own collection, at least
    client = api("il.liaison", "token")
    missing = client.get("/api/taxii2/cell/collections/00000000-0000-4000-8000-000000000000/")
    for collection in hidden:
        for tail in ("", "objects/", "manifest/"):
            got = client.get(f"/api/taxii2/cell/collections/{collection}/{tail}")
            assert got.status_code == 404
            assert got.content == missing.content
    for collection in il & sy:  # shared ones: the same id for both, no count in it
        body = client.get(f"/api/taxii2/cell/collections/{collection}/").json()
        assert set(body) == {"id", "title", "can_read", "can_write", "media_types"}


def test_taxii_refuses_what_the_api_refuses(api: Any) -> None:
    assert api(None).get("/api/taxii2/").status_code == 401
    assert api("outsider", "token").get("/api/taxii2/cell/collections/").status_code == 403
    wrong = api("il.liaison", "token").get("/api/taxii2/", HTTP_ACCEPT="application/xml")
    assert wrong.status_code == 406


# --- the console ------------------------------------------------------------------------------


def test_the_command_exports_what_the_account_reads_and_imports_all_or_nothing(
    items: dict[str, Any], actor: Any, tmp_path: Path
) -> None:
    from django.core.management import CommandError, call_command

    out = tmp_path / "sy.json"
    call_command("stix", "export", str(out), "--user", "sy.liaison", stdout=io.StringIO())
    document = json.loads(out.read_text())
    assert stix.validate(document) == []
    reports = {o["id"] for o in document["objects"] if o["type"] == "report"}
    assert reports == report_ids(readable(actor, "sy.liaison", items), items)
    before = state()
    bad = tmp_path / "bad.json"
    broken = sample()
    del next(o for o in broken["objects"] if o["type"] == "report")["published"]
    bad.write_text(json.dumps(broken))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command(
            "stix", "import", str(bad), "--tier", "originator", "--user", "sy.liaison", stderr=err
        )
    assert "published" in err.getvalue()
    assert state() == before
    good = tmp_path / "good.json"
    good.write_text(json.dumps(sample()))
    said = io.StringIO()
    call_command(
        "stix", "import", str(good), "--tier", "originator", "--user", "sy.liaison", stdout=said
    )
    assert "2 item(s) imported" in said.getvalue()
    assert Item.objects.count() == before[0] + 2


# --- the page ---------------------------------------------------------------------------------


def test_the_page_downloads_and_uploads_all_or_nothing(
    items: dict[str, Any], actor: Any, client_for: Any
) -> None:
    client = client_for("sy.liaison")
    page = client.get("/sharing/stix/")
    assert page.status_code == 200
    assert 'href="/sharing/stix/export/"' in page.content.decode()
    download = client.get("/sharing/stix/export/")
    assert download["Content-Type"] == "application/stix+json;version=2.1"
    document = json.loads(download.content)
    assert stix.validate(document) == []
    reports = {o["id"] for o in document["objects"] if o["type"] == "report"}
    assert reports == report_ids(readable(actor, "sy.liaison", items), items)
    broken = sample()
    del next(o for o in broken["objects"] if o["type"] == "report")["published"]
    before = state()
    upload = io.BytesIO(json.dumps(broken).encode())
    upload.name = "bundle.json"
    refused = client.post("/sharing/stix/import/", {"file": upload, "tier": "originator"})
    assert refused.status_code == 400
    assert "published" in refused.content.decode()
    assert state() == before
    upload = io.BytesIO(json.dumps(sample()).encode())
    upload.name = "bundle.json"
    shared = client.post("/sharing/stix/import/", {"file": upload, "tier": "originator"})
    assert shared.status_code == 302
    assert Item.objects.count() == before[0] + 2


def test_a_bundle_nested_too_deeply_is_refused_with_a_reason(api: Any, client_for: Any) -> None:
    """As a JSON string in the API body, and as an uploaded file on the page: 400, no 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    deep = "[" * 50_000 + "]" * 50_000
    answer = api("il.liaison", "token").post(
        EXPORT, {"bundle": deep, "tier": "originator"}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "nested too deeply" in answer.content.decode()
    page = client_for("il.liaison").post(
        "/sharing/stix/import/",
        {"file": SimpleUploadedFile("b.json", deep.encode(), "application/json"),
         "tier": "originator", "tlp": "", "counterpart": "", "releasability": ""},
    )  # fmt: skip
    assert page.status_code == 400
