#!/usr/bin/env python3
"""Regenerate the README's screenshots in docs/img/ from the running demo, with Chromium.

    python scripts/screenshots.py            # every picture
    python scripts/screenshots.py --only map.png

For each shipped scenario it needs, it starts ``coordcell demo --scenario NAME`` in an
empty temporary data directory on a free local port (as a user would, without the tests'
settings), logs in as a demo persona, opens the pages in headless Debian Chromium
(``/usr/bin/chromium``, driven by Playwright; no browser is downloaded) at 1280×800, and
writes the PNGs; then stops the demo's whole process group and removes its directory.

A script, not a test: it changes files of the repository. Nothing here names a zone,
a clause or a party: the pictures show what the demo's pages show.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS_IMG = ROOT / "docs" / "img"
CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}
#: How long a demo may take to answer (migrations, the scenario, the accounts, the story).
STARTUP_SECONDS = 300.0


@dataclass
class Demo:
    scenario: str
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def accounts(self) -> dict[str, Any]:
        """The demo's fictional accounts by username (``demo-accounts.json``)."""
        written = json.loads((self.data_dir / "demo-accounts.json").read_text())
        return {a["username"]: a for a in written["accounts"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own demo)
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def demo(scenario: str, folder: Path) -> Iterator[Demo]:
    """``coordcell demo --scenario NAME`` on a free port, stopped (its whole group) after."""
    port = _free_port()
    data_dir = folder / f"data-{scenario}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COORDCELL_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["XDG_RUNTIME_DIR"] = str(folder)
    # "default": the scenario ``coordcell demo`` loads without ``--scenario``.
    chosen = [] if scenario == "default" else ["--scenario", scenario]
    command = [
        sys.executable,
        "-m",
        "coordcell.cli",
        "demo",
        *chosen,
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
    ]
    log = (folder / f"demo-{scenario}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 (our own command)
        command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    running = Demo(scenario, f"http://127.0.0.1:{port}", data_dir, process)
    try:
        started = time.monotonic()
        while not _answers(f"{running.base_url}/accounts/login/"):
            if process.poll() is not None or time.monotonic() - started > STARTUP_SECONDS:
                tail = (folder / f"demo-{scenario}.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"the {scenario} demo did not start:\n{tail}")
            time.sleep(1)
        yield running
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _login(page: Any, running: Demo, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", running.accounts()[username]["password"])
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def _language(page: Any, code: str) -> None:
    if page.get_attribute("html", "lang") != code:
        with page.expect_navigation():
            page.click(f'form.langswitch button[value="{code}"]')


def _map(page: Any) -> None:
    page.goto("/map/")
    page.wait_for_selector("#map[data-zones-loaded]", state="attached")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # the layers' fade-in


def _persona(running: Demo, role: str) -> str:
    """The demo's first account whose name says ``role`` (e.g. "mediator", "liaison")."""
    names = sorted(running.accounts())
    return next(n for n in names if role in n)


#: picture → (scenario, persona's role, language, what to open). The default scenario
#: is the one ``coordcell demo`` loads without ``--scenario``.
Shot = tuple[str, str, str, Callable[[Any], None]]
SHOTS: dict[str, Shot] = {
    "map.png": ("default", "mediator", "en", _map),
    "map-ar.png": ("default", "mediator", "ar", _map),
    "map-sinai_1979.png": ("sinai_1979", "liaison", "en", _map),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(SHOTS), help="one picture")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    wanted = args.only or sorted(SHOTS)
    by_scenario: dict[str, list[str]] = {}
    for name in wanted:
        scenario = SHOTS[name][0]
        by_scenario.setdefault(scenario, []).append(name)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coordcell-shots-") as tmp, sync_playwright() as p:
        folder = Path(tmp)
        home = {"HOME": tmp, "XDG_CONFIG_HOME": tmp, "XDG_CACHE_HOME": tmp}
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
            env={**os.environ, **home},
        )
        try:
            for scenario, names in by_scenario.items():
                with demo(scenario, folder) as running:
                    for name in names:
                        _, role, language, open_page = SHOTS[name]
                        context = browser.new_context(base_url=running.base_url, viewport=VIEWPORT)
                        try:
                            page = context.new_page()
                            page.set_default_timeout(30_000)
                            _login(page, running, _persona(running, role))
                            page.goto("/")
                            _language(page, language)
                            open_page(page)
                            path = DOCS_IMG / name
                            page.screenshot(path=str(path), type="png")
                            print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
                        finally:
                            context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
