"""Headless Debian Chromium, driven by Playwright, against the demo of tests/e2e.

No browser is downloaded: Playwright launches the system's Chromium, Debian's headless
build of it (``/usr/bin/chromium-headless-shell``, package ``chromium-headless-shell``)
when installed, else the full browser (``/usr/bin/chromium``). The tests skip when neither
is there. Each persona logs in once (a password hash costs about a second); later pages
reuse the saved cookies in fresh browser contexts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import demo  # noqa: F401 (the shared, running demo)
from tests.e2e.demo_server import Demo

#: The same Chromium (one Debian source, one version) without the desktop browser around
#: Blink, as Playwright's own headless runs use: the full browser makes each new browser
#: context (one per page a test opens) a whole off-the-record profile. A map page and a
#: form page, each in a fresh context, ten times: 16.5 s of CPU there, 6.0 s in the
#: headless shell; the browser tests' Chromium, about 61 s of CPU then, about 20 s now.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
FULL_CHROMIUM = Path("/usr/bin/chromium")


def _installed(path: Path) -> bool:
    return path.exists() and shutil.which(str(path)) is not None


CHROMIUM = HEADLESS_SHELL if _installed(HEADLESS_SHELL) else FULL_CHROMIUM
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium-headless-shell)"
    )
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            if not _installed(CHROMIUM):
                item.add_marker(skip)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium, launched once for the browser tests and closed after the last of them.

    Not kept for the session: Playwright's synchronous API runs an asyncio loop in the
    worker's thread while it is open, and Django refuses database work in a thread with a
    running loop, so a worker that ran the browser tests could run no database test after
    them.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    # Chromium's own files (crash reports, caches) go to a directory removed afterwards.
    with tempfile.TemporaryDirectory(prefix="coordcell-chromium-") as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home}
        with sync_api.sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, env=env
            )
            try:
                yield chromium
            finally:
                chromium.close()


class LoggedInStates:
    """``states("mediator")``: the cookies of that person's session, logging in on first
    use; ``states.remember(username, context)`` keeps those of a context logged in already."""

    def __init__(self, browser: Any, server: Demo) -> None:
        self.browser = browser
        self.demo = server
        self.states: dict[str, dict[str, Any]] = {}

    def remember(self, username: str, context: Any) -> None:
        self.states[username] = context.storage_state()

    def __call__(self, username: str) -> dict[str, Any]:
        if username not in self.states:
            context = self.browser.new_context(base_url=self.demo.base_url)
            try:
                login(context.new_page(), self.demo, username)
                self.remember(username, context)
            finally:
                context.close()
        return self.states[username]


@pytest.fixture(scope="package")
def logged_in_state(browser: Any, demo: Demo) -> LoggedInStates:  # noqa: F811
    return LoggedInStates(browser, demo)


def watch_errors(page: Any) -> list[str]:
    """The page's console errors and uncaught exceptions, as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    return errors


def login(page: Any, server: Demo, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", server.accounts[username]["password"])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/accounts/login/" not in page.url, page.content()[:1000]


@pytest.fixture
def new_page(
    browser: Any,
    demo: Demo,  # noqa: F811
    logged_in_state: LoggedInStates,
) -> Iterator[Callable[..., Any]]:
    """``new_page("il.liaison")`` opens a page in a fresh context with that person's session
    (``None``: anonymous); console errors and page errors are collected on ``page.errors``."""
    contexts: list[Any] = []

    def make(username: str | None, **options: Any) -> Any:
        state = logged_in_state(username) if username else None
        context = browser.new_context(base_url=demo.base_url, storage_state=state, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.errors = watch_errors(page)
        return page

    yield make
    for context in contexts:
        context.close()
