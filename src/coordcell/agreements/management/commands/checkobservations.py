"""``coordcell check --scenario NAME|PATH INPUT``: assess observations against an arrangement.

(``coordcell check`` with ``--scenario`` runs this command; without it, Django's own system
check. The engine reads the scenario folder directly: no database is needed.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordcell.agreements.services import resolve_scenario_path
from coordcell.core.progress import Progress
from coordcell.interop.assess import CheckSummary, assess_rows
from coordcell.interop.common import InputError
from coordcell.interop.positions import read_positions
from coordcell.interop.sniff import FORMATS, count_lines, read_observations
from coordcell.rules.arrangement import ClauseSpec
from coordcell.rules.engine import Engine
from coordcell.rules.scenario import ScenarioInvalid, content_hash, read_scenario


def _clause_list(ids: tuple[str, ...], clauses: dict[str, ClauseSpec]) -> str:
    """Clause ids, each with its status when it is not agreed: ``B.3 (disputed: il)``."""
    if not ids:
        return "none"
    shown = []
    for clause_id in ids:
        c = clauses[clause_id]
        if c.status == "disputed":
            shown.append(f"{clause_id} (disputed: {', '.join(c.disputed_by)})")
        elif c.status != "agreed":
            shown.append(f"{clause_id} ({c.status})")
        else:
            shown.append(clause_id)
    return ", ".join(shown)


class Command(BaseCommand):
    help = "Assess every row of an input file against an arrangement's clauses."
    #: Offline: no database and no URL, so no system check (it would load every URL).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scenario", required=True, help="A shipped scenario's name or a scenario folder."
        )
        parser.add_argument("input", help="UCDP GED CSV, ACLED export CSV, or GeoJSON.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help="Input format (default: recognised from the file).",
        )
        parser.add_argument(
            "--out", default=None, help="Write one record per row to FILE.jsonl or FILE.geojson."
        )
        parser.add_argument(
            "--baseline",
            default=None,
            help="GeoJSON of declared positions (for the freeze and withdrawal clauses).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        out = Path(options["out"]) if options["out"] else None
        if out is not None and out.suffix not in {".jsonl", ".geojson"}:
            raise CommandError("--out must end in .jsonl or .geojson")
        scenario = resolve_scenario_path(options["scenario"])
        try:
            arrangement = read_scenario(scenario)
        except ScenarioInvalid as exc:
            raise CommandError(f"{scenario}: invalid scenario:\n{exc}") from None
        baseline = []
        if options["baseline"]:
            try:
                baseline = read_positions(Path(options["baseline"]))
            except InputError as exc:
                raise CommandError(str(exc)) from None
        version = f"{arrangement.key}@{content_hash(arrangement)[:12]}"
        engine = Engine(arrangement, version=version, baseline=baseline)
        summary = CheckSummary()
        try:
            items = read_observations(source, options["format"], kinds=engine.declared_kinds)
            with Progress(count_lines(source), "rows") as bar:
                records = assess_rows(engine, items, summary)
                if out is None:
                    for _ in records:
                        bar.advance()
                else:
                    with out.open("w", encoding="utf-8") as handle:
                        self._write(handle, records, out.suffix, bar)
        except InputError as exc:
            if out is not None:
                out.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        self._summarise(summary, engine, out)

    def _write(self, handle: IO[str], records: Any, suffix: str, bar: Progress) -> None:
        if suffix == ".jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                bar.advance()
            return
        handle.write('{"type": "FeatureCollection", "features": [\n')
        first = True
        for record in records:
            geometry = record.pop("geometry")
            feature = {
                "type": "Feature",
                "id": record.get("source_id") or None,
                "geometry": geometry,
                "properties": record,
            }
            handle.write(("" if first else ",\n") + json.dumps(feature, ensure_ascii=False))
            first = False
            bar.advance()
        handle.write("\n]}\n")

    def _summarise(self, summary: CheckSummary, engine: Engine, out: Path | None) -> None:
        report = summary.report
        write = self.stdout.write
        write(f"arrangement: {engine.version}")
        write(
            f"rows read: {report.read:,}   accepted: {report.accepted:,}   "
            f"rejected: {report.rejected:,}   assessed against clauses: {summary.assessed:,}"
        )
        if report.reasons:
            write("rejected rows by reason:")
            for reason, count in sorted(report.reasons.items(), key=lambda kv: -kv[1]):
                write(f"  {reason:<22} {count:>8,}")
            for error in report.errors[:5]:
                write(f"    e.g. {error}")
        if summary.problems:
            write("accepted rows not assessed against clauses, by reason:")
            for code, count in summary.problems.most_common():
                write(f"  {code:<22} {count:>8,}")
        if not engine.freeze_assessed:
            write("freeze and withdrawal clauses: not assessed (no --baseline positions given)")
        if summary.in_zones:
            write("rows inside each zone:")
            for zone, count in sorted(summary.in_zones.items()):
                write(f"  {zone:<28} {count:>8,}")
        write(
            "findings under agreed clauses, by clause and zone:"
            if summary.findings
            else "findings under agreed clauses: none"
        )
        for (clause, zone), count in sorted(summary.findings.items()):
            write(f"  {clause:<16} {zone or '-':<28} {count:>8,}")
        if summary.findings_not_agreed:
            write(
                "findings under clauses that are not agreed (disputed or illustrative; "
                "no severity), by clause, status and zone:"
            )
            for (clause, status, zone), count in sorted(summary.findings_not_agreed.items()):
                write(f"  {clause:<16} {status:<13} {zone or '-':<28} {count:>8,}")
        clauses = {c.id: c for c in engine.arrangement.clauses}
        write("clauses machine-assessed: " + _clause_list(engine.clauses_machine_assessed, clauses))
        write(
            "clauses not machine-assessed (read them yourself): "
            + _clause_list(engine.clauses_not_machine_assessed, clauses)
        )
        if out is not None:
            write(f"records written to {out}")
