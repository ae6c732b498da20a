"""QGIS-equivalent clients read the OGC API over real HTTP with a persona's token: GDAL's
OGC API driver (through pyogrio, as QGIS uses GDAL) and OWSLib. They list the collections
the persona may read and read each one's features: exactly the persona's, paging through
``next`` links, and nothing without the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from owslib.ogcapi.features import Features

from tests.integration.gis.conftest import COLLECTIONS, expected_ids

pytestmark = pytest.mark.django_db


#: GDAL runs in a child process: pyogrio holds the interpreter's lock while GDAL fetches,
#: so the server thread of this process could not answer it. The child lists the layers
#: and reads each one with GDAL's OGC API driver, and prints what it read as JSON.
GDAL_READER = """
import json, sys
import pyogrio
from pyogrio.raw import read

source = "OAPIF:" + sys.argv[1]
try:
    layers = [str(name) for name, _ in pyogrio.list_layers(source)]
except pyogrio.errors.DataSourceError as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
found = {}
for layer in layers:
    # A small page size makes GDAL follow the next links. Times stay GDAL's strings:
    # pyogrio 0.13 turns GDAL's seconds (a float) into a datetime itself and fails on a
    # time ending in .999999 (ValueError: microsecond must be in 0..999999), which any
    # run's data may hold (the story's times are the clock's); the checks read no time.
    meta, fids, geometry, fields = read(
        source, layer=layer, page_size="3", datetime_as_string=True
    )
    columns = dict(zip(meta["fields"], fields))
    found[layer] = {
        "count": len(geometry),
        "crs": meta["crs"],
        "fields": [str(f) for f in meta["fields"]],
        "ids": [str(i) for i in columns.get("id", [])],
        "names": [str(n) for n in columns.get("name", [])],
    }
print(json.dumps({"layers": layers, "found": found}))
"""


def gdal_read(url: str, token: str | None, folder: Path) -> dict[str, Any]:
    """What GDAL reads at ``url`` sending ``Authorization: Bearer <token>``: through a
    header file (``GDAL_HTTP_HEADER_FILE``), since GDAL 3.12's OGC API driver sends the
    headers of that file and not those of ``GDAL_HTTP_HEADERS`` (checked); QGIS sets the
    same header from a connection's "HTTP headers"."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDAL_")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
    if token:
        headers = folder / "headers.txt"
        headers.write_text(f"Authorization: Bearer {token}\n")
        env["GDAL_HTTP_HEADER_FILE"] = str(headers)
    done = subprocess.run(  # noqa: S603 (our own script, with the test server's URL)
        [sys.executable, "-c", GDAL_READER, url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _url(live: Any) -> str:
    return f"http://127.0.0.1:{live.server_port}/api/features"


@pytest.mark.slow
@pytest.mark.parametrize("username", ["mediator", "sy.liaison", "monitor"])
def test_gdal_lists_and_reads_the_collections_with_a_token(
    live: Any, tokens: dict[str, str], actor: Any, tmp_path: Path, username: str
) -> None:
    result = gdal_read(_url(live), tokens[username], tmp_path)
    readable = [c for c in COLLECTIONS if expected_ids(actor(username), c) is not None]
    assert result["layers"] == readable
    for collection in readable:
        found = result["found"][collection]
        expected = expected_ids(actor(username), collection)
        assert expected is not None
        assert found["count"] == len(expected), (username, collection)
        if found["ids"]:
            assert set(found["ids"]) == expected, (username, collection)
        assert "name" in found["fields"] or not expected, (collection, found)
        assert found["crs"]
        assert "4326" in found["crs"] or "CRS84" in found["crs"]
    assert any("offset=3" in path for path in live.paths)  # it paged


def test_gdal_without_a_token_opens_nothing(live: Any, tmp_path: Path) -> None:
    result = gdal_read(_url(live), None, tmp_path)
    assert "401" in result["error"]


@pytest.mark.slow
@pytest.mark.parametrize("username", ["mediator", "il.liaison", "donor"])
def test_owslib_lists_and_reads_the_collections_with_a_token(
    live: Any, tokens: dict[str, str], actor: Any, username: str
) -> None:
    client = Features(_url(live), headers={"Authorization": f"Bearer {tokens[username]}"})
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (client.conformance()["conformsTo"])
    )
    listed = [c["id"] for c in client.collections()["collections"]]
    readable = [c for c in COLLECTIONS if expected_ids(actor(username), c) is not None]
    assert listed == readable
    for collection in readable:
        assert client.collection(collection)["id"] == collection
        found: list[str] = []
        offset = 0
        while True:
            page = client.collection_items(collection, limit=4, offset=offset)
            found += [str(f["id"]) for f in page["features"]]
            if not any(link["rel"] == "next" for link in page["links"]):
                break
            offset += 4
        assert set(found) == expected_ids(actor(username), collection), collection
        assert page["numberMatched"] == len(found)
    if "positions" in readable:
        first = client.collection_items("positions", limit=1)["features"]
        if first:
            one = client.collection_item("positions", first[0]["id"])
            assert one["id"] == first[0]["id"]
