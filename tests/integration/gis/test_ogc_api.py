"""OGC API – Features (Part 1: Core, GeoJSON) at /api/features: the documents' structure
and links, paging, the bbox and datetime filters and their refusals, and the audience:
every persona reads exactly what the owning apps' selectors give it, a layer it may not
read is absent, and a hidden feature answers like a missing one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from tests.integration.gis.conftest import COLLECTIONS, PERSONAS, expected_ids

pytestmark = pytest.mark.django_db

BASE = "/api/features"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"


def bearer(tokens: dict[str, str], username: str) -> Client:
    return Client(headers={"authorization": f"Bearer {tokens[username]}"})


def rels(body: dict[str, Any]) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in body["links"]}


def local(href: str) -> str:
    """A link of the answer, as the test client asks for it (path and query)."""
    parts = urlsplit(href)
    assert parts.netloc == "testserver", href
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def all_ids(client: Client, collection: str, limit: int = 100, **query: str) -> list[str]:
    """Every feature id of the collection, following ``next`` links."""
    ids: list[str] = []
    url = f"{BASE}/collections/{collection}/items?limit={limit}"
    for key, value in query.items():
        url += f"&{key}={value}"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        ids += [str(f["id"]) for f in body["features"]]
        assert body["numberReturned"] == len(body["features"])
        url = local(rels(body)["next"]) if "next" in rels(body) else ""
    return ids


def test_landing_conformance_and_collections_follow_the_standard(
    story: None, tokens: dict[str, str]
) -> None:
    client = bearer(tokens, "mediator")
    for path in (BASE, f"{BASE}/"):  # opens as given, with or without the slash
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer["Content-Type"].startswith("application/json")
    links = rels(client.get(BASE).json())
    assert {"self", "conformance", "data", "service-doc"} <= set(links)
    assert local(links["conformance"]) == f"{BASE}/conformance"
    conformance = client.get(local(links["conformance"])).json()["conformsTo"]
    assert CORE in conformance
    assert GEOJSON in conformance
    collections = client.get(local(links["data"])).json()
    assert [c["id"] for c in collections["collections"]] == list(COLLECTIONS)
    for c in collections["collections"]:
        assert c["itemType"] == "feature"
        assert c["title"]
        assert c["description"]
        assert c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        west, south, east, north = c["extent"]["spatial"]["bbox"][0]
        assert west < east
        assert south < north
        own = client.get(f"{BASE}/collections/{c['id']}")
        assert own.status_code == 200
        assert own.json()["id"] == c["id"]
        items = client.get(local(rels(c)["items"]))
        assert items.status_code == 200
        assert items["Content-Type"].startswith("application/geo+json")
        body = items.json()
        assert body["type"] == "FeatureCollection"
        assert {"self", "collection"} <= set(rels(body))
        for slash in ("", "/"):
            assert client.get(f"{BASE}/collections/{c['id']}/items{slash}").status_code == 200


def test_paging_with_limit_offset_and_next_links(story: None, tokens: dict[str, str]) -> None:
    client = bearer(tokens, "mediator")
    whole = client.get(f"{BASE}/collections/incidents/items?limit=1000").json()
    everything = [f["id"] for f in whole["features"]]
    assert whole["numberMatched"] == len(everything) > 5
    assert "next" not in rels(whole)
    assert "prev" not in rels(whole)
    paged = all_ids(client, "incidents", limit=2)
    assert paged == everything  # the same order, each once
    second = client.get(f"{BASE}/collections/incidents/items?limit=2&offset=2").json()
    assert [f["id"] for f in second["features"]] == everything[2:4]
    assert local(rels(second)["prev"]).endswith("offset=0")
    assert second["numberMatched"] == len(everything)
    assert second["numberReturned"] == 2
    beyond = client.get(f"{BASE}/collections/incidents/items?offset=100000").json()
    assert beyond["features"] == []
    assert beyond["numberMatched"] == len(everything)
    # An offset past the database's integers is still only past the end (it was a 500).
    for collection in ("incidents", "positions", "notices", "projects", "zones"):
        for huge in ("9223372036854775807", "9223372036854775808", "9" * 23):
            url = f"{BASE}/collections/{collection}/items?offset={huge}"
            answer = client.get(url)
            assert answer.status_code == 200, (collection, huge, answer.content[:200])
            assert answer.json()["features"] == []
    # A limit over the maximum is served at the maximum, not refused.
    big = client.get(f"{BASE}/collections/incidents/items?limit=999999")
    assert big.status_code == 200
    assert "limit=1000" in rels(big.json())["self"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("bbox=35,32,36", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=35,32,36,nan", "bbox"),
        ("bbox=35,33,36,32", "bbox"),
        ("bbox=35,32,190,33", "bbox"),
        ("bbox=35,-91,36,33", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2026-05-01T08:00:00", "datetime"),  # no offset
        ("datetime=2026-05-02/2026-05-01", "datetime"),
        ("datetime=../..", "datetime"),
        ("datetime=2026-05-01/2026-05-02/2026-05-03", "datetime"),
        ("datetime=2026-13-01", "datetime"),
        # Instants the database's dates cannot hold (they were a 500 on SQLite).
        ("datetime=0001-01-01", "datetime"),
        ("datetime=9999-12-31", "datetime"),
        ("datetime=0001-01-01T00:00:00%2B05:00", "datetime"),
        ("datetime=9999-12-31T23:00:00-05:00", "datetime"),
        ("datetime=0001-01-01/..", "datetime"),
        ("datetime=../9999-12-31", "datetime"),
        ("colour=red", "colour"),
        ("f=html", "f"),
        ("crs=http://www.opengis.net/def/crs/EPSG/0/4326", "crs"),
        ("bbox-crs=EPSG:3857", "bbox-crs"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(
    story: None, tokens: dict[str, str], query: str, field: str
) -> None:
    answer = bearer(tokens, "mediator").get(f"{BASE}/collections/incidents/items?{query}")
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field][0]


def test_bbox_keeps_what_meets_the_box(story: None, tokens: dict[str, str], actor: Any) -> None:
    client = bearer(tokens, "mediator")
    features = client.get(f"{BASE}/collections/incidents/items?limit=1000").json()["features"]
    lon, lat = features[0]["geometry"]["coordinates"][:2]
    near = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    inside = set(all_ids(client, "incidents", bbox=near))
    assert str(features[0]["id"]) in inside
    for f in features:
        x, y = f["geometry"]["coordinates"][:2]
        assert (str(f["id"]) in inside) == (abs(x - lon) <= 0.01 and abs(y - lat) <= 0.01)
    assert all_ids(client, "incidents", bbox="-10,-10,-9,-9") == []
    # Six numbers (with heights) and a box across the antimeridian are boxes too.
    assert set(all_ids(client, "incidents", bbox=f"{near.replace(',', ',', 1)}")) == inside
    six = f"{lon - 0.01},{lat - 0.01},0,{lon + 0.01},{lat + 0.01},100"
    assert set(all_ids(client, "incidents", bbox=six)) == inside
    assert set(all_ids(client, "incidents", bbox="170,-90,179,90")) == set()
    assert len(all_ids(client, "incidents", bbox="170,-90,179.9,90")) == 0
    wrapped = set(all_ids(client, "incidents", bbox="170,-90,60,90"))  # 170°E → 60°E
    assert wrapped == {str(f["id"]) for f in features}
    # Polygons meet the box when they cross it: the zones around the first incident.
    zones = set(all_ids(client, "zones", bbox=near))
    assert zones
    assert zones < set(all_ids(client, "zones"))
    assert all_ids(client, "zones", bbox="-10,-10,-9,-9") == []


def test_datetime_keeps_what_meets_the_instant_or_interval(
    story: None, tokens: dict[str, str]
) -> None:
    client = bearer(tokens, "mediator")
    features = client.get(f"{BASE}/collections/incidents/items?limit=1000").json()["features"]
    first = min(f["properties"]["occurred_from"] for f in features)
    last = max(f["properties"]["occurred_from"] for f in features)
    everyone = {str(f["id"]) for f in features}
    assert (
        set(all_ids(client, "incidents", datetime=f"{first}/{last}".replace("+", "%2B")))
        == everyone
    )
    assert set(all_ids(client, "incidents", datetime="../2000-01-01")) == set()
    assert set(all_ids(client, "incidents", datetime="2100-01-01/..")) == set()
    assert set(all_ids(client, "incidents", datetime="1990-01-01/..")) == everyone
    one = next(f for f in features if not f["properties"]["occurred_until"])
    at = one["properties"]["occurred_from"].replace("+", "%2B")
    assert str(one["id"]) in set(all_ids(client, "incidents", datetime=at))
    day = one["properties"]["occurred_from"][:10]
    on_the_day = set(all_ids(client, "incidents", datetime=day))
    assert str(one["id"]) in on_the_day
    assert on_the_day <= everyone
    # Layers without time (zones, places) ignore the filter.
    assert len(all_ids(client, "zones", datetime="2000-01-01")) == len(all_ids(client, "zones"))
    # Notices: a window meets an instant inside it, not one after it.
    notices = client.get(f"{BASE}/collections/notices/items?limit=1000").json()["features"]
    assert notices
    for n in notices:
        start = n["properties"]["starts_at"].replace("+", "%2B")
        assert str(n["id"]) in set(all_ids(client, "notices", datetime=start))
    assert all_ids(client, "notices", datetime="2100-01-01/..") == []


@pytest.mark.slow
def test_every_persona_reads_exactly_its_audience(
    story: None, tokens: dict[str, str], actor: Any
) -> None:
    """The matrix persona × collection, in one test: the ids and counts of each
    collection are those the owning app's selectors give the persona; a collection it
    may not read is absent and answers 404 like a missing one; each feature it may not
    read (one that another persona reads) answers 404 like a missing one."""
    seen: dict[tuple[str, str], set[str]] = {}
    missing = bearer(tokens, "mediator").get(f"{BASE}/collections/nothing-here").content
    for username in PERSONAS:
        client = bearer(tokens, username)
        listed = {c["id"] for c in client.get(f"{BASE}/collections").json()["collections"]}
        for collection in COLLECTIONS:
            expected = expected_ids(actor(username), collection)
            if expected is None:
                assert collection not in listed, (username, collection)
                for path in ("", "/items", "/items/x"):
                    answer = client.get(f"{BASE}/collections/{collection}{path}")
                    assert answer.status_code == 404
                    assert answer.content == missing
                continue
            assert collection in listed, (username, collection)
            ids = all_ids(client, collection, limit=7)
            assert len(ids) == len(set(ids))
            assert set(ids) == expected, (username, collection)
            body = client.get(f"{BASE}/collections/{collection}/items?limit=1").json()
            assert body["numberMatched"] == len(expected)
            seen[(username, collection)] = set(ids)
    checked = 0
    for (username, collection), ids in seen.items():
        client = bearer(tokens, username)
        others = set().union(*(v for (u, c), v in seen.items() if c == collection)) - ids
        for fid in sorted(others)[:3]:
            hidden = client.get(f"{BASE}/collections/{collection}/items/{fid}")
            assert hidden.status_code == 404
            assert hidden.content == missing
            checked += 1
        for fid in sorted(ids)[:1]:
            own = client.get(f"{BASE}/collections/{collection}/items/{fid}")
            assert own.status_code == 200
            assert str(own.json()["id"]) == fid
            assert {"self", "collection"} <= set(rels(own.json()))
    assert checked > 5  # the demo has features some read and others do not
    malformed = bearer(tokens, "mediator").get(f"{BASE}/collections/incidents/items/not-a-uuid")
    assert malformed.status_code == 404
    assert malformed.content == missing


def test_one_login_for_every_door(story: None, tokens: dict[str, str], client_for: Any) -> None:
    anonymous = Client()
    for path in (BASE, f"{BASE}/collections", f"{BASE}/collections/zones/items"):
        assert anonymous.get(path).status_code in (401, 403)
    wrong = Client(headers={"authorization": "Bearer cc_nope_nope"})
    assert wrong.get(f"{BASE}/collections").status_code == 401
    # The session works as for the API; someone with no membership reads nothing.
    assert client_for("il.liaison").get(f"{BASE}/collections/zones/items").status_code == 200
    assert bearer(tokens, "outsider").get(f"{BASE}/collections").status_code == 403
    # With the second factor required, neither a token nor a password-only session of
    # someone without one opens the door.
    with override_settings(REQUIRE_MFA=True):
        refused = bearer(tokens, "il.liaison").get(f"{BASE}/collections")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "second_factor_required"
        session = client_for("il.liaison").get(f"{BASE}/collections")
        assert session.status_code == 403
        assert session.json()["error"]["code"] == "second_factor_required"


def test_the_apis_geojson_layers_open_without_their_slash(
    story: None, tokens: dict[str, str]
) -> None:
    client = bearer(tokens, "mediator")
    for path in ("/api/v1/zones", "/api/v1/places", "/api/v1/positions/export"):
        slash = client.get(f"{path}/")
        plain = client.get(path)
        assert plain.status_code == 200 == slash.status_code, path
        assert plain.json() == slash.json()
    assert client.get("/api/v1/notices/layer").json()["type"] == "FeatureCollection"
    # A path that is not one is still the API's JSON 404.
    assert client.get("/api/v1/zonesx").status_code == 404


def test_refusals_speak_the_readers_language(story: None, tokens: dict[str, str]) -> None:
    for language, expected in (
        ("ar", "تقع خطوط العرض بين ‎-90 و‎90."),
        ("he", "קווי הרוחב נעים בין ‎-90 ל-90."),
    ):
        client = Client(
            headers={"authorization": f"Bearer {tokens['mediator']}", "accept-language": language}
        )
        answer = client.get(f"{BASE}/collections/zones/items?bbox=35,-91,36,33")
        assert answer.json()["error"]["fields"]["bbox"] == [expected]
