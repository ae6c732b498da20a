"""Shared fixtures: the southern-Syria scenario and the demo personas, loaded once.

The personas are the demo's fictional accounts, so the tests exercise the same
people a user meets in the demo:

- ``mediator``  — US delegation, principal and cell administrator
- ``il.liaison``, ``il.analyst``, ``il.admin`` — Israeli delegation
- ``sy.liaison``, ``sy.analyst``, ``sy.admin`` — Syrian delegation
- ``monitor`` (UNDOF), ``donor`` (fictional donor, confidential), ``observer`` (Jordan)
- ``outsider`` — an account with no membership at all
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.signals import setting_changed

from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.core.actor import Actor
from coordcell.demo.loader import load_demo_data
from coordcell.record.note import ALG_COSIGNATURE_V1, Signer
from coordcell.record.services import issue_checkpoint, register_witness
from coordcell.rules.scenario import read_scenario
from tests import (
    built_once,
    profiles,  # noqa: F401 (loads the Hypothesis profile, see tests/profiles.py)
)
from tests.bytecode import cache_bytecode
from tests.e2e.record_cell import DEFAULT_DATA_DIR
from tests.story import DemoStory

SCENARIO = SCENARIOS_DIR / "southern_syria_2026"


def pytest_configure(config: pytest.Config) -> None:
    """Collect garbage less often: the suite makes millions of short-lived objects (query
    sets, requests, templates) that reference counting frees, and the cyclic collector's
    default thresholds made it walk the whole heap of Django's loaded apps again and
    again. With these, the suite spends about a tenth less CPU (docs/testing.md)."""
    gc.set_threshold(100_000, 50, 100)
    # Before pytest-xdist starts the workers, which inherit it (tests/bytecode.py).
    cache_bytecode()
    if not hasattr(config, "workerinput"):  # the controller (or a run without workers)
        from tests.warm_kernels import warm_up

        warm_up()
    built_once.configure(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist's controller, before it starts a worker: where the run's data
    directories built once are (tests/built_once.py)."""
    built_once.configure_node(node)


def pytest_unconfigure(config: pytest.Config) -> None:
    built_once.unconfigure()


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (the apps, the modules, the test
    items) lives to the end: move it out of the collector's sight."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The folders with tests marked ``slow`` first, those where they are the largest part
    of the folder's tests first, each folder in its collected order (docs/testing.md).

    pytest-xdist hands out the xdist groups first (the largest first), then one test at
    a time in this order: a slow test started last would leave the other worker idle
    while it runs, so the slow ones go out while both workers are busy anyway, and the
    quick ones even out the end. A slow test's whole folder goes with it: moving the slow
    tests alone split their modules and packages, and a module's or package's fixture (a
    story told once for tests/integration/gis) was then made once for the slow tests and
    again for the others, after pytest had torn it down in between.
    """
    tests: dict[Path, int] = {}
    slow: dict[Path, int] = {}
    for item in items:
        tests[item.path.parent] = tests.get(item.path.parent, 0) + 1
        if item.get_closest_marker("slow") is not None:
            slow[item.path.parent] = slow.get(item.path.parent, 0) + 1
    # The folders where slow tests weigh most first (tests/e2e, all of whose tests start
    # processes, before tests/integration with two slow modules among eighty); a folder's
    # tests stay together and in their collected order (the sort is stable).
    items.sort(key=lambda item: -slow.get(item.path.parent, 0) / tests[item.path.parent])
    if built_once.postgres_pass():
        sqlite_only = pytest.mark.skip(reason=SQLITE_DEMO_ONLY)
        for item in items:
            group = item.get_closest_marker("xdist_group")
            if group is not None and group.args and group.args[0] == "demo":
                item.add_marker(sqlite_only)


#: Why the ``demo`` group (the served demo, the browser journeys) skips in the
#: PostgreSQL pass: ``coordcell demo`` serves its own SQLite data directory whatever the
#: suite's database (tests/e2e/demo_server.py), so the PostgreSQL pass would run the same
#: thing again, as the record's e2e tests on the demo's data directory would.
SQLITE_DEMO_ONLY = "the demo's own SQLite data directory: runs in the suite's SQLite pass"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a grouped test when pytest-xdist ignores its ``xdist_group`` (a test worker
    under ``--dist loadgroup``): the demo and the browser would then be started on both
    workers, silently, as with pytest 9.2 and pytest-xdist 3.8."""
    mark = item.get_closest_marker("xdist_group")
    if (
        mark is not None
        and getattr(item.config.option, "loadgroup", False)
        and "@" not in item.nodeid.rsplit("]", 1)[-1]
    ):
        pytest.fail(
            f"its xdist_group {mark.args[0]!r} is ignored by this pytest and pytest-xdist: "
            "use the versions of constraints.txt (docs/testing.md)",
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report the demo's measured start-up times (shown when the e2e tests run in this
    process: ``pytest -n0 tests/e2e``; pytest-xdist workers keep their own)."""
    from tests.e2e import demo_server

    if demo_server.timings:
        terminalreporter.section("coordcell demo timings")
        for name, seconds in demo_server.timings.items():
            terminalreporter.write_line(f"{name}: {seconds:.1f} s")


@pytest.fixture(scope="session")
def migrated_data_dir() -> Path:
    """A data directory on which ``coordcell migrate`` ran, built once per test run
    (tests/built_once.py): read it, copy it, never write to it."""
    return built_once.ensure("migrated") / "data"


@pytest.fixture(scope="session")
def demo_data_dir() -> Path:
    """``coordcell demo --no-serve``'s data directory, made in an empty directory with no
    option or setting, built once per test run (tests/built_once.py): read it, copy it,
    never write to it."""
    return built_once.ensure("demo") / DEFAULT_DATA_DIR


#: The open connection that keeps this process's in-memory test database alive until
#: Django's own connection to it is open.
_TEMPLATE_COPY: list[sqlite3.Connection] = []


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """This process's test database starts as a copy of a database migrated once per
    test run, instead of running the ninety-odd migrations again (some 20 s of CPU).

    On SQLite, the copy is of ``migrated_data_dir``'s database.
    pytest-django asks for this fixture before it creates the test database; the copy is
    made where Django creates it (``DatabaseCreation._create_test_db``), so the rest is
    Django's own: ``migrate`` then runs on the copy, finds every migration applied (a
    third of a second; it would apply any that were not) and sends ``post_migrate``, then
    ``createcachetable``. The copy is what ``migrate`` makes under the test settings:
    ``sqlite3``'s ``iterdump()`` of both is the same, row for row, but for the times the
    migrations were applied (checked when this was written).

    On PostgreSQL, the test database is created from a database migrated once per run
    (``CREATE DATABASE … TEMPLATE``: Django's ``TEST["TEMPLATE"]``), a copy of it; the
    same ``migrate`` then finds every migration applied.
    """
    from django.db import connections

    connection = connections["default"]
    if connection.vendor == "postgresql":
        template = (built_once.ensure("migrated-pg") / "name").read_text(encoding="utf-8")
        connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = template
        return
    if connection.vendor != "sqlite":
        return
    template = request.getfixturevalue("migrated_data_dir") / built_once.DATABASE
    creation: Any = connection.creation
    create = creation._create_test_db

    def create_from_template(verbosity: int, autoclobber: bool, keepdb: bool = False) -> str:
        name: str = create(verbosity, autoclobber, keepdb)
        if keepdb:  # --reuse-db: the kept database, brought up to date by migrate
            return name
        in_memory = creation.is_in_memory_db(name)
        copy = built_once.copy_database(template, name, uri=in_memory)
        if in_memory:
            _TEMPLATE_COPY.append(copy)
        else:
            copy.close()
        return name

    creation._create_test_db = create_from_template


#: Each persona's API token (in clear), made once per session with the personas.
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the scenario and the personas once per session; each test rolls back its changes."""
    from coordcell.accounts.models import User
    from coordcell.accounts.services import create_api_token

    while _TEMPLATE_COPY:  # Django's connection keeps the in-memory copy from now on
        _TEMPLATE_COPY.pop().close()
    with django_db_blocker.unblock():
        actor = Actor.console("tests")
        load_arrangement(actor=actor, path=SCENARIO)
        demo = read_scenario(SCENARIO).demo
        assert demo is not None
        accounts = load_demo_data(actor=actor, demo=demo, known={})
        TOKENS.update({a.username: a.token for a in accounts})
        outsider = User.objects.create_user(username="outsider", password="outsider-password-123")
        _, TOKENS["outsider"] = create_api_token(actor=Actor.from_user(outsider), name="tests")
        for party in WITNESSED:
            admin = Actor.from_user(User.objects.get(username=f"{party}.admin"))
            register_witness(actor=admin, vkey=witness_signer(party).verifier.vkey)
        _drill_case()
        _verification_drill()
        issue_checkpoint(force=True)


def _tiny_png() -> bytes:
    from PIL import Image, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Exercise photographer (fictional)")
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (120, 140, 90)).save(out, format="PNG", pnginfo=text)
    return out.getvalue()


#: A tiny real PNG with a text chunk (evidence images are decoded and encoded again, so it
#: must be one; the released copy drops the chunk).
PNG = _tiny_png()

#: A point inside the Area of Separation (see the scenario's zones).
IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _drill_case() -> None:
    """One incident and one complaint (Israel about Syria) that the tests address."""
    from coordcell.accounts.models import User
    from coordcell.agreements.selectors import get_version
    from coordcell.cases.hotline import activate
    from coordcell.cases.services import lodge_complaint
    from coordcell.incidents.evidence import add_evidence
    from coordcell.incidents.services import IncidentInput, report_incident
    from coordcell.parties.models import Party

    liaison = Actor.from_user(User.objects.get(username="il.liaison"))
    incident = report_incident(
        actor=liaison,
        data=IncidentInput(
            kind="military_presence",
            title="Armed personnel in the Area of Separation (fictional test)",
            occurred_from=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        version=get_version(liaison, None, None),
        audience=["il", "sy"],
    )
    add_evidence(
        actor=liaison, incident=incident, upload=io.BytesIO(PNG), filename="photo (fictional).png"
    )
    lodge_complaint(
        actor=liaison,
        incident=incident,
        respondent="sy",
        summary="Armed personnel in the Area of Separation (fictional test).",
    )
    activate(
        actor=liaison,
        callee=Party.objects.get(code="sy"),
        channel="call",
        subject_text="Shots heard near the line (fictional test).",
        version=get_version(liaison, None, None),
    )


def _verification_drill() -> None:
    """A binding pair of withdrawal steps with an open extension, an inspection request,
    a report and an access denial, that the tests address (read by both parties, the
    mediator and the monitors)."""
    from django.utils import timezone

    from coordcell.accounts.models import User
    from coordcell.agreements.selectors import get_version
    from coordcell.verification import inspections, timeline

    def who(username: str) -> Actor:
        return Actor.from_user(User.objects.get(username=username))

    version = get_version(who("mediator"), None, None)
    due = timezone.now() + dt.timedelta(days=30)
    step, _other = timeline.propose_steps(
        actor=who("mediator"),
        version=version,
        clause="WITHDRAWAL-2026",
        first=timeline.StepInput("il", 1, "Phase 1 (fictional test)", due, ["aol_A_0_10km"]),
        second=timeline.StepInput("sy", 1, "Phase 1 (fictional test)", due, ["aol_B_0_10km"]),
    )
    timeline.countersign_steps(actor=who("il.liaison"), step=step)
    timeline.countersign_steps(actor=who("sy.liaison"), step=step)
    timeline.propose_extension(
        actor=who("sy.liaison"), step=step, new_due_at=due + dt.timedelta(days=5),
        reason="Weather (fictional test)",
    )  # fmt: skip
    request = inspections.request_inspection(
        actor=who("il.liaison"), version=version, zone="area_of_separation_approx",
        reason="Reported works (fictional test)",
    )  # fmt: skip
    inspections.file_report(
        actor=who("monitor"), version=version, zone="aol_B_0_10km",
        inspected_at=timezone.now() - dt.timedelta(hours=1),
        holdings=[{"party": "sy", "category": "tanks", "count": 80}],
        summary="Inspection (fictional test)",
    )  # fmt: skip
    inspections.record_denial(
        actor=who("monitor"), version=version, kind="denial", place=IN_AOS,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        description="Patrol turned back (fictional test)", party="sy",
    )  # fmt: skip
    assert request.report_id is None


#: The parties whose (test) witnesses are registered; see ``witness_signer``.
WITNESSED = ("il", "sy")


def witness_signer(party: str) -> Signer:
    """The test witness key of ``party`` (fixed, so every process derives the same)."""
    seed = hashlib.sha256(f"coordcell test witness {party}".encode()).digest()
    return Signer.from_seed(f"witness.{party}.test", seed, ALG_COSIGNATURE_V1)


@pytest.fixture(scope="session")
def demo_story(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoStory]:
    """``with demo_story.told(): ...`` in a module- or package-scoped fixture: the demo's
    story on the session database, undone on leaving (played once per worker;
    ``tests/story.py``)."""
    story = DemoStory(django_db_blocker)
    yield story
    story.close()


@pytest.fixture(scope="session")
def tokens(django_db_setup: Any) -> dict[str, str]:
    """``tokens["il.liaison"]``: that persona's API token, made with the personas (the demo
    makes one per account too), so a test that calls the API with a token pays for none."""
    return TOKENS


@pytest.fixture
def user(db: Any) -> Any:
    """``user("il.liaison")`` returns that persona's account."""
    from coordcell.accounts.models import User

    return lambda username: User.objects.get(username=username)


@pytest.fixture
def actor(user: Any) -> Any:
    """``actor("il.liaison")`` returns that persona as an Actor."""
    return lambda username: Actor.from_user(user(username))


@pytest.fixture
def console() -> Actor:
    return Actor.console("tests")


@pytest.fixture
def client_for(user: Any) -> Any:
    """``client_for("il.liaison")`` returns a logged-in, CSRF-enforcing test client;
    ``client_for(None)`` an anonymous one."""

    def make(username: str | None) -> Client:
        client = shared_handler(Client(enforce_csrf_checks=False))
        if username is not None:
            log_in(client, user(username))
        return client

    return make


def log_in(client: Client, account: Any) -> None:
    """Log ``client`` in as ``account``: the session and cookie ``Client.force_login``
    leaves (the account's id, backend and password hash; a session of its own per client),
    made with one query and one insert. ``force_login`` goes through ``login()``, which
    also makes and drops a key for the empty session, saves the session twice and stamps
    the account's ``last_login`` (which no test reads): about 2 ms of CPU against 0.5 ms,
    for a thousand-odd clients per worker."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.http import HttpRequest

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = account._meta.pk.value_to_string(account)
    session[BACKEND_SESSION_KEY] = _backend(client)
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.create()
    request = HttpRequest()
    request.session = session
    client._set_login_cookies(request)


_BACKEND: list[str] = []


#: The request handler of the clients ``client_for`` and ``api`` make, with its middleware
#: loaded once per process rather than once per client (a ``ClientHandler`` builds the
#: middleware chain on its first request: some 15 middleware instances and their
#: wrappers, about 1.5 ms of CPU for each of the thousands of clients a worker makes).
#: The handler keeps no state of a client's (as a server's handler serves every
#: request); it is dropped whenever a setting changes (``override_settings``), since the
#: middleware read settings when they are made, and each request asks for the current one.
_HANDLER: list[Any] = []


class _SharedHandler:
    """A client's handler: the current shared ``ClientHandler`` (no CSRF enforcement)."""

    enforce_csrf_checks = False

    def __call__(self, environ: dict[str, Any]) -> Any:
        from django.test.client import ClientHandler

        if not _HANDLER:
            _HANDLER.append(ClientHandler(enforce_csrf_checks=False))
        return _HANDLER[0](environ)


def shared_handler(client: Client) -> Client:
    """``client`` (made without CSRF enforcement), with the shared handler."""
    assert not client.handler.enforce_csrf_checks
    client.handler = _SharedHandler()
    return client


def _drop_shared_handler(**kwargs: Any) -> None:
    _HANDLER.clear()


setting_changed.connect(_drop_shared_handler, dispatch_uid="tests.shared_handler")


def _backend(client: Client) -> str:
    """The backend ``force_login`` records: the first that can load a user."""
    if not _BACKEND:
        _BACKEND.append(client._get_backend())
    return _BACKEND[0]


@pytest.fixture(autouse=True)
def _interface_language() -> Any:
    """Each test starts in the default language: a request in Hebrew must not leak into
    the next test run by the same worker thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: the login rate limits live there, keyed by
    account and address, so failed logins of one test must not count against the next
    one the same worker runs."""
    from django.core.cache import cache

    cache.clear()
