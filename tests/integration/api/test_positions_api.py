"""The positions API (issue 13): declare, import, export, seal, dispute, reveal, caps.

Escrow: a position is read by its declaring party and the mediator; for anyone else its
id is the 404 of a missing one, byte for byte. Nobody declares for another party."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coordcell.positions.models import Position, Reveal
from coordcell.record.models import Entry
from coordcell.rules import positions_commit as pc
from tests.integration.api.conftest import EMPTY_PAGE, NOT_FOUND, results

pytestmark = pytest.mark.django_db

IL_SITE = {"type": "Point", "coordinates": [35.7893, 33.0549]}
SY_SITE = {"type": "Point", "coordinates": [35.9583, 33.1112]}
AOS_SITE = {"type": "Point", "coordinates": [35.8568, 33.0921]}
MISSING = "00000000-0000-0000-0000-000000000000"


def _declare(client: Any, **kw: Any) -> Any:
    body = {
        "name": "Post (fictional test)",
        "kind": "outpost",
        "geometry": SY_SITE,
        "established": "2025-06-01",
        "holdings": [{"category": "tanks", "count": 5}, {"category": "personnel", "count": 60}],
        **kw,
    }
    return client.post("/api/v1/positions/", body, content_type="application/json")


def test_a_declared_position_is_read_by_its_party_and_the_mediator_only(api: Any) -> None:
    response = _declare(api("sy.liaison", "token"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["party"] == "sy"
    assert body["point"] == [35.9583, 33.1112]
    path = f"/api/v1/positions/{body['id']}/"
    assert api("sy.liaison").get(path).json()["name"] == "Post (fictional test)"
    assert api("mediator", "token").get(path).status_code == 200
    assert len(results(api("mediator").get("/api/v1/positions/"))) == 1
    for other in ("il.liaison", "monitor", "donor", "observer"):
        client = api(other, "token")
        hidden, missing = client.get(path), client.get(f"/api/v1/positions/{MISSING}/")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content
        assert hidden.json() == NOT_FOUND
        assert client.get(path + "holdings/").content == missing.content
        assert client.get("/api/v1/positions/").json() == EMPTY_PAGE
        assert client.get("/api/v1/position-changes/").json() == EMPTY_PAGE
        assert client.get("/api/v1/zone-totals/?day=2026-03-01").json() == EMPTY_PAGE
        assert client.get("/api/v1/positions/export/").json()["features"] == []
        changed = client.post(
            path + "changes/",
            {"change": "vacated", "effective": "2026-09-01"},
            content_type="application/json",
        )
        assert changed.content == missing.content
    holdings = results(api("sy.liaison").get(path + "holdings/"))
    assert {(h["category"], h["count"]) for h in holdings} == {("tanks", 5), ("personnel", 60)}


def test_nobody_declares_for_another_party_or_without_the_role(api: Any) -> None:
    before = Entry.objects.count()
    for who in ("mediator", "monitor", "donor", "sy.analyst"):
        assert _declare(api(who)).status_code == 403
    party = _declare(api("il.liaison"), party="sy")  # not a field of the API
    assert party.status_code == 400
    assert Entry.objects.count() == before
    assert not Position.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"geometry": {"type": "Point", "coordinates": [35.9, "33"]}},
        {"geometry": {"type": "Point", "coordinates": [5.0, 5.0]}},  # outside the region
        {"kind": "fortress"},
        {"established": "yesterday"},
        {"holdings": [{"category": "tanks", "count": -3}]},
        {"holdings": [{"category": "warships", "count": 3}]},
        {"holdings": [{"category": "tanks", "count": 3, "range_km": 30}]},
        {"name": ""},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api: Any, bad: dict[str, Any]) -> None:
    before = Entry.objects.count()
    response = _declare(api("sy.liaison"), **bad)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert Entry.objects.count() == before
    assert not Position.objects.exists()


def test_the_import_is_all_or_nothing(api: Any) -> None:
    feature = {
        "type": "Feature",
        "geometry": IL_SITE,
        "properties": {"name": "Imported (fictional)", "kind": "base", "established": "2025-02-01",
                       "holdings": [{"category": "personnel", "count": 120}]},
    }  # fmt: skip
    broken = copy.deepcopy(feature)
    broken["properties"]["established"] = "2025-02-30"
    client = api("il.liaison", "token")
    refused = client.post(
        "/api/v1/positions/import/",
        {"type": "FeatureCollection", "features": [feature, feature, broken]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["features[2].established"]
    assert not Position.objects.exists()
    done = client.post(
        "/api/v1/positions/import/",
        {"type": "FeatureCollection", "features": [feature, feature]},
        content_type="application/json",
    )
    assert done.status_code == 201
    assert [p["party"] for p in done.json()] == ["il", "il"]


def test_the_export_filters_by_date(api: Any) -> None:
    client = api("sy.liaison")
    _declare(client, established="2025-01-01")
    late = _declare(client, established="2026-04-01", geometry=AOS_SITE).json()
    gone = client.post(
        f"/api/v1/positions/{late['id']}/changes/",
        {"change": "vacated", "effective": "2026-05-01"},
        content_type="application/json",
    )
    assert gone.status_code == 201, gone.content
    count = {
        day: len(client.get(f"/api/v1/positions/export/?at={day}").json()["features"])
        for day in ("2024-12-31", "2025-06-01", "2026-04-15", "2026-05-01")
    }
    assert count == {"2024-12-31": 0, "2025-06-01": 1, "2026-04-15": 2, "2026-05-01": 1}
    assert client.get("/api/v1/positions/export/?at=soon").status_code == 400


def test_seal_dispute_reveal_and_verify_offline(api: Any, tmp_path: Path) -> None:
    sy = api("sy.liaison", "token")
    position = _declare(sy, name="Hilltop (fictional test)").json()
    _declare(sy, name="Crossroads (fictional test)", kind="checkpoint")
    sealed = sy.post(
        "/api/v1/position-seals/", {"kind": "baseline"}, content_type="application/json"
    )
    assert sealed.status_code == 201, sealed.content
    root = sealed.json()["root"]
    # The record entry is named by its hash, never by a sequence number (a count).
    assert sealed.json()["entry"] == Entry.objects.get(data__root=root).hash
    assert sealed.json()["size"] == pc.MIN_LEAVES
    again = sy.post(
        "/api/v1/position-seals/", {"kind": "baseline"}, content_type="application/json"
    )
    assert again.status_code == 400
    # Israel reads the root, never the positions.
    il = api("il.liaison", "token")
    assert [c["root"] for c in results(il.get("/api/v1/position-seals/"))] == [root]
    assert results(api("monitor").get("/api/v1/position-seals/")) == []
    opened = il.post(
        "/api/v1/position-disputes/",
        {
            "against": "sy",
            "claim": "Set up after the freeze (fictional test).",
            "geometry": SY_SITE,
        },
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    dispute = opened.json()["id"]
    item = next(c for c in Position.objects.get(public_id=position["id"]).changes.all()).public_id
    # Israel cannot reveal Syria's item (it cannot even name it: 404); the mediator needs
    # Syria's consent.
    assert il.post(f"/api/v1/position-disputes/{dispute}/reveal/", {"item": str(item)},
                   content_type="application/json").status_code == 404  # fmt: skip
    mediator = api("mediator", "token")
    assert mediator.post(f"/api/v1/position-disputes/{dispute}/reveal/", {"item": str(item)},
                         content_type="application/json").status_code == 403  # fmt: skip
    assert sy.post(f"/api/v1/position-disputes/{dispute}/consent/").status_code == 200
    revealed = mediator.post(
        f"/api/v1/position-disputes/{dispute}/reveal/", {"item": str(item)},
        content_type="application/json",
    )  # fmt: skip
    assert revealed.status_code == 201, revealed.content
    reveal = il.get(f"/api/v1/position-reveals/{revealed.json()['id']}/").json()
    file = reveal["file"]
    assert file["root"] == root
    assert file["item"]["name"] == "Hilltop (fictional test)"
    assert api("monitor").get(f"/api/v1/position-reveals/{reveal['id']}/").json() == NOT_FOUND
    assert api("donor").get(f"/api/v1/position-disputes/{dispute}/").json() == NOT_FOUND
    # Anyone checks it offline, with no configuration; a forged one fails.
    good = tmp_path / "reveal.json"
    good.write_text(json.dumps(file))
    forged = tmp_path / "forged.json"
    tampered = copy.deepcopy(file)
    tampered["item"]["established"] = "2024-01-01"
    forged.write_text(json.dumps(tampered))
    wrong_salt = tmp_path / "salt.json"
    wrong_salt.write_text(json.dumps({**file, "salt": "ab" * 32}))
    from coordcell.record.offline import verify_main

    assert verify_main([str(good)]) == 0
    assert verify_main([str(forged)]) == 1
    assert verify_main([str(wrong_salt)]) == 1


def test_the_verify_command_checks_a_reveal_file_in_a_fresh_process(tmp_path: Path) -> None:
    """``coordcell verify`` needs no server, database or setting: a bare interpreter."""
    datas = [pc.leaf_data({"party": "p", "position": f"POS-{i}"}, pc.new_salt()) for i in range(3)]
    sealed = pc.seal(datas, floor=8)
    import json as _json

    item = _json.loads(datas[1])
    document = {
        "format": pc.REVEAL_FORMAT, "party": "p", "root": sealed.root.hex(), "size": sealed.size,
        "index": sealed.indices[1], "salt": item["salt"], "item": item["item"],
        "proof": [h.hex() for h in pc.inclusion_proof(sealed.leaves, sealed.indices[1])],
    }  # fmt: skip
    path = tmp_path / "r.json"
    path.write_text(_json.dumps(document))
    src = str(Path(pc.__file__).resolve().parents[2])

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (this interpreter and our own driver)
            [sys.executable, "-c", "from coordcell.cli import main; main()", "verify", str(path)],
            capture_output=True, text=True, env={"PYTHONPATH": src}, check=False,
        )  # fmt: skip

    run = verify()
    assert run.returncode == 0, run.stderr
    assert "OK position reveal" in run.stdout
    document["proof"][0] = "00" * 32
    path.write_text(_json.dumps(document))
    run = verify()
    assert run.returncode == 1
    assert "FAILED" in run.stderr


def test_changes_classified_and_agreed_through_the_api(api: Any) -> None:
    sy = api("sy.liaison")
    _declare(sy)
    sy.post("/api/v1/position-seals/", {"kind": "baseline"}, content_type="application/json")
    new = _declare(sy, name="New (fictional test)", geometry=AOS_SITE, established="2026-02-01")
    assert new.status_code == 201
    changes = results(sy.get("/api/v1/position-changes/"))
    assert [c["classification"] for c in changes] == ["possible_violation"]
    assert changes[0]["findings"][0]["rule"] == "freeze:new_position"
    agreed = api("mediator").post(
        f"/api/v1/position-changes/{changes[0]['id']}/agree/",
        {"note": "Both parties consented in the talks (fictional test)."},
        content_type="application/json",
    )
    assert agreed.status_code == 200
    assert agreed.json()["classification"] == "agreed"
    other = api("il.liaison").post(
        f"/api/v1/position-changes/{changes[0]['id']}/agree/", {"note": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert other.json() == NOT_FOUND
    batch = sy.post("/api/v1/position-seals/", {"kind": "changes"}, content_type="application/json")
    assert batch.status_code == 201
    assert results(sy.get("/api/v1/position-changes/"))[0]["sealed_in"] == batch.json()["reference"]


def test_zone_totals_for_those_entitled(api: Any) -> None:
    _declare(api("sy.liaison"), holdings=[{"category": "tanks", "count": 76}])
    _declare(api("il.liaison"), geometry=IL_SITE, holdings=[{"category": "tanks", "count": 3}])
    day = "?day=2026-03-01"
    mediator = {(r["zone"], r["party"], r["category"]): r
                for r in results(api("mediator").get("/api/v1/zone-totals/" + day))}  # fmt: skip
    assert mediator[("aol_B_0_10km", "sy", "tanks")]["over"] is True
    assert mediator[("aol_A_0_10km", "il", "tanks")]["over"] is False
    own = results(api("il.liaison").get("/api/v1/zone-totals/" + day))
    assert {r["party"] for r in own} == {"il"}
    assert dt.date.fromisoformat("2026-03-01")


def test_verify_finds_the_revealed_root_in_a_verified_record_bundle(
    api: Any, actor: Any, tmp_path: Path
) -> None:
    from io import BytesIO

    from coordcell.record.export import export_bundle
    from coordcell.record.keys import log_verifiers
    from coordcell.record.offline import verify_main
    from coordcell.record.services import issue_checkpoint

    sy = api("sy.liaison")
    item_position = _declare(sy).json()
    before = BytesIO()
    issue_checkpoint(force=True)
    export_bundle(actor("il.liaison"), before)
    sy.post("/api/v1/position-seals/", {"kind": "baseline"}, content_type="application/json")
    il = api("il.liaison")
    dispute = il.post(
        "/api/v1/position-disputes/", {"against": "sy", "claim": "After the freeze (fictional)."},
        content_type="application/json",
    ).json()["id"]  # fmt: skip
    item = Position.objects.get(public_id=item_position["id"]).changes.get().public_id
    reveal = sy.post(
        f"/api/v1/position-disputes/{dispute}/reveal/", {"item": str(item)},
        content_type="application/json",
    ).json()  # fmt: skip
    issue_checkpoint(force=True)
    after = BytesIO()
    export_bundle(actor("il.liaison"), after)  # Israel's own view of the record
    (tmp_path / "reveal.json").write_text(json.dumps(reveal["file"]))
    (tmp_path / "before.txt").write_bytes(before.getvalue())
    (tmp_path / "after.txt").write_bytes(after.getvalue())
    keys = [arg for v in log_verifiers() for arg in ("--log-key", v.vkey)]
    reveal_path = str(tmp_path / "reveal.json")
    assert verify_main([reveal_path, "--record", str(tmp_path / "after.txt"), *keys]) == 0
    # A bundle from before the seal holds no such commitment.
    assert verify_main([reveal_path, "--record", str(tmp_path / "before.txt"), *keys]) == 1


def test_one_dispute_reveals_the_item_in_question_only(api: Any) -> None:
    """A consent is to revealing the item in question, not the party's whole baseline."""
    sy = api("sy.liaison", "token")
    hilltop = _declare(sy, name="Hilltop (fictional test)").json()
    depot = _declare(sy, name="Depot (fictional test)", geometry=AOS_SITE).json()
    assert sy.post("/api/v1/position-seals/", {"kind": "baseline"},
                   content_type="application/json").status_code == 201  # fmt: skip
    dispute = (
        api("il.liaison", "token")
        .post(
            "/api/v1/position-disputes/",
            {"against": "sy", "claim": "The hilltop post (fictional test).", "geometry": SY_SITE},
            content_type="application/json",
        )
        .json()["id"]
    )
    first, other = (
        Position.objects.get(public_id=p["id"]).changes.get().public_id for p in (hilltop, depot)
    )
    assert sy.post(f"/api/v1/position-disputes/{dispute}/consent/").status_code == 200
    path = f"/api/v1/position-disputes/{dispute}/reveal/"
    mediator = api("mediator", "token")
    done = mediator.post(path, {"item": str(first)}, content_type="application/json")
    assert done.status_code == 201, done.content
    before = (Entry.objects.count(), Reveal.objects.count())
    for client in (mediator, sy):  # the declaring party too: another item, another dispute
        refused = client.post(path, {"item": str(other)}, content_type="application/json")
        assert refused.status_code == 400, refused.content
        assert "one item only" in refused.json()["error"]["fields"]["change"][0]
    assert (Entry.objects.count(), Reveal.objects.count()) == before
    assert not Reveal.objects.filter(change__public_id=other).exists()
    assert "Depot" not in json.dumps(list(Entry.objects.values_list("data", flat=True)))


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"name": {"evil": [1, 2]}}, "name"),
        ({"name": ["Post"]}, "name"),
        ({"name": 7}, "name"),
        ({"established": 20250201}, "established"),
    ],
)
def test_the_import_takes_text_fields_as_text_only(
    api: Any, props: dict[str, Any], field: str
) -> None:
    feature = {
        "type": "Feature",
        "geometry": IL_SITE,
        "properties": {"name": "Imported (fictional)", "kind": "base",
                       "established": "2025-02-01", **props},
    }  # fmt: skip
    refused = api("il.liaison", "token").post(
        "/api/v1/positions/import/",
        {"type": "FeatureCollection", "features": [feature]},
        content_type="application/json",
    )
    assert refused.status_code == 400, refused.content
    assert list(refused.json()["error"]["fields"]) == [f"features[0].{field}"]
    assert not Position.objects.exists()


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("holdings", DEEP),
        ("geometry", DEEP),
    ],
    ids=["holdings", "geometry"],
)
def test_json_inside_an_imported_feature_is_read_safely(api: Any, where: str, value: str) -> None:
    """JSON given as a string inside a feature, nested too deeply: a 400, not a 500."""
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": IL_SITE,
        "properties": {"name": "Imported (fictional)", "kind": "base", "established": "2025-02-01"},
    }
    if where == "geometry":
        feature["geometry"] = value
    else:
        feature["properties"][where] = value
    client = api("il.liaison", "token")
    client.raise_request_exception = False
    refused = client.post(
        "/api/v1/positions/import/",
        {"type": "FeatureCollection", "features": [feature]},
        content_type="application/json",
    )
    assert refused.status_code == 400, refused.content[:300]
    assert list(refused.json()["error"]["fields"]) == [f"features[0].{where}"]
    assert not Position.objects.exists()
