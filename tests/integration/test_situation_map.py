"""The situation map's layers (issue 17, point 3): the incidents clustered on the server,
restricted to the reader inside the query (nothing outside the audience, counts
included), the filters, the case-state colours; MGRS and the gazetteer on every map.

The demo's story is played once per module, with 400 fictional incidents added around
Quneitra under five audiences (rolled back after the module); each check compares the
server's answer with an independent count in Python over every row."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.models import ArrangementVersion
from coordcell.cases.models import Case
from coordcell.incidents.models import Incident
from coordcell.parties.models import Party
from coordcell.rules import grid
from coordcell.situation import maplayers as layers
from tests.story import DemoStory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_world")]

#: Every persona of the demo (each reads through their party's code).
READERS = [
    "mediator",
    "il.liaison",
    "il.analyst",
    "sy.liaison",
    "sy.admin",
    "monitor",
    "donor",
    "observer",
]
AUDIENCES = ["|*|", "|il|us|", "|sy|us|", "|il|sy|undof|us|", "|us|"]
URL = "/map/incidents.json"


@pytest.fixture(scope="module")
def _world(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story and 400 fictional incidents around Quneitra, once per module."""
    with demo_story.told():
        version = ArrangementVersion.objects.get(
            arrangement__key="southern_syria_2026", is_current=True
        )
        rng = random.Random(17)
        il = Party.objects.get(code="il")
        sy = Party.objects.get(code="sy")
        now = timezone.now()
        rows = []
        for i in range(400):
            lon, lat = rng.gauss(35.85, 0.08), rng.gauss(33.15, 0.08)
            rows.append(
                Incident(
                    kind=rng.choice(["armed_clash", "overflight", "troop_movement"]),
                    title=f"Fictional test incident {i}",
                    occurred_from=now - dt.timedelta(days=rng.randint(0, 60)),
                    geometry={"type": "Point", "coordinates": [lon, lat]},
                    lon=lon,
                    lat=lat,
                    cell=grid.cell_key(lon, lat),
                    source="party",
                    source_party=rng.choice([il, sy]),
                    version=version,
                    zones=rng.choice([[], ["area_of_separation_approx"]]),
                    audience=rng.choice(AUDIENCES),
                    reported_at=now,
                    fictional=True,
                )
            )
        Incident.objects.bulk_create(rows)
        # A project only Israel and the mediator read (a copy of one of the demo's).
        from coordcell.economy.models import Project

        hidden = Project.objects.order_by("pk").first()
        assert hidden is not None
        hidden.pk, hidden.public_id = None, uuid.uuid4()
        hidden.reference, hidden.audience = "PRJ-TEST-HIDDEN", "|il|us|"
        hidden.save()
        # A monitors' report of a denial that only Syria, the monitors and the mediator read.
        from coordcell.verification.models import AccessDenial

        denial = AccessDenial.objects.order_by("pk").first()
        assert denial is not None
        denial.pk, denial.public_id = None, uuid.uuid4()
        denial.reference, denial.audience = "DEN-TEST-HIDDEN", "|sy|undof|us|"
        denial.save()
        yield


def _reads(code: str | None, audience: str) -> bool:
    """The audience rule, independently: the reader's party named, or every member."""
    return code is not None and (f"|{code}|" in audience or audience == "|*|")


def _visible(code: str | None) -> list[Incident]:
    return [i for i in Incident.objects.all() if _reads(code, i.audience)]


def _get(client: Any, query: str = "") -> dict[str, Any]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _groups(incidents: list[Incident], level: int) -> list[tuple[int, float, float]]:
    """The clusters, independently: (count, mean lon, mean lat) per cell at ``level``."""
    cells: dict[int, list[Incident]] = defaultdict(list)
    for i in incidents:
        cells[i.cell >> (2 * (grid.LEVELS - level))].append(i)
    return [
        (len(m), sum(i.lon for i in m) / len(m), sum(i.lat for i in m) / len(m))
        for m in cells.values()
    ]


def _same(body: dict[str, Any], expected: list[tuple[int, float, float]]) -> bool:
    """Whether the answer's features are the expected groups: one each, same count, same
    place (the server rounds to 6 decimals)."""
    left = [(f["properties"]["count"], *f["geometry"]["coordinates"]) for f in body["features"]]
    if len(left) != len(expected):
        return False
    for n, lon, lat in expected:
        match = next(
            (g for g in left if g[0] == n and abs(g[1] - lon) < 2e-6 and abs(g[2] - lat) < 2e-6),
            None,
        )
        if match is None:
            return False
        left.remove(match)
    return True


BOXES = ["", "bbox=35.6,32.9,36.1,33.4", "bbox=35.8,33.1,35.9,33.2", "bbox=35.84,33.14,35.86,33.16"]


def test_each_reader_sees_and_counts_only_the_incidents_of_their_audience(client_for: Any) -> None:
    """Persona × box: the clusters' counts and places and the single incidents' ids are
    exactly those of the incidents the reader may read, grouped independently."""
    version = ArrangementVersion.objects.get(
        arrangement__key="southern_syria_2026", is_current=True
    )
    for username in READERS:
        code = _actor(username).party_code
        client = client_for(username)
        visible = _visible(code)
        for box in BOXES:
            body = _get(client, box)
            west, south, east, north = (
                [float(v) for v in box[5:].split(",")] if box else version.region_bbox
            )
            inside = [i for i in visible if west <= i.lon <= east and south <= i.lat <= north]
            assert body["total"] == len(inside), (username, box)
            assert _same(body, _groups(inside, body["level"])), (username, box)
            ids = {f["id"] for f in body["features"] if "id" in f}
            assert ids <= {str(i.public_id) for i in inside}, (username, box)
            assert not any(f["properties"]["count"] < 1 for f in body["features"])
        # The naive answer (the benchmark's baseline) holds the same incidents.
        filters = layers.read_filters(client.get(URL).wsgi_request.GET, _actor(username), version)
        full = layers.full_incidents(_actor(username), filters)
        assert {f["id"] for f in full["features"]} == {str(i.public_id) for i in visible}
    # The audiences do differ: the matrix would pass vacuously otherwise.
    assert len({len(_visible(_actor(u).party_code)) for u in READERS}) >= 4


def test_each_reader_sees_only_the_projects_and_denials_of_their_audience(
    client_for: Any,
) -> None:
    """Persona × layer for the layers drawn one by one: exactly the rows whose audience
    names the reader's party (or every member), by an independent reading of each row."""
    from coordcell.economy.models import Project
    from coordcell.verification.models import AccessDenial

    for url, model in (("/map/projects.json", Project), ("/map/denials.json", AccessDenial)):
        every = list(model.objects.all())
        seen = set()
        for username in READERS:
            code = _actor(username).party_code
            body = json.loads(client_for(username).get(url).content)
            expected = {str(p.public_id) for p in every if _reads(code, p.audience)}
            assert {f["id"] for f in body["features"]} == expected, (url, username)
            seen.add(frozenset(expected))
        # Readers see different rows: the check would pass vacuously otherwise.
        assert len(seen) >= 2, url
        assert client_for("outsider").get(url).status_code == 403


def _actor(username: str) -> Any:
    from coordcell.accounts.models import User
    from coordcell.core.actor import Actor

    return Actor.from_user(User.objects.get(username=username))


def test_without_a_membership_the_map_reads_nothing(client_for: Any) -> None:
    for url in (URL, "/map/mgrs.json?ref=36SYB6353168801", "/map/places.json?q=quneitra"):
        assert client_for("outsider").get(url).status_code == 403
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_filters_keep_what_an_independent_filter_keeps(client_for: Any) -> None:
    client = client_for("il.liaison")
    visible = _visible("il")
    today = timezone.now().date()
    week = (today - dt.timedelta(days=7)).isoformat()
    cases: dict[int, Case] = {}
    for case in Case.objects.order_by("lodged_at", "pk"):
        if _reads("il", case.audience):
            cases[case.incident_id] = case
    checks = {
        "kind=overflight": lambda i: i.kind == "overflight",
        "kind=overflight&kind=armed_clash": lambda i: i.kind in ("overflight", "armed_clash"),
        "zone=area_of_separation_approx": lambda i: "area_of_separation_approx" in i.zones,
        "party=sy": lambda i: i.source_party_id is not None and i.source_party.code == "sy",
        f"start={week}": lambda i: i.occurred_from.date() >= today - dt.timedelta(days=7),
        f"end={week}": lambda i: i.occurred_from.date() <= today - dt.timedelta(days=7),
        f"start={today}&end={today}": lambda i: i.occurred_from.date() == today,
        "state=none": lambda i: i.pk not in cases,
        "state=lodged&state=answered": lambda i: (
            i.pk in cases and cases[i.pk].state in ("lodged", "answered")
        ),
    }
    for query, keep in checks.items():
        body = _get(client, query)
        expected = [i for i in visible if keep(i)]
        assert body["total"] == len(expected), query
        assert _same(body, _groups(expected, body["level"])), query
    assert _get(client, "state=none")["total"] < len(visible)  # some incidents have cases


def test_a_single_incident_shows_the_state_of_the_case_its_reader_sees(client_for: Any) -> None:
    """Zoomed in on each incident with a case: its colour is the latest visible case's
    state, and a reader who sees the incident but not the case sees "no case"."""
    checked = 0
    for username in READERS:
        code = _actor(username).party_code
        client = client_for(username)
        for incident in Incident.objects.filter(fictional=False):
            if not _reads(code, incident.audience):
                continue
            lon, lat = incident.lon, incident.lat
            box = f"bbox={lon - 1e-5},{lat - 1e-5},{lon + 1e-5},{lat + 1e-5}"
            singles = {f["id"]: f for f in _get(client, box)["features"] if "id" in f}
            feature = singles.get(str(incident.public_id))
            if feature is None:
                continue  # another incident at the very same point: a cluster
            seen = [
                c
                for c in Case.objects.filter(incident=incident).order_by("lodged_at", "pk")
                if _reads(code, c.audience)
            ]
            props = feature["properties"]
            if seen:
                assert props["state"] == seen[-1].state
                assert props["case"] == seen[-1].reference
                checked += 1
            else:
                assert props["state"] == "none"
                assert props["case"] == ""
                assert props["case_url"] == ""
            assert props["headline"]
            assert incident.title not in props["headline"]
    assert checked >= 3


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=10,10,5,20",
        "bbox=-200,0,10,10",
        "bbox=nan,0,1,1",
        "bbox=0,0,inf,1",
        "start=2026-13-01",
        "end=yesterday",
        "start=2026-05-02&end=2026-05-01",
        "end=9999-12-31",  # the day after overflowed: a 500
        "start=0001-01-01",
        "start=9999-12-31",
        "kind=no_such_kind",
        "zone=no_such_zone",
        "zone=area_of_separation_approx&zone=economic_zone",
        "party=xx",
        "state=dreaming",
    ],
)
def test_a_bad_filter_is_a_400_with_a_message(client_for: Any, query: str) -> None:
    response = client_for("il.liaison").get(f"{URL}?{query}")
    assert response.status_code == 400
    error = json.loads(response.content)["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    assert error["fields"]


def test_mgrs_is_read_into_a_point_of_the_region_or_refused_with_a_message(client_for: Any) -> None:
    client = client_for("sy.liaison")
    body = json.loads(client.get("/map/mgrs.json?ref=36S YB 63531 68801").content)
    assert body["reference"] == "36SYB6353168801"
    assert body["lat"] == pytest.approx(33.12595, abs=1e-5)
    assert body["lon"] == pytest.approx(35.82461, abs=1e-5)
    coarse = json.loads(client.get("/map/mgrs.json?ref=37SBT4811").content)
    assert coarse["precision_m"] == 1000
    assert coarse["uncertainty_m"] == 707
    for ref, words in [
        ("", "Give an MGRS reference"),
        ("37SBT123", "same number of digits"),
        ("hello", "Not an MGRS reference"),
        ("37SBL1111", "does not lie in that zone"),
        ("15TWG0000049776", "outside the arrangement's region"),  # Iowa
        ("x" * 101, "Not an MGRS reference"),
    ]:
        response = client.get("/map/mgrs.json", {"ref": ref})
        assert response.status_code == 400, ref
        assert words in json.loads(response.content)["error"]["message"], ref


def test_mgrs_messages_are_translated(client_for: Any) -> None:
    client = client_for("sy.liaison")
    for language in ("ar", "he"):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        response = client.get("/map/mgrs.json?ref=15TWG0000049776")
        message = json.loads(response.content)["error"]["message"]
        assert "outside" not in message, language


def test_the_gazetteer_finds_places_by_any_of_their_names(client_for: Any) -> None:
    client = client_for("observer")
    for query in (
        "Quneitra",
        "quneit",
        "القنيطرة",
        "القنيطره",
        "קוניטרה",
        "Qunaytirah",
        "QUNAYŢIRAH",
    ):
        results = json.loads(client.get("/map/places.json", {"q": query}).content)["results"]
        assert [r["key"] for r in results][:1] == ["quneitra"], query
        assert results[0]["lat"] == pytest.approx(33.12595)
        assert set(results[0]["names"]) == {"en", "ar", "he"}
    assert json.loads(client.get("/map/places.json?q=").content)["results"] == []
    assert json.loads(client.get("/map/places.json?q=zzzqqq").content)["results"] == []
    many = json.loads(client.get("/map/places.json?q=a").content)["results"]
    assert 1 < len(many) <= 10
    assert client.get("/map/places.json", {"q": "x" * 101}).status_code == 400


def test_the_map_page_offers_the_incidents_their_filters_and_the_search(client_for: Any) -> None:
    body = client_for("il.liaison").get("/map/").content.decode()
    assert 'id="incident-filters"' in body
    assert 'id="map-search"' in body
    assert "incidentlayer.js" in body
    assert "mapsearch.js" in body
    lodge = client_for("il.liaison").get("/cases/new/").content.decode()
    assert 'id="map-search"' in lodge
    assert "mapsearch.js" in lodge
    # The incident's own map on its case page: its geometry, for a reader of the case.
    case = Case.objects.filter(audience__contains="|il|").select_related("incident").first()
    assert case is not None
    page = client_for("il.liaison").get(f"/cases/{case.public_id}/").content.decode()
    found = page.split('<script id="incident-map-config" type="application/json">')[1]
    config = json.loads(found.split("</script>")[0])
    assert config["geometry"] == case.incident.geometry
    assert "incidentmap.js" in page


def test_the_services_store_each_incident_s_cell() -> None:
    stored = Incident.objects.filter(fictional=False)
    assert stored.exists()
    for incident in stored:
        assert incident.cell == grid.cell_key(incident.lon, incident.lat)
