"""``coordcell demo`` end to end: the real command, in a subprocess, over HTTP.

The tests run in file order; the rerun of ``demo --no-serve`` comes last because it
rewrites the running demo's database.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e import demo_server
from tests.e2e.demo_server import Demo, run_no_serve

# One group: these tests share the one demo process (and the browser tests use it too).
pytestmark = pytest.mark.xdist_group("demo")

ZONE_IDS = {
    "alpha_line_approx",
    "bravo_line_approx",
    "area_of_separation_approx",
    "aol_A_0_10km",
    "aol_A_10_20km",
    "aol_A_20_25km",
    "aol_B_0_10km",
    "aol_B_10_20km",
    "aol_B_20_25km",
    "economic_zone",
    "hermon_part_approx",
}


def api_get(demo: Demo, path: str, token: str) -> tuple[int, dict]:
    req = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
        demo.base_url + path, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_the_login_page_answers(demo: Demo) -> None:
    status, _, body = demo.session().request("/accounts/login/")
    assert status == 200
    assert 'name="login"' in body
    assert 'name="password"' in body
    print(f"\ncoordcell demo answered on /accounts/login/ after {demo.startup_seconds:.1f} s")


def test_the_accounts_file_lists_eleven_accounts_with_passwords_and_tokens(demo: Demo) -> None:
    data = demo.read_accounts()
    accounts = data["accounts"]
    assert len(accounts) == 11  # with the agreed access body's (the ICRC's)
    assert len({a["username"] for a in accounts}) == 11
    for a in accounts:
        assert len(a["password"]) >= 12, a["username"]
        assert re.fullmatch(r"cc_[0-9a-f]+_\S+", a["token"]), a["username"]
    assert data["url"] == f"http://127.0.0.1:{demo.port}/"
    assert (demo.data_dir / "demo-accounts.json").stat().st_mode & 0o077 == 0


def test_a_token_reads_the_eleven_zones(demo: Demo) -> None:
    status, body = api_get(demo, "/api/v1/zones/", demo.accounts["il.analyst"]["token"])
    assert status == 200
    assert body["type"] == "FeatureCollection"
    assert {f["id"] for f in body["features"]} == ZONE_IDS


def test_the_api_refuses_a_wrong_token(demo: Demo) -> None:
    token = demo.accounts["il.analyst"]["token"]
    status, body = api_get(demo, "/api/v1/zones/", token[:-2] + "xx")
    assert status == 401
    assert "error" in body


def test_the_background_worker_reports_to_the_administrator(demo: Demo) -> None:
    """The demo starts ``coordcell worker``; its heartbeat shows on the mediator's home page."""
    session = demo.session("mediator")
    # The worker beats on start, then every 10 s; its process may start late on a loaded
    # machine, so the wait is long (it ends as soon as the beat shows).
    deadline = time.monotonic() + 90
    while True:
        status, _, body = session.request("/")
        assert status == 200
        if "last seen" in body or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "Background worker" in body
    assert "No worker has reported" not in body, demo.log_tail()
    assert re.search(r'class="mono">[^<]+:\d+</span> — last seen', body), body


def _cases(demo: Demo, username: str) -> list[dict]:
    status, body = api_get(demo, "/api/v1/cases/", demo.accounts[username]["token"])
    assert status == 200, body
    assert body["next"] is None  # one page holds the story
    return body["results"]


def test_the_first_start_shows_cases_in_several_states(demo: Demo) -> None:
    # The story's cases (each labelled a fictional exercise): the browser journeys that
    # share this demo lodge cases of their own, labelled otherwise.
    def story(cases: list[dict]) -> list[dict]:
        return [c for c in cases if "(fictional exercise)" in c["summary"]]

    cases = story(_cases(demo, "mediator"))
    assert sorted((c["state"], c["level"], c["protocol"]) for c in cases) == [
        ("acknowledged", 0, "complaint"),
        ("answered", 0, "complaint"),
        ("answered", 1, "complaint"),  # answer rejected, then escalated by its complainant
        ("determined", 0, "complaint"),
        ("determined", 0, "complaint"),  # with a remedy due in four days
        ("lodged", 0, "complaint"),  # the follow-up an incident at a notified site opened
        ("lodged", 0, "complaint"),  # the demolition, with both parties' casualty figures
        ("lodged", 0, "hotline"),  # a hotline call become a complaint; due in two hours
        ("resolved_by_agreement", 0, "complaint"),  # settled at working level
    ]
    # Each side's board shows the cases between the two parties; the observers one.
    assert len(story(_cases(demo, "il.liaison"))) == len(story(_cases(demo, "sy.liaison"))) == 9
    assert [c["state"] for c in story(_cases(demo, "observer"))] == ["answered"]
    status, _, body = demo.session("mediator").request("/cases/")
    assert status == 200
    # The board lists the open cases; the one resolved by agreement has ended.
    assert all(c["reference"] in body for c in cases if c["state"] != "resolved_by_agreement")


def test_the_first_start_shows_hotline_calls(demo: Demo) -> None:
    status, body = api_get(demo, "/api/v1/hotline/", demo.accounts["il.liaison"]["token"])
    assert status == 200
    assert body["next"] is None
    calls = body["results"]
    assert sorted((c["answered_at"] is not None, c["case"] is not None) for c in calls) == [
        (False, False),
        (True, False),
        (True, False),  # the thread of messages and commitments
        (True, True),
    ]


def test_a_checkpoint_of_the_story_is_cosigned_by_every_partys_witness(demo: Demo) -> None:
    token = demo.accounts["mediator"]["token"]
    status, entries = api_get(demo, "/api/v1/record/entries?limit=1000", token)
    assert status == 200
    told = [e["seq"] for e in entries if e["event_type"] == "demo.story_told"]
    assert len(told) == 1
    status, witnesses = api_get(demo, "/api/v1/record/witnesses", token)
    assert status == 200
    parties = {w["party"] for w in witnesses["results"]}
    assert parties == {"il", "sy"}
    deadline = time.monotonic() + 60  # the witnesses look every 5 s
    while True:
        status, latest = api_get(demo, "/api/v1/record/checkpoint", token)
        assert status == 200
        cosigned = {c["party"] for c in latest["cosignatures"]}
        if (latest["size"] >= told[0] and cosigned == parties) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert latest["size"] >= told[0]
    assert cosigned == parties, demo.log_tail()


OBSERVATIONS = Path(__file__).resolve().parents[1] / "unit/interop/fixtures/observations.geojson"


def test_the_served_engine_measures_as_the_command_line_does(demo: Demo, tmp_path: Path) -> None:
    """The rules engine's parallel kernels run in gunicorn's worker as anywhere else.

    The demo tells its story before it serves; were the story told in gunicorn's arbiter,
    OpenMP (numba's threads) would be running there when the workers are forked, and a
    worker's first parallel kernel would end it (numba sends it SIGTERM, the kernel left
    undone). The distances the API answers are those ``coordcell check`` computes here,
    and the worker that computed them is the one the demo started with."""
    body = OBSERVATIONS.read_bytes()
    req = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
        demo.base_url + "/api/v1/check",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {demo.accounts['il.analyst']['token']}",
            "Content-Type": "application/geo+json",
        },
    )
    with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
        served = json.loads(response.read())["features"]
    out = tmp_path / "checked.jsonl"
    call_command("checkobservations", "--scenario", "southern_syria_2026", str(OBSERVATIONS),
                 "--out", str(out))  # fmt: skip
    here = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(served) == len(here) == 4
    for answer, record in zip(served, here, strict=True):
        assert answer["properties"]["distances_m"] == record["distances_m"], record["source_id"]
        assert answer["properties"]["distances_m"]  # the scenario's two lines
    log = demo.log.read_text(encoding="utf-8", errors="replace")
    assert "Terminating: fork()" not in log
    assert log.count("Booting worker") == 1, demo.log_tail()


def test_ctrl_c_stops_the_demo_at_once_without_a_traceback(demo: Demo) -> None:
    """Ctrl-C sends SIGINT to the terminal's process group: the demo, gunicorn's worker,
    the background worker and the witnesses. A second demo, on a copy of the running
    one's data (a warm start), is stopped that way once all of them are running."""
    second = demo_server.start(data_from=demo)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log = second.log.read_text(encoding="utf-8", errors="replace")
            witnessed = log.count("GET /api/v1/record/checkpoint ")
            if "coordcell.worker: worker" in log and witnessed >= 2:
                break
            time.sleep(0.2)
        assert witnessed >= 2, second.log_tail()  # both witnesses are in their loop
        stopped = time.monotonic()
        os.killpg(second.process.pid, signal.SIGINT)
        try:
            status = second.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the demo did not stop within 30 s of Ctrl-C:\n" + second.log_tail())
        seconds = time.monotonic() - stopped
        output = second.log.read_text(encoding="utf-8", errors="replace")
        assert status in (0, 130), output[-3000:]
        assert "Traceback" not in output, output[-3000:]
        assert "SIGKILL" not in output, output[-3000:]
        assert "Shutting down: Master" in output
        assert not demo_server._group_alive(second.process.pid)
        print(f"\nthe demo stopped {seconds:.1f} s after Ctrl-C")
    finally:
        demo_server.stop(second)


def test_running_the_demo_again_keeps_the_data_and_the_accounts(demo: Demo) -> None:
    before = demo.read_accounts()

    cases = _cases(demo, "mediator")

    result = run_no_serve(demo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "southern_syria_2026 version 1" in result.stdout
    assert "story" not in result.stdout  # told once, on the first start
    assert _cases(demo, "mediator") == cases
    assert demo.read_accounts() == before  # same passwords, same tokens
    # The running server still takes the old tokens, and there is still only version 1.
    for account in before["accounts"]:
        status, body = api_get(demo, "/api/v1/arrangements/southern_syria_2026/", account["token"])
        assert status == 200, (account["username"], body)
        assert body["current_version"] == 1
        assert [v["number"] for v in body["versions"]] == [1]
    status, body = api_get(demo, "/api/v1/zones/", before["accounts"][0]["token"])
    assert status == 200
    assert {f["id"] for f in body["features"]} == ZONE_IDS
