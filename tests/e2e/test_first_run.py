"""A fresh installation end to end: ``migrate`` → ``scenario load`` → ``cell init`` → the
invited administrator's first sign-in with TOTP → a liaison officer they add lodges a
complaint (``tests/e2e/first_run.py``, in its own process on a data directory of its own).

The data directory starts with a copy of the database that ``coordcell migrate`` made on
an empty data directory once for the whole run (``migrated_data_dir``,
tests/built_once.py: the build fails, and with it every test that needs it, if the
migrations do not apply to an empty database). Applying the ninety-odd migrations again
here cost some 12 s of CPU, three quarters of this test, and checked nothing the build
does not: the script's ``coordcell migrate`` then finds them all applied, and everything
after it runs on the schema they made, with no row in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import built_once
from tests.built_once import DATABASE, copy_database

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    built_once.postgres_pass(),
    reason="a SQLite data directory of its own: runs in the suite's SQLite pass",
)


def test_a_fresh_install_reaches_a_lodged_complaint(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    copy_database(migrated_data_dir / DATABASE, data / DATABASE).close()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # fast password hashing; nothing else
        "COORDCELL_SECRET_KEY": "first-run-test-key-not-for-production-0123456789",
        "COORDCELL_REQUIRE_MFA": "1",
        "COORDCELL_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.e2e.first_run", str(data)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert "  No migrations to apply." in lines  # the copy is what migrate makes
    assert lines[-1] == "first run: ok"
