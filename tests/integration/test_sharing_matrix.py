"""The authorization matrix of shared items: every audience tier × persona × surface.

An item outside one's audience must be indistinguishable from one that does not exist
on every surface of issue 14, point 4: pages and API (detail, lists, counts, pagination
totals, search, facets, files, the access log, the consent inbox and every action), the
record (entries and proofs), webhook deliveries, and the work done before the access
check. Each surface is a row of ``PAGE_SURFACES`` / ``API_SURFACES`` / ``OTHER_SURFACES``;
``test_every_sharing_route_is_in_the_matrix`` fails when a route of the sharing app (or
an API route served by it) is added without a row, so a new surface cannot escape.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from coordcell.sharing import selectors, services
from coordcell.sharing.models import ConsentRequest, Item
from coordcell.sharing.services import ItemInput
from tests.conftest import PNG

pytestmark = pytest.mark.django_db

#: Every persona of the cell but the administrators (who read as their party does).
PERSONAS = (
    "mediator",
    "il.liaison",
    "il.analyst",
    "sy.liaison",
    "sy.analyst",
    "monitor",
    "donor",
    "observer",
)
IL = ("il.liaison", "il.analyst")
SY = ("sy.liaison", "sy.analyst")
#: Who reads an item of each tier that Israel originates (REL as wide as the tier needs).
READERS = {
    "originator": set(IL),
    "mediator": {*IL, "mediator"},
    "bilateral": {*IL, *SY, "mediator"},
    "parties": {*IL, *SY, "mediator"},
    "public": set(PERSONAS),
}
TIERS = tuple(READERS)
_SPEC: dict[str, dict[str, Any]] = {
    "originator": {"releasability": [], "tlp": "amber"},
    "mediator": {"releasability": ["us"], "tlp": "amber"},
    "bilateral": {"releasability": ["us", "sy"], "tlp": "amber", "counterpart": "sy"},
    "parties": {"releasability": ["us", "sy", "*"], "tlp": "clear"},
    "public": {"releasability": ["*"], "tlp": "clear"},
}
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@dataclass
class Made:
    """What the module's tests read, made once (``_made_once``)."""

    items: dict[str, Item]
    markers: dict[str, str]
    files: dict[str, str]
    requests: dict[str, ConsentRequest]
    first_seq: int


@dataclass
class World(Made):
    """The module's items, with what each test makes for itself."""

    clients: dict[str, Client]
    actors: dict[str, Actor]
    missing: uuid.UUID = field(default_factory=uuid.uuid4)
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)

    def visible(self, tier: str, persona: str) -> bool:
        return persona in READERS[tier]

    def once(self, persona: str, asked: str, send: Callable[[], Any]) -> Any:
        """The answer to ``send``, sent once per test and persona: a request that names no
        tier (a list, a count, an export, the same action on the missing id) gets the
        same answer in each of the five tiers' checks, which all read it. Sent for each
        cell, these were about a third of the module's requests."""
        key = (persona, asked)
        if key not in self.answers:
            self.answers[key] = send()
        return self.answers[key]

    def get(self, persona: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """The persona's ``GET`` of ``path``, sent once per test (:meth:`once`)."""
        return self.once(
            persona, f"GET {path} {params}", lambda: self.clients[persona].get(path, params)
        )


@pytest.fixture(scope="module")
def _made_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Made]:
    """One item of each tier, originated by Israel, each with a file and a pending
    consent request that names every party as a consenter (so only the audience rule
    keeps it out of an inbox), and an active webhook for every party.

    Made once per module and worker in a transaction rolled back after the module's last
    test; each test runs in a savepoint inside it (pytest-django's ``db``), so what a test
    changes (an access logged, a request's write) is undone before the next one, which
    starts from these rows alone. Made for each of the 45 tests, they were about a third
    of the module's time."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _make()
        transaction.set_rollback(True)


def _make() -> Made:
    first_seq = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    now = timezone.now()
    for party in Party.objects.all():
        Webhook.objects.create(
            party=party, url=f"https://hooks.{party.code}.example/x", secret="s", created_at=now
        )
    il = Actor.from_user(User.objects.get(username="il.liaison"))
    items, markers, files, requests = {}, {}, {}, {}
    for tier in TIERS:
        marker = f"MARK{uuid.uuid4().hex[:12]}"
        item = services.create_item(
            actor=il,
            data=ItemInput(
                title=f"{marker} observation (fictional exercise)",
                body=f"{marker} text",
                tier=tier,
                **_SPEC[tier],
            ),
        )
        attachment = services.add_attachment(
            actor=il, item=item, upload=io.BytesIO(PNG), filename="f.png"
        )
        with transaction.atomic():
            requests[tier] = ConsentRequest.objects.create(
                item=item,
                action="widen",
                from_tier=tier,
                to_tier=tier,
                consenters="|"
                + "|".join(sorted(Party.objects.values_list("code", flat=True)))
                + "|",
                requested_by_party=Party.objects.get(code="il"),
            )
        items[tier], markers[tier], files[tier] = item, marker, attachment.copy_sha256
    return Made(items=items, markers=markers, files=files, requests=requests, first_seq=first_seq)


@pytest.fixture
def world(_made_once: Made, actor: Any, client_for: Any) -> World:
    """The module's items (``_made_once``), with a client of each persona's own and
    each persona as an ``Actor``, made for this test."""
    return World(
        **vars(_made_once),
        clients={p: client_for(p) for p in PERSONAS},
        actors={p: actor(p) for p in PERSONAS},
    )


def _same(a: Any, b: Any, hidden: object, missing: object) -> None:
    """Two answers identical once the ids asked for are set aside (and form tokens)."""
    assert a.status_code == b.status_code
    body_a = _CSRF.sub("", a.content.decode()).replace(str(hidden), "ID")
    body_b = _CSRF.sub("", b.content.decode()).replace(str(missing), "ID")
    assert body_a == body_b
    assert a.get("Content-Type") == b.get("Content-Type")


def _rolled_back(send: Callable[[], Any]) -> Any:
    """Send a request and undo whatever it wrote (each cell of the matrix starts alike)."""
    with transaction.atomic():
        response = send()
        transaction.set_rollback(True)
    return response


# --- the checks: one per surface ------------------------------------------------------------


def _lists(path: str) -> Callable[[World, str, str, bool], None]:
    """A page that lists items: the marker and reference appear exactly for readers."""

    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        response = w.get(persona, path)
        assert response.status_code == 200
        body = response.content.decode()
        assert (w.markers[tier] in body) == visible
        assert (w.items[tier].reference in body) == visible

    return check


def _page_search(w: World, tier: str, persona: str, visible: bool) -> None:
    body = w.clients[persona].get("/sharing/", {"q": w.markers[tier]}).content.decode()
    assert (w.items[tier].reference in body) == visible
    facets = w.clients[persona].get("/sharing/", {"q": w.markers[tier], "tier": tier})
    assert (w.items[tier].reference in facets.content.decode()) == visible


def _page_item(suffix: str, *, originator_only: bool = False) -> Callable[..., None]:
    """GET of an item's page: the item for its readers, the missing 404 for the rest."""

    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        item = w.items[tier]
        hidden_path = f"/sharing/{item.public_id}/{suffix.format(sha=w.files[tier])}"
        missing_path = f"/sharing/{w.missing}/{suffix.format(sha=w.files[tier])}"
        allowed = visible and (not originator_only or persona in IL)
        response = w.clients[persona].get(hidden_path)
        if allowed:
            assert response.status_code == 200
            return
        _same(response, w.get(persona, missing_path), item.public_id, w.missing)
        assert response.status_code == 404

    return check


def _page_post(suffix: str, data: dict[str, Any], *, on: str = "item") -> Callable[..., None]:
    """POST of an action: for a hidden item (or request), the missing 404 and no write."""

    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        target = w.items[tier].public_id if on == "item" else w.requests[tier].public_id
        base = "/sharing/" if on == "item" else "/sharing/consent/"
        payload = {k: (v() if callable(v) else v) for k, v in data.items()}
        before = Entry.objects.count()
        client = w.clients[persona]
        response = _rolled_back(lambda: client.post(f"{base}{target}/{suffix}", payload))
        if visible:
            assert response.status_code != 404
            return

        def send_missing() -> Any:
            fresh = {k: (v() if callable(v) else v) for k, v in data.items()}  # new uploads
            return _rolled_back(lambda: client.post(f"{base}{w.missing}/{suffix}", fresh))

        missing = w.once(persona, f"POST {base}{w.missing}/{suffix} {data!r}", send_missing)
        _same(response, missing, target, w.missing)
        assert response.status_code == 404
        assert Entry.objects.count() == before

    return check


def _page_new(w: World, tier: str, persona: str, visible: bool) -> None:
    body = w.get(persona, "/sharing/new/").content.decode()
    assert w.markers[tier] not in body


def _api_list(w: World, tier: str, persona: str, visible: bool) -> None:
    body = w.get(persona, "/api/v1/shared-items/", {"page_size": "1"}).json()
    readable = sum(persona in READERS[t] for t in TIERS)
    assert body["count"] == readable  # the pagination total counts what one reads
    every = w.get(persona, "/api/v1/shared-items/").json()["results"]
    assert (str(w.items[tier].public_id) in {r["id"] for r in every}) == visible
    search = w.clients[persona].get("/api/v1/shared-items/", {"q": w.markers[tier]}).json()
    assert search["count"] == int(visible)
    only = w.clients[persona].get("/api/v1/shared-items/", {"tier": tier}).json()
    assert only["count"] == int(visible)


def _api_create(w: World, tier: str, persona: str, visible: bool) -> None:
    """Sharing a new item links only what the author sees: a link to a hidden shared
    item's id is no link at all (links name incidents, cases and positions), and the
    answer names no other item."""
    client = w.clients[persona]
    body = {"title": "New (fictional exercise)", "tier": "originator", "tlp": "amber"}
    response = _rolled_back(
        lambda: client.post("/api/v1/shared-items/", body, content_type="application/json")
    )
    for marker in w.markers.values():
        assert marker not in response.content.decode()


def _api_facets(w: World, tier: str, persona: str, visible: bool) -> None:
    body = w.get(persona, "/api/v1/shared-items/facets/").json()
    readable = sum(persona in READERS[t] for t in TIERS)
    assert sum(body["tier"].values()) == readable
    assert (tier in body["tier"]) == visible
    one = w.clients[persona].get("/api/v1/shared-items/facets/", {"q": w.markers[tier]}).json()
    assert sum(one["tier"].values()) == int(visible)


def _api_item(suffix: str, *, originator_only: bool = False) -> Callable[..., None]:
    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        item = w.items[tier]
        path = suffix.format(sha=w.files[tier])
        response = w.clients[persona].get(f"/api/v1/shared-items/{item.public_id}/{path}")
        if visible and (not originator_only or persona in IL):
            assert response.status_code == 200
            return
        missing = w.get(persona, f"/api/v1/shared-items/{w.missing}/{path}")
        _same(response, missing, item.public_id, w.missing)
        assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}

    return check


def _api_post(
    suffix: str, body: dict[str, Any] | None, *, on: str = "item", multipart: bool = False
) -> Callable[..., None]:
    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        target = w.items[tier].public_id if on == "item" else w.requests[tier].public_id
        base = "/api/v1/shared-items/" if on == "item" else "/api/v1/consent-requests/"
        client = w.clients[persona]

        def send(to: object) -> Any:
            if multipart:
                return client.post(f"{base}{to}/{suffix}", {"file": io.BytesIO(PNG)})
            return client.post(f"{base}{to}/{suffix}", body or {}, content_type="application/json")

        before = Entry.objects.count()
        response = _rolled_back(lambda: send(target))
        if visible:
            assert response.status_code != 404
            return
        missing = w.once(
            persona,
            f"POST {base}{w.missing}/{suffix} {body!r} {multipart}",
            lambda: _rolled_back(lambda: send(w.missing)),
        )
        _same(response, missing, target, w.missing)
        assert response.status_code == 404
        assert Entry.objects.count() == before

    return check


def _api_inbox(w: World, tier: str, persona: str, visible: bool) -> None:
    rows = w.get(persona, "/api/v1/consent-requests/").json()
    ids = {r["id"] for r in rows["results"]}
    assert (str(w.requests[tier].public_id) in ids) == visible
    assert rows["count"] == sum(persona in READERS[t] for t in TIERS)


def _record_entries(w: World, tier: str, persona: str, visible: bool) -> None:
    """The record's entries (and proofs) about an item are read by its audience alone."""
    client = w.clients[persona]
    rows = w.get(persona, "/api/v1/record/entries", {"after": w.first_seq, "limit": 1000}).json()
    about = [r for r in rows if w.items[tier].reference in str(r)]
    assert bool(about) == visible
    seq = (
        Entry.objects.filter(seq__gt=w.first_seq, data__item=w.items[tier].reference)
        .order_by("seq")
        .values_list("seq", flat=True)[0]
    )
    proof = client.get(f"/api/v1/record/entries/{seq}/proof")
    assert (proof.status_code == 200) == visible
    page = w.get(persona, "/record/").content.decode()
    assert w.markers[tier] not in page or visible


def _deliveries(w: World, tier: str, persona: str, visible: bool) -> None:
    """Webhook news of an item goes to its audience's parties only."""
    code = w.actors[persona].party_code
    sent = Delivery.objects.filter(
        subject_type="sharing.item", body__contains=str(w.items[tier].public_id)
    ).values_list("webhook__party__code", flat=True)
    assert (code in set(sent)) == visible


def _work_before_the_check(w: World, tier: str, persona: str, visible: bool) -> None:
    """Hidden costs what missing costs: the same queries, for the page and the API."""
    if visible:
        return
    actor = w.actors[persona]
    counts = []
    for target in (w.items[tier].public_id, w.missing):
        with CaptureQueriesContext(connection) as queries, pytest.raises(NotFound):
            selectors.get_item(actor, target)
        counts.append(
            [
                q["sql"].replace(target.hex, "ID").replace(str(target), "ID")
                for q in queries.captured_queries
            ]
        )
    assert counts[0] == counts[1]
    assert len(counts[0]) == 1


def _references(w: World, tier: str, persona: str, visible: bool) -> None:
    """References carry no count: random, in the one format (``core.models.new_reference``)."""
    assert re.fullmatch(r"SHR(-[0-9A-HJKMNP-TV-Z]{4}){3}", w.items[tier].reference)


# --- STIX 2.1 export/import and TAXII 2.1 (tests/integration/api/test_stix_taxii.py) -------


def _stix_export(w: World, tier: str, persona: str, visible: bool) -> None:
    """The STIX bundle holds the item (its text, its report) exactly for its readers."""
    from coordcell.interop import stix

    text = w.get(persona, "/api/v1/sharing/stix/").content.decode()
    assert (w.markers[tier] in text) == visible
    assert (stix.item_object_ids(str(w.items[tier].public_id))[0] in text) == visible
    only = w.clients[persona].get("/api/v1/sharing/stix/", {"tier": tier}).content.decode()
    assert (w.items[tier].reference in only) == visible


def _stix_import(w: World, tier: str, persona: str, visible: bool) -> None:
    """Importing a bundle whose report has a hidden item's STIX id is an import like any
    other: the answer neither names nor skips the hidden item."""
    from coordcell.interop import stix

    report = stix.item_object_ids(str(w.items[tier].public_id))[0]
    bundle = {
        "type": "bundle",
        "id": "bundle--6f1b9a3e-2c4d-4e5f-8a7b-9c0d1e2f3a4b",
        "objects": [
            {
                "type": "report",
                "spec_version": "2.1",
                "id": report,
                "created": "2026-01-15T09:30:00.000Z",
                "modified": "2026-01-15T09:30:00.000Z",
                "name": "Imported (fictional exercise)",
                "published": "2026-01-15T09:30:00.000Z",
                "object_refs": [report],
            }
        ],
    }
    client = w.clients[persona]
    body = {"bundle": bundle, "tier": "originator", "tlp": "amber"}
    response = _rolled_back(
        lambda: client.post("/api/v1/sharing/stix/", body, content_type="application/json")
    )
    text = response.content.decode()
    assert w.markers[tier] not in text
    assert str(w.items[tier].public_id) not in text
    can_originate = persona not in ("donor", "observer")
    assert response.status_code == (201 if can_originate else 403)
    if can_originate:
        assert response.json()["skipped"] == []


def _taxii_plain(path: str) -> Callable[..., None]:
    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        response = w.get(persona, path)
        assert response.status_code == 200
        assert w.markers[tier] not in response.content.decode()

    return check


def _taxii_collections(w: World, tier: str, persona: str, visible: bool) -> None:
    """The item's audience is a collection of the persona's exactly when it reads it."""
    from coordcell.sharing.stix_selectors import collection_id

    rows = w.get(persona, "/api/taxii2/cell/collections/").json()["collections"]
    assert (collection_id(w.items[tier].audience) in {r["id"] for r in rows}) == visible


def _taxii_collection(suffix: str) -> Callable[..., None]:
    """A collection's pages: the item's for its readers, the missing 404 for the rest."""

    def check(w: World, tier: str, persona: str, visible: bool) -> None:
        from coordcell.interop import stix
        from coordcell.sharing.stix_selectors import collection_id

        report = stix.item_object_ids(str(w.items[tier].public_id))[0]
        tail = suffix.format(report=report)
        base = "/api/taxii2/cell/collections/"
        hidden = collection_id(w.items[tier].audience)
        response = w.clients[persona].get(f"{base}{hidden}/{tail}")
        if visible:
            assert response.status_code == 200
            if tail:
                assert report in response.content.decode()
            return
        missing = w.get(persona, f"{base}{w.missing}/{tail}")
        _same(response, missing, hidden, w.missing)
        assert response.status_code == 404

    return check


def _stix_page_export(w: World, tier: str, persona: str, visible: bool) -> None:
    response = w.get(persona, "/sharing/stix/export/")
    assert response.status_code == 200
    assert (w.markers[tier] in response.content.decode()) == visible


def _stix_page_import(w: World, tier: str, persona: str, visible: bool) -> None:
    """Uploading a bundle whose report has a hidden item's STIX id names nothing hidden."""
    import json

    from coordcell.interop import stix

    report = stix.item_object_ids(str(w.items[tier].public_id))[0]
    bundle = {
        "type": "bundle",
        "id": "bundle--6f1b9a3e-2c4d-4e5f-8a7b-9c0d1e2f3a4b",
        "objects": [
            {
                "type": "report",
                "spec_version": "2.1",
                "id": report,
                "created": "2026-01-15T09:30:00.000Z",
                "modified": "2026-01-15T09:30:00.000Z",
                "name": "Imported (fictional exercise)",
                "published": "2026-01-15T09:30:00.000Z",
                "object_refs": [report],
            }
        ],
    }
    upload = io.BytesIO(json.dumps(bundle).encode())
    upload.name = "bundle.json"
    client = w.clients[persona]
    response = _rolled_back(
        lambda: client.post(
            "/sharing/stix/import/", {"file": upload, "tier": "originator", "tlp": "amber"}
        )
    )
    assert w.markers[tier] not in response.content.decode()
    assert response.status_code == (403 if persona in ("donor", "observer") else 302)


#: Every route of the sharing pages, by URL name.
PAGE_SURFACES: dict[str, Callable[..., None]] = {
    "sharing:feed": _lists("/sharing/"),
    "sharing:new": _page_new,
    "sharing:inbox": _lists("/sharing/inbox/"),
    "sharing:detail": _page_item(""),
    "sharing:access": _page_item("access/", originator_only=True),
    "sharing:download": _page_item("files/{sha}"),
    "sharing:widen": _page_post("widen/", {"to_tier": "public"}),
    "sharing:narrow": _page_post("narrow/", {"to_tier": "originator"}),
    "sharing:redact": _page_post(
        "redact/", {"remove": ["body"], "tier": "parties", "tlp": "clear"}
    ),
    "sharing:tearline": _page_post(
        "tearline/", {"below-title": "x", "below-tier": "parties", "below-tlp": "amber"}
    ),
    "sharing:releasability": _page_post("releasability/", {"releasability": "us sy *"}),
    "sharing:upload": _page_post("files/", {"file": lambda: io.BytesIO(PNG)}),
    "sharing:decide": _page_post("decide/", {"granted": "yes"}, on="request"),
    "sharing:withdraw": _page_post("withdraw/", {}, on="request"),
    # STIX 2.1 download and upload (issue 14, point 5)
    "sharing:stix": _taxii_plain("/sharing/stix/"),
    "sharing:stix-export": _stix_page_export,
    "sharing:stix-import": _stix_page_import,
}
#: Every API route served by the sharing app, by (method, URL name).
API_SURFACES: dict[tuple[str, str], Callable[..., None]] = {
    ("GET", "api:shared-items"): _api_list,
    ("POST", "api:shared-items"): _api_create,
    ("GET", "api:shared-item-facets"): _api_facets,
    ("GET", "api:shared-item"): _api_item(""),
    ("GET", "api:shared-item-access"): _api_item("access-log/", originator_only=True),
    ("GET", "api:shared-item-file"): _api_item("files/{sha}"),
    ("POST", "api:shared-item-files"): _api_post("files/", None, multipart=True),
    ("POST", "api:shared-item-widen"): _api_post("widen/", {"to_tier": "public"}),
    ("POST", "api:shared-item-narrow"): _api_post("narrow/", {"to_tier": "originator"}),
    ("POST", "api:shared-item-redact"): _api_post(
        "redact/", {"remove": ["body"], "tier": "parties", "tlp": "clear"}
    ),
    ("POST", "api:shared-item-tearline"): _api_post(
        "tearline/", {"title": "x", "tier": "parties", "tlp": "amber"}
    ),
    ("POST", "api:shared-item-releasability"): _api_post(
        "releasability/", {"releasability": ["us", "sy", "*"], "originator_control": False}
    ),
    ("GET", "api:consent-requests"): _api_inbox,
    ("POST", "api:consent-decide"): _api_post("decide/", {"granted": True}, on="request"),
    ("POST", "api:consent-withdraw"): _api_post("withdraw/", None, on="request"),
    # STIX 2.1 and TAXII 2.1 (issue 14, points 5 and 6)
    ("GET", "api:sharing-stix"): _stix_export,
    ("POST", "api:sharing-stix"): _stix_import,
    ("GET", "api:taxii-discovery"): _taxii_plain("/api/taxii2/"),
    ("GET", "api:taxii-root"): _taxii_plain("/api/taxii2/cell/"),
    ("GET", "api:taxii-collections"): _taxii_collections,
    ("GET", "api:taxii-collection"): _taxii_collection(""),
    ("GET", "api:taxii-objects"): _taxii_collection("objects/"),
    ("GET", "api:taxii-object"): _taxii_collection("objects/{report}/"),
    ("GET", "api:taxii-manifest"): _taxii_collection("manifest/"),
}
#: Surfaces that are not a route of the app: the record, webhooks, timing, references.
OTHER_SURFACES: dict[str, Callable[..., None]] = {
    "record entries, proofs and page": _record_entries,
    "webhook deliveries": _deliveries,
    "work before the access check": _work_before_the_check,
    "references": _references,
}
ALL_SURFACES: dict[str, Callable[..., None]] = {
    **PAGE_SURFACES,
    **{f"{m} {n}": c for (m, n), c in API_SURFACES.items()},
    **OTHER_SURFACES,
}


@pytest.mark.parametrize("surface", list(ALL_SURFACES))
def test_hidden_items_are_missing_items_on_every_surface(surface: str, world: World) -> None:
    check = ALL_SURFACES[surface]
    pks = [world.items[tier].pk for tier in TIERS]
    reads = {
        persona: set(
            selectors.items_visible_to(world.actors[persona])
            .filter(pk__in=pks)
            .values_list("pk", flat=True)
        )
        for persona in PERSONAS
    }
    for tier in TIERS:
        for persona in PERSONAS:
            visible = world.visible(tier, persona)
            assert visible == (world.items[tier].pk in reads[persona]), (tier, persona)
            try:
                check(world, tier, persona, visible)
            except AssertionError as exc:
                raise AssertionError(f"{surface}: tier {tier}, {persona}: {exc}") from exc


# --- the matrix covers every route -----------------------------------------------------------


def _sharing_routes(
    patterns: list[Any], namespace: str = "", prefix: str = ""
) -> set[tuple[str, str]]:
    """(methods, namespaced URL name) of every route whose view lives in the sharing app
    (or speaks STIX or TAXII, wherever it lives)."""
    found: set[tuple[str, str]] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= _sharing_routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            continue
        assert isinstance(pattern, URLPattern)
        view = getattr(pattern.callback, "cls", None) or getattr(
            pattern.callback, "view_class", None
        )
        module = (view or pattern.callback).__module__
        route = prefix + str(pattern.pattern)
        if not (
            module.startswith("coordcell.sharing")
            or re.search(r"stix|taxii", module + route, re.IGNORECASE)
        ):
            continue
        name = f"{namespace}{pattern.name}"
        if view is None:
            found.add(("PAGE", name))
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                found.add((method.upper(), name))
    return found


def test_every_sharing_route_is_in_the_matrix() -> None:
    routes = _sharing_routes(get_resolver().url_patterns)
    pages = {name for kind, name in routes if kind == "PAGE"}
    api = {(kind, name) for kind, name in routes if kind != "PAGE"}
    assert pages == set(PAGE_SURFACES), "a sharing page is missing from the matrix"
    assert api == set(API_SURFACES), "a sharing API route is missing from the matrix"


def test_the_route_census_would_see_a_new_surface() -> None:
    """The census is not blind: a route added to the app shows up in it."""
    from django.urls import path

    from coordcell.sharing import views

    extra = [path("sharing/", include_for_test([path("map.json", views.feed, name="map")]))]
    assert ("PAGE", "sharing:map") in _sharing_routes(extra)


def include_for_test(patterns: list[Any]) -> Any:
    from django.urls import include

    return include((patterns, "sharing"))
