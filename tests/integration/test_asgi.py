"""The ASGI entry point keeps no database connection between requests: each request's
synchronous code runs on a thread of its own there, so a kept one would be left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import coordcell.asgi\n"
    "from django.conf import settings\n"
    "print(settings.DATABASES['default']['CONN_MAX_AGE'])\n"
)


@pytest.mark.parametrize("asked", [None, "300"])
def test_asgi_closes_each_requests_connection(tmp_path: Path, asked: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COORDCELL_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(COORDCELL_DATA_DIR=str(tmp_path), COORDCELL_SECRET_KEY="asgi-test-" + "k" * 40)
    if asked is not None:
        env["COORDCELL_DB_CONN_MAX_AGE"] = asked
    probe = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["0"]


def test_wsgi_keeps_them_by_default() -> None:
    from django.conf import settings

    kept = settings.DATABASES["default"]["CONN_MAX_AGE"]
    assert isinstance(kept, int)
    assert kept > 0
