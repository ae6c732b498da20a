"""``coordcell demo`` end to end: the real command, in a subprocess, over HTTP.

The tests run in file order; the rerun of ``demo --no-serve`` comes last because it
rewrites the running demo's database.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest

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


def test_the_accounts_file_lists_ten_accounts_with_passwords_and_tokens(demo: Demo) -> None:
    data = demo.read_accounts()
    accounts = data["accounts"]
    assert len(accounts) == 10
    assert len({a["username"] for a in accounts}) == 10
    for a in accounts:
        assert len(a["password"]) >= 12, a["username"]
        assert re.fullmatch(r"cc_[0-9a-f]+_\S+", a["token"]), a["username"]
    assert data["url"] == f"http://127.0.0.1:{demo.port}/"
    assert (demo.data_dir / "demo-accounts.json").stat().st_mode & 0o077 == 0


def test_a_token_reads_the_ten_zones(demo: Demo) -> None:
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
    deadline = time.monotonic() + 20  # the worker beats on start, then every 10 s
    while True:
        status, _, body = session.request("/")
        assert status == 200
        if "last seen" in body or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "Background worker" in body
    assert "No worker has reported" not in body, demo.log_tail()
    assert re.search(r'class="mono">[^<]+:\d+</span> — last seen', body), body


def test_running_the_demo_again_keeps_the_data_and_the_accounts(demo: Demo) -> None:
    before = demo.read_accounts()

    result = run_no_serve(demo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "southern_syria_2026 version 1" in result.stdout
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
