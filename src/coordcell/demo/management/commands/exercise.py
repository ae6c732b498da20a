"""``coordcell exercise copy DIR``: a drill's own copy of this cell.

A drill runs the worker at other times (``coordcell worker --once --now T``) and takes
steps nobody took; on a live cell that would write entries and checkpoints dated in the
future into the record nobody can rewrite. So ``--now`` is refused on a live cell, and a
drill runs on an exercise copy: this command copies the database (an online SQLite
backup) and the data directory's files, but not the log's keys, into ``DIR``; then, in the
copy, it declares the copy an exercise (its log is signed with its own exercise key and
origin) and pauses its webhooks. The live cell is only read.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from coordcell.core.actor import Actor
from coordcell.core.errors import DomainError
from coordcell.demo.services import adopt_copy
from coordcell.record.keys import EXERCISE_KEY_FILE_NAME, KEY_FILE_NAME, log_origin

#: Written into the copy for its ``adopt`` step, removed by it.
MARKER = ".exercise-copy.json"
DATABASE_FILE = "coordcell.sqlite3"

COPY_HELP = (
    "Copy this cell (its SQLite database and data files, not the log's keys) into the empty "
    "or new directory DIR as an exercise cell, for drills: its log gets its own exercise "
    "key and origin, its webhooks are paused, and the live cell is only read. Run the copy "
    "with COORDCELL_DATA_DIR=DIR (docs/record.md, 'Exercises and drills')."
)


class Command(BaseCommand):
    help = "Exercise cells for drills: coordcell exercise copy DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        copy = sub.add_parser("copy", help=COPY_HELP, description=COPY_HELP)
        copy.add_argument("directory", metavar="DIR")
        # The copy's own step, run by ``copy`` in a process of its own on the new data
        # directory; not for people.
        sub.add_parser("adopt", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "copy":
            self._copy(Path(options["directory"]))
        else:
            self._adopt()

    def _copy(self, target: Path) -> None:
        connection = connections["default"]
        if connection.vendor != "sqlite":
            raise CommandError(
                "exercise copy copies a cell on the embedded SQLite database. For "
                "PostgreSQL, restore a dump of this database into a new one and start a new "
                "exercise cell there (docs/record.md, 'Exercises and drills'). Nothing was "
                "changed.",
                returncode=2,
            )
        source_dir = Path(settings.DATA_DIR).resolve()
        target = target.resolve()
        if target == source_dir or source_dir in target.parents:
            raise CommandError(f"{target}: inside this cell's data directory", returncode=2)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise CommandError(
                f"{target}: not an empty directory; nothing was changed", returncode=2
            )
        origin = log_origin()
        made = not target.exists()
        try:
            self._write_copy(source_dir, target, Path(connection.settings_dict["NAME"]), origin)
            self._run_adopt(target)
        except BaseException:
            if made:
                shutil.rmtree(target, ignore_errors=True)
            else:
                for child in target.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            raise
        self.stdout.write(
            f"Exercise copy of {origin} in {target}.\n"
            f"Run it with COORDCELL_DATA_DIR={target} (coordcell serve, coordcell worker "
            "--once --now T); its checkpoints are signed as an exercise log, never as this one."
        )

    def _write_copy(self, source_dir: Path, target: Path, database: Path, origin: str) -> None:
        skip = {KEY_FILE_NAME, EXERCISE_KEY_FILE_NAME, "static"}

        def ignore(folder: str, names: list[str]) -> set[str]:
            if Path(folder).resolve() != source_dir:
                return set()
            return {n for n in names if n in skip or n.startswith(database.name)}

        shutil.copytree(source_dir, target, ignore=ignore, dirs_exist_ok=True)
        with (
            sqlite3.connect(database) as live,
            sqlite3.connect(target / DATABASE_FILE) as copy,
        ):
            live.backup(copy)  # a consistent snapshot, even while the cell is in use
            row = copy.execute("SELECT size, root FROM record_head WHERE id = 1").fetchone()
        size, root = row or (0, "")
        (target / MARKER).write_text(
            json.dumps({"origin": origin, "size": size, "root": root}), encoding="utf-8"
        )

    def _run_adopt(self, target: Path) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("COORDCELL_LOG_KEY", "DATABASE_URL"))
        }
        env["COORDCELL_DATA_DIR"] = str(target)
        result = subprocess.run(
            [sys.executable, "-m", "coordcell.cli", "exercise", "adopt"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(
                f"the copy could not be made an exercise; it was removed:\n{result.stderr}",
                returncode=2,
            )

    def _adopt(self) -> None:
        marker = Path(settings.DATA_DIR) / MARKER
        if not marker.is_file():
            raise CommandError(
                "no fresh exercise copy here: `coordcell exercise copy DIR` runs this step "
                "in the copy it has just made",
                returncode=2,
            )
        source = json.loads(marker.read_text(encoding="utf-8"))
        try:
            paused = adopt_copy(actor=Actor.console("exercise"), source=source)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from None
        marker.unlink()
        self.stdout.write(f"exercise log {log_origin()}; {paused} webhooks paused")
