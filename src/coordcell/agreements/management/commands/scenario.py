"""``coordcell scenario check PATH`` and ``coordcell scenario load NAME|PATH``."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.agreements.services import load_arrangement, resolve_scenario_path
from coordcell.core.actor import Actor
from coordcell.core.errors import DomainError
from coordcell.rules.scenario import ScenarioInvalid, check_scenario


class Command(BaseCommand):
    help = "Check or load a scenario folder (an arrangement with its zones and places)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate a scenario folder and report every error.")
        check.add_argument("path", help="A shipped scenario's name or a folder path.")
        load = sub.add_parser(
            "load", help="Validate and store a scenario as a versioned arrangement."
        )
        load.add_argument("path", help="A shipped scenario's name or a folder path.")

    def execute(self, *args: Any, **options: Any) -> Any:
        if options.get("action") == "check":
            # Offline: reads a folder, no database and no URL, so no system check (it
            # would load every URL). ``load`` writes the database and is checked first.
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        path = resolve_scenario_path(options["path"])
        if not path.is_dir():
            raise CommandError(f"{options['path']}: no such scenario folder")
        if options["action"] == "check":
            self._check(path)
        else:
            self._load(path)

    def _check(self, path: Any) -> None:
        arrangement, errors = check_scenario(path)
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path}: {len(errors)} error(s); nothing was loaded")
        assert arrangement is not None
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: valid — arrangement {arrangement.key}, {len(arrangement.parties)} "
                f"parties, {len(arrangement.clauses)} clauses, {len(arrangement.zones)} zones, "
                f"{len(arrangement.places)} places"
            )
        )

    def _load(self, path: Any) -> None:
        actor = Actor.console(getpass.getuser())
        try:
            result = load_arrangement(actor=actor, path=path)
        except ScenarioInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path}: {len(exc.errors)} error(s); nothing was loaded") from None
        except DomainError as exc:  # another arrangement: refused before any write
            raise CommandError(f"{exc}\n{path}: nothing was loaded", returncode=2) from None
        version = result.version
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"loaded {version.arrangement.key} as version {version.number} "
                    f"(content {version.content_hash[:12]}…)"
                )
            )
        else:
            self.stdout.write(
                f"{version.arrangement.key}: unchanged, still version {version.number}"
            )
