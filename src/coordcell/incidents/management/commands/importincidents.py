"""``coordcell import ucdp|acled|geojson FILE``: open-source rows to incidents.

(``coordcell import`` runs this command: a module named ``import`` would be a Python
keyword.) Every new row becomes an incident attributed to its dataset, assessed under the
arrangement version in the database; rows already imported are recognised by their source
id and skipped. See ``coordcell.incidents.imports`` and docs/cases.md ("Imports").
"""

from __future__ import annotations

import csv
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coordcell.agreements.engines import engine_for
from coordcell.agreements.selectors import get_version
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.core.progress import Progress
from coordcell.incidents.imports import (
    DEFAULT_CHUNK,
    MAX_CHUNK,
    ImportFailed,
    ImportSummary,
    Skipped,
    import_incidents,
)
from coordcell.interop.common import FormatError, InputError
from coordcell.interop.sniff import (
    FORMATS,
    InputFormat,
    count_lines,
    read_observations,
    sniff_format,
)

#: Rejected rows printed on the console; the rest go to --report.
SHOWN = 20
#: Exit status for an input that cannot be imported at all (as argparse's usage errors).
BAD_INPUT = 2
_NAMES = {"ucdp": "UCDP GED CSV", "acled": "ACLED CSV", "geojson": "GeoJSON"}
_REPORT_COLUMNS = ("line", "source_id", "outcome", "category", "reason")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "operator"


class Command(BaseCommand):
    help = "Import a UCDP, ACLED or GeoJSON file as incidents (idempotent by source id)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Usage and errors name the command as it is typed: `coordcell import`.
        return super().create_parser(prog_name, "import", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=FORMATS, help="ucdp, acled or geojson.")
        parser.add_argument("input", help="The file: UCDP GED CSV, ACLED export CSV or GeoJSON.")
        parser.add_argument(
            "--scenario",
            default=None,
            help="The arrangement (its key) whose current version assesses the rows "
            "(default: the current arrangement version in the database).",
        )
        parser.add_argument(
            "--report",
            default=None,
            help="Write every row not imported (line, source id, reason) to FILE.csv or "
            "FILE.jsonl.",
        )
        parser.add_argument(
            "--chunk",
            type=int,
            default=DEFAULT_CHUNK,
            help=f"Rows per transaction and record event (default {DEFAULT_CHUNK}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Messages in the cell's language, whatever an earlier caller left active.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        dataset: str = options["format"]
        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": source}, returncode=BAD_INPUT)
        report = Path(options["report"]) if options["report"] else None
        if report is not None and report.suffix not in {".csv", ".jsonl"}:
            raise CommandError(_("--report must end in .csv or .jsonl"), returncode=BAD_INPUT)
        if not 1 <= options["chunk"] <= MAX_CHUNK:
            raise CommandError(
                _("--chunk must be from 1 to %(max)s") % {"max": MAX_CHUNK}, returncode=BAD_INPUT
            )
        self._check_format(source, dataset)
        actor = Actor.console(_user())
        try:
            version = get_version(actor, options["scenario"], None)
        except NotFound:
            name = options["scenario"]
            message = (
                _("no arrangement %(name)s is loaded: run `coordcell scenario load %(name)s`")
                % {"name": name}
                if name
                else _("no arrangement is loaded: run `coordcell scenario load NAME` first")
            )
            raise CommandError(message, returncode=BAD_INPUT) from None
        try:
            handle = report.open("w", encoding="utf-8", newline="") if report else None
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot write: %(reason)s")
                % {"file": report, "reason": exc.strerror or exc},
                returncode=BAD_INPUT,
            ) from None
        try:
            summary = self._import(actor, source, dataset, version, options["chunk"], handle)
        finally:
            if handle is not None:
                handle.close()
        self._summarise(summary, report)

    def _check_format(self, source: Path, dataset: str) -> None:
        """Refuse a file that is plainly another format than the one named."""
        try:
            found = sniff_format(source)
        except FormatError:
            return  # a CSV of neither layout: the reader names the missing columns
        except InputError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        if found != dataset:
            raise CommandError(
                _(
                    "%(file)s looks like a %(found)s file, not %(named)s: "
                    "use `coordcell import %(code)s %(file)s`"
                )
                % {
                    "file": source,
                    "found": _NAMES[found],
                    "named": _NAMES[dataset],
                    "code": found,
                },
                returncode=BAD_INPUT,
            )

    def _import(
        self,
        actor: Actor,
        source: Path,
        dataset: str,
        version: Any,
        chunk: int,
        handle: IO[str] | None,
    ) -> ImportSummary:
        on_skip = self._report_writer(handle) if handle is not None else None
        try:
            with Progress(count_lines(source), _("rows")) as bar:
                return import_incidents(
                    actor=actor,
                    rows=read_observations(
                        source,
                        cast(InputFormat, dataset),
                        # A GeoJSON feature may name a kind the arrangement declares.
                        kinds=engine_for(version).declared_kinds,
                    ),
                    version=version,
                    dataset=dataset,
                    progress=bar,
                    file_name=source.name,
                    chunk=chunk,
                    on_skip=on_skip,
                )
        except InputError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        except ImportFailed as exc:
            self._summarise(exc.summary, None, complete=False)
            raise CommandError(
                _(
                    "the rows at lines %(first)s to %(last)s could not be imported, and none "
                    "of them was: %(cause)s. The rows before them were imported; running the "
                    "same import again skips those."
                )
                % {"first": exc.first_line, "last": exc.last_line, "cause": exc.cause}
            ) from None

    @staticmethod
    def _report_writer(handle: IO[str]) -> Callable[[Skipped], None]:
        if handle.name.endswith(".jsonl"):

            def write_json(item: Skipped) -> None:
                record = {name: getattr(item, name) for name in _REPORT_COLUMNS}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")

            return write_json
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_REPORT_COLUMNS)

        def write_csv(item: Skipped) -> None:
            writer.writerow([getattr(item, name) for name in _REPORT_COLUMNS])

        return write_csv

    def _summarise(
        self, summary: ImportSummary, report: Path | None, *, complete: bool = True
    ) -> None:
        write = self.stdout.write
        where = _("feature %(n)s") if summary.dataset == "geojson" else _("line %(n)s")
        write(
            _("arrangement: %(version)s; dataset: %(dataset)s")
            % {"version": summary.version, "dataset": summary.dataset}
        )
        if summary.reasons:
            write(_("rows not imported, by reason:"))
            for reason, count in summary.reasons.most_common():
                write(f"  {reason:<22} {count:>8,}")
            for item in summary.skipped[:SHOWN]:
                ident = f" ({item.source_id})" if item.source_id else ""
                write(f"    {where % {'n': item.line}}{ident}: {item.reason}")
            hidden = summary.rejected + summary.changed - min(len(summary.skipped), SHOWN)
            if hidden > 0:
                more = _("    … and %(n)s more") % {"n": f"{hidden:,}"}
                if report is None:
                    more += _(" (--report FILE lists them all)")
                write(more)
        if report is not None:
            write(_("rows not imported written to %(file)s") % {"file": report})
        if complete and summary.read and not summary.created:
            write(_("nothing new: no incident was created"))
        elif summary.created:
            write(
                ngettext(
                    "incidents %(first)s to %(last)s created; %(events)s record event",
                    "incidents %(first)s to %(last)s created; %(events)s record events",
                    summary.events,
                )
                % {
                    "first": summary.first_reference,
                    "last": summary.last_reference,
                    "events": summary.events,
                }
            )
        write(
            _(
                "created: %(created)s   already present: %(present)s   "
                "same id, different content (skipped): %(changed)s   rejected: %(rejected)s   "
                "%(seconds)s s   %(rate)s rows/s"
            )
            % {
                "created": f"{summary.created:,}",
                "present": f"{summary.already_present:,}",
                "changed": f"{summary.changed:,}",
                "rejected": f"{summary.rejected:,}",
                "seconds": f"{summary.seconds:.1f}",
                "rate": f"{summary.rate:,.0f}",
            }
        )
