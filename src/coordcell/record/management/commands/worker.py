"""``coordcell worker``: the restart-safe background loop.

It lives in the ``record`` app because of ``--now``: running the jobs at another time
dates the record's entries and checkpoints then, which only an exercise cell may do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.core.worker import run_worker
from coordcell.record.selectors import is_exercise

#: Why ``--now`` is refused on a live cell.
LIVE_CLOCK = (
    "--now runs the jobs as if it were another time, and every entry and checkpoint they "
    "write would be dated then: refused on a live cell. Drill on an exercise copy instead: "
    'coordcell exercise copy DIR (docs/record.md, "Exercises and drills"). Nothing was changed.'
)


def _timestamp(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise CommandError("--now: give a time zone, e.g. 2026-03-01T12:00:00+00:00")
    return parsed


class Command(BaseCommand):
    help = "Run the background worker (deadlines, checkpoints) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between passes (default: COORDCELL_WORKER_INTERVAL).",
        )
        parser.add_argument(
            "--now",
            default=None,
            help="Act as if it were this time (ISO 8601; drills on an exercise cell only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or settings.WORKER_INTERVAL_SECONDS
        if interval <= 0:
            raise CommandError("--interval must be positive")
        now = _timestamp(options["now"]) if options["now"] else None
        if now is not None and not is_exercise():
            raise CommandError(LIVE_CLOCK, returncode=2)
        passes = run_worker(interval=interval, once=options["once"], now=now)
        if options["once"]:
            self.stdout.write(f"worker: {passes} pass done")
