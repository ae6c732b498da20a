"""The ``coordcell`` command with no configuration at all.

Each test runs coordcell in a subprocess whose environment holds only ``PATH`` and
``HOME``, in an empty temporary directory: ``--help`` and the offline commands work there;
``coordcell serve`` refuses to start, saying why. Most run the real console script; the
twenty ``--help`` cases run in forks of one such process (``_HELP_DRIVER``). (Beside a demo's data
directory: tests/e2e/test_cli_beside_demo.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coordcell import cli
from coordcell.cli import COMMANDS, OFFLINE_TOOLS

FIXTURES = Path(__file__).resolve().parent / "interop" / "fixtures"
_SCRIPT = Path(sys.executable).with_name("coordcell")
#: The console script of this environment (``python -m coordcell.cli`` where there is none).
COORDCELL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "coordcell.cli"]
NO_KEY = "COORDCELL_SECRET_KEY (or COORDCELL_SECRET_KEY_FILE) is required to serve"


def bare_environment() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}


def coordcell(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``coordcell ARGS`` in ``cwd`` with no configuration at all."""
    return subprocess.run(  # noqa: S603 (our own console script and arguments)
        [*COORDCELL, *args],
        cwd=cwd,
        env=bare_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_runs_with_an_environment_of_path_and_home_only(tmp_path) -> None:
    # Guards the tests below: no setting of the suite's own reaches the subprocess.
    probe = subprocess.run(
        [sys.executable, "-c", "import os, json; print(json.dumps(sorted(os.environ)))"],
        cwd=tmp_path, env=bare_environment(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    # (Python itself may add LC_CTYPE, coercing a C locale to UTF-8.)
    assert set(json.loads(probe.stdout)) - {"LC_CTYPE"} == {"PATH", "HOME"}


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["help"]])
def test_coordcell_help_lists_coordcells_own_commands(tmp_path, args) -> None:
    result = coordcell(tmp_path, *args)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: coordcell COMMAND [ARGUMENTS]\n")
    for synopsis, _ in COMMANDS:
        assert f"\n  {synopsis}\n" in result.stdout
    # Not Django's list of every command of every app.
    assert "[django]" not in result.stdout
    assert "sendtestemail" not in result.stdout


#: Each command's ``--help`` and the start of its usage line.
HELP_CASES: list[tuple[list[str], str]] = [
    (["demo", "--help"], "coordcell demo"),
    (["serve", "--help"], "coordcell serve"),
    (["worker", "--help"], "coordcell worker"),
    (["exercise", "--help"], "coordcell exercise"),
    (["exercise", "copy", "--help"], "coordcell exercise copy"),
    (["cell", "--help"], "coordcell cell"),
    (["cell", "init", "--help"], "coordcell cell init"),
    (["scenario", "--help"], "coordcell scenario"),
    (["scenario", "check", "--help"], "coordcell scenario check"),
    (["scenario", "load", "--help"], "coordcell scenario load"),
    (["check", "--scenario", "southern_syria_2026", "--help"], "coordcell checkobservations"),
    (["import", "--help"], "coordcell import"),
    (["help", "import"], "coordcell import"),
    (["record", "--help"], "coordcell record"),
    (["positions", "--help"], "coordcell positions"),
    (["positions", "import", "--help"], "coordcell positions import"),
    (["stix", "--help"], "coordcell stix"),
    (["stix", "import", "--help"], "coordcell stix import"),
    (["economy", "--help"], "coordcell economy"),
    (["economy", "export", "--help"], "coordcell economy export"),
    (["record", "export", "--help"], "coordcell record export"),
    (["record", "check", "--help"], "coordcell record check"),
    (["record", "checkpoint", "--help"], "coordcell record checkpoint"),
    (["verify", "--help"], "coordcell verify"),
    (["witness", "--help"], "coordcell witness"),
    (["keygen", "--help"], "coordcell keygen"),
    (["migrate", "--help"], "coordcell migrate"),
    (["check", "--help"], "coordcell check"),
]

#: Run in a bare environment: sets Django up exactly as ``coordcell`` does (no setting at
#: all but the settings module), then runs each ``coordcell ARGS`` in a fork of that
#: process, so each command starts as fresh as in its own process, without paying the
#: half-second start-up twenty times. Prints one JSON line per command.
_HELP_DRIVER = """
import json, os, sys, tempfile
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
import django
django.setup()
from coordcell import cli
for args in json.loads(sys.argv[1]):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            code = 0
            try:
                cli.main(["coordcell", *args])
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        print(json.dumps([args, os.waitstatus_to_exitcode(status),
                          out.read().decode(), err.read().decode()]))
"""


def test_every_commands_help_needs_no_configuration(tmp_path) -> None:
    result = subprocess.run(  # noqa: S603 (this interpreter and our own driver)
        [sys.executable, "-c", _HELP_DRIVER, json.dumps([args for args, _ in HELP_CASES])],
        cwd=tmp_path, env=bare_environment(), capture_output=True, text=True, check=False,
        timeout=120,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    answers = {tuple(args): (code, out, err) for args, code, out, err in
               map(json.loads, result.stdout.splitlines())}  # fmt: skip
    failed = [
        f"coordcell {' '.join(args)}: exit {code}, stderr {err!r}, stdout {out[:80]!r}"
        for args, usage in HELP_CASES
        for code, out, err in [answers[tuple(args)]]
        if (code, err) != (0, "") or not out.startswith(f"usage: {usage} ")
    ]
    assert failed == []
    assert list(tmp_path.rglob("secret-key")) == []


def test_the_help_tests_cover_every_listed_command() -> None:
    # A command added to COMMANDS needs its --help case above.
    words = {synopsis.split()[1] for synopsis, _ in COMMANDS} - {"<django"}
    listed = {"demo", "serve", "worker", "exercise", "cell", "scenario", "check", "import"}
    listed.add("record")
    listed.add("positions")
    listed.add("stix")
    listed.add("economy")
    assert words == listed | set(OFFLINE_TOOLS)


def test_demo_help_makes_no_secret_key(tmp_path) -> None:
    assert coordcell(tmp_path, "demo", "--help").returncode == 0
    assert list(tmp_path.rglob("secret-key")) == []


def test_scenario_check_needs_no_configuration(tmp_path) -> None:
    result = coordcell(tmp_path, "scenario", "check", "southern_syria_2026")
    assert (result.returncode, result.stderr) == (0, "")
    assert ": valid — arrangement southern_syria_2026, 6 parties" in result.stdout


def test_check_with_a_scenario_needs_no_configuration(tmp_path) -> None:
    observations = str(FIXTURES / "observations.geojson")
    result = coordcell(tmp_path, "check", "--scenario", "southern_syria_2026", observations)
    assert result.returncode == 0, result.stderr
    assert "rows read: 4   accepted: 4   rejected: 0" in result.stdout


def test_keygen_needs_no_configuration(tmp_path) -> None:
    result = coordcell(tmp_path, "keygen", "log.example/test", "log.key")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "log.key").read_text().startswith("PRIVATE+KEY+log.example/test+")
    assert "log.example/test+" in result.stdout


def test_serve_refuses_to_start_without_a_secret_key(tmp_path) -> None:
    result = coordcell(tmp_path, "serve", "--port", "1")
    assert result.returncode == 2
    assert NO_KEY in result.stderr
    assert "Traceback" not in result.stderr
    # It stopped before migrating: no database was made.
    assert not (tmp_path / "coordcell-data" / "coordcell.sqlite3").exists()


def test_the_wsgi_application_refuses_to_load_without_a_secret_key(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import coordcell.wsgi"],
        cwd=tmp_path, env=bare_environment(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"ImproperlyConfigured: {NO_KEY}" in result.stderr


def test_an_empty_demo_key_file_stops_start_up_with_its_name(tmp_path) -> None:
    key = tmp_path / "coordcell-data" / "secret-key"
    key.parent.mkdir()
    key.write_text("\n")
    result = coordcell(tmp_path, "record", "check")
    assert result.returncode == 2
    assert f"coordcell: configuration error: {key} is empty" in result.stderr


def test_ctrl_c_stops_a_command_with_status_130_and_no_traceback(monkeypatch, capsys) -> None:
    def interrupted(args: list[str]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_main", interrupted)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["coordcell", "migrate"])
    assert stopped.value.code == cli.EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "\ninterrupted\n"
