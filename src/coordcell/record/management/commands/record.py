"""``coordcell record export BUNDLE``, ``record check`` and ``record checkpoint``."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.core.actor import Actor
from coordcell.core.progress import Progress
from coordcell.record.export import check_record, export_bundle
from coordcell.record.services import issue_checkpoint


class Command(BaseCommand):
    help = "Export the record as a verifiable bundle, check the live record, or sign a checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export",
            help="Write the entries a person may read, their salts, the tree's leaves and "
            "every checkpoint with its cosignatures to BUNDLE (verify it with "
            "`coordcell verify BUNDLE`).",
        )
        export.add_argument("bundle", help="The file to write ('-' for standard output).")
        export.add_argument(
            "--user",
            help="Export what this account may read (default: the operator, who reads all).",
        )
        sub.add_parser(
            "check",
            help="Check the live record: hash chain, tree, checkpoints. Names the first "
            "entry or checkpoint that fails; exit status 1 if any does.",
        )
        sub.add_parser("checkpoint", help="Sign a checkpoint of the current tree now.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            self._export(options["bundle"], options.get("user"))
        elif action == "check":
            self._check()
        else:
            checkpoint = issue_checkpoint(force=True)
            if checkpoint is None:
                self.stdout.write("No new entries since the latest checkpoint.")
            else:
                self.stdout.write(checkpoint.note)

    def _export(self, target: str, username: str | None) -> None:
        if username:
            user = (
                get_user_model().objects.filter(username__iexact=username, is_active=True).first()
            )
            if user is None:
                raise CommandError(f"--user {username}: no active account has this user name")
            actor = Actor.from_user(user)
            if not actor.is_member:
                raise CommandError(f"--user {username}: this account belongs to no delegation")
        else:
            actor = Actor.console(getpass.getuser())
        if target == "-":
            summary = export_bundle(actor, sys.stdout.buffer)
            return
        path = Path(target)
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as out, Progress(None, "rows") as bar:
                summary = export_bundle(actor, out, lambda done, total: _move(bar, done, total))
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{target}: {exc.strerror}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {summary.entries} entries of {summary.tree_size}, "
                f"{summary.checkpoints} checkpoints"
            )
        )

    def _check(self) -> None:
        with Progress(None, "entries") as bar:
            result = check_record(lambda done, total: _move(bar, done, total))
        if result.problems:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"the record fails its check ({len(result.problems)} problem(s))")
        self.stdout.write(
            self.style.SUCCESS(
                f"record intact: {result.size} entries, {result.checkpoints} checkpoints verified"
            )
        )


def _move(bar: Progress, done: int, total: int) -> None:
    bar.total = total or None
    bar.advance(max(0, done - bar.done))
