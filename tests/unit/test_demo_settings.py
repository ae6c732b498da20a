"""The demo is something a user runs: its settings must never turn DEBUG on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = """
import json, sys
from coordcell.cli import _prepare_demo
_prepare_demo(["--data-dir", sys.argv[1]])
from coordcell import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "DEMO": settings.DEMO,
    "WHITENOISE_USE_FINDERS": settings.WHITENOISE_USE_FINDERS,
}))
"""


def test_it_runs_the_demo_with_debug_off(tmp_path) -> None:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COORDCELL_", "DATABASE_URL", "DJANGO_"))
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", _PROBE, str(tmp_path / "data")],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # The demo still serves its static files itself (WhiteNoise, from the packages).
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "DEMO": True,
        "WHITENOISE_USE_FINDERS": True,
    }
