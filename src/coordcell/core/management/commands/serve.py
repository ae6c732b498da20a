"""``coordcell serve``: the production server (gunicorn, several workers)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.core.env import SERVING_NEEDS_KEY, ConfigError, env_int


class Command(BaseCommand):
    help = "Serve coordcell with several worker processes (configuration from the environment)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("COORDCELL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply pending migrations first."
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        # Before anything else (no system check, which loads every URL, and no migration):
        # the demo's key, which other commands find in the data directory, is not one to
        # serve with.
        if not settings.SECRET_KEY_CONFIGURED:
            raise CommandError(SERVING_NEEDS_KEY, returncode=2)
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            port = options["port"] or env_int("COORDCELL_PORT", 8000, minimum=1)
            workers = options["workers"] or env_int(
                "COORDCELL_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1, minimum=1
            )
            threads = env_int("COORDCELL_WEB_THREADS", 2, minimum=1)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
            call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from coordcell.core.server import run_server

        self.stdout.write(f"serving on http://{options['host']}:{port}/ with {workers} workers")
        run_server(host=options["host"], port=port, workers=workers, threads=threads)
