"""A fresh installation end to end: ``migrate`` → ``scenario load`` → ``cell init`` → the
invited administrator's first sign-in with TOTP → a liaison officer they add lodges a
complaint (``tests/e2e/first_run.py``, in its own process on an empty data directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="an empty SQLite data directory of its own: runs in the suite's SQLite pass",
)


def test_a_fresh_install_reaches_a_lodged_complaint(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # fast password hashing; nothing else
        "COORDCELL_SECRET_KEY": "first-run-test-key-not-for-production-0123456789",
        "COORDCELL_REQUIRE_MFA": "1",
        "COORDCELL_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.e2e.first_run", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "first run: ok"
