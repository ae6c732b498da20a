"""The report's humanitarian sections (issue 18): casualty figures as each party gives them,
persons detained, missing and released as the files the reader may read record them, and
access to land near the lines.

Each reads with the reader party's actor through the owning app's selectors
(``incidents.selectors.casualty_counts``, ``humanitarian.selectors.counts``,
``deconfliction.selectors.access_counts``), so it counts nothing the reader may not see;
no person is named (the files' counts are numbers, per reporting party). These sections
are in the daily report each party receives; they are not among the items the report
issues for time-locked publication (``reports.publication``), so nothing of them goes
beyond the cell's parties without a recorded agreement.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coordcell.core.models import localized_now
from coordcell.deconfliction import selectors as deconfliction
from coordcell.humanitarian import selectors as humanitarian
from coordcell.incidents import selectors as incidents
from coordcell.incidents.choices import CasualtyCategoryChoices, CasualtyOutcomeChoices
from coordcell.reports.sections import Reading, SectionContent, register_section


def _party_names(reading: Reading) -> dict[str, str]:
    """The arrangement's parties by code, named in the active language (the version's
    content: the arrangement is read by every member)."""
    return {
        str(p["code"]): str(localized_now(dict(p.get("name") or {})) or p["code"])
        for p in reading.version.content.get("parties", [])
    }


def _estimate(figure: dict[str, int]) -> str:
    """A best estimate with its low–high range, in Latin digits."""
    best, low, high = figure["best"], figure["low"], figure["high"]
    return f"{best} ({low}–{high})" if (low, high) != (best, best) else f"{best}"


@register_section("casualties", order=30)
def casualties(reading: Reading) -> SectionContent:
    """Each party's casualty figures for the period's incidents, side by side, never
    merged into one toll."""
    counts = incidents.casualty_counts(
        reading.reader, since=reading.window_start, until=reading.window_end
    )
    heading = _("Casualties, as each party gives them")
    if not counts.parties:
        return SectionContent(
            heading=heading, paragraphs=(_("No casualty figure was given in this period."),)
        )
    paragraphs = (
        ngettext(
            "Figures given for %(incidents)d incident of the period; the parties' figures "
            "differ for %(disputed)d. Best estimate, with the low and high estimates.",
            "Figures given for %(incidents)d incidents of the period; the parties' figures "
            "differ for %(disputed)d of them. Best estimate, with the low and high estimates.",
            counts.incidents,
        )
        % {"incidents": counts.incidents, "disputed": counts.disputed},
    )
    names = _party_names(reading)
    tables = []
    for code, entry in counts.parties.items():
        rows = []
        for cell, figure in sorted(entry["cells"].items()):
            category, _sep, outcome = cell.partition(".")
            label = _("%(category)s: %(outcome)s") % {
                "category": CasualtyCategoryChoices.label(category),
                "outcome": CasualtyOutcomeChoices.label(outcome),
            }
            rows.append((label, _estimate(figure)))
        title = _("As %(party)s gives them") % {"party": names.get(code, code)}
        tables.append((title, tuple(rows)))
    return SectionContent(heading=heading, paragraphs=paragraphs, tables=tuple(tables))


@register_section("detainees", order=40)
def detainees(reading: Reading) -> SectionContent:
    """Persons detained, missing and released in the period, per reporting party, from
    the files the reader may read (numbers only: no file is named)."""
    since = reading.window_start.astimezone(dt.UTC).date()
    until = (reading.window_end - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()
    rows = humanitarian.counts(reading.reader, since=since, until=until)
    heading = _("Detained and missing persons")
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = totals.setdefault(row["party"], {"detained": 0, "missing": 0, "released": 0})
        # Held and missing: the most on one day of the period; released: all in it.
        entry["detained"] = max(entry["detained"], row["detained"])
        entry["missing"] = max(entry["missing"], row["missing"])
        entry["released"] += row["released"]
    if not totals:
        return SectionContent(
            heading=heading,
            paragraphs=(_("No file on a detained or missing person is open to you."),),
        )
    names = _party_names(reading)
    table = tuple(
        (
            _("Reported by %(party)s") % {"party": names.get(code, code)},
            _("%(detained)d detained, %(missing)d missing, %(released)d released") % entry,
        )
        for code, entry in sorted(totals.items())
    )
    return SectionContent(
        heading=heading,
        paragraphs=(
            _(
                "From the files you may read: the most persons held (or missing) on one day "
                "of the period, and those released in it."
            ),
        ),
        tables=((_("Files by reporting party"), table),),
    )


@register_section("access", order=50)
def access(reading: Reading) -> SectionContent:
    """Requests for access to land near the lines submitted in the period, by outcome."""
    counts = deconfliction.access_counts(
        reading.reader, since=reading.window_start, until=reading.window_end
    )
    heading = _("Access to land near the lines")
    if not counts["requests"]:
        return SectionContent(
            heading=heading, paragraphs=(_("No access request was made in this period."),)
        )
    labels = (
        ("requests", _("Requests")),
        ("granted", _("Granted")),
        ("granted_escorted", _("Granted with an escorted window")),
        ("denied", _("Denied")),
        ("unanswered", _("Not answered yet")),
        ("answered_late", _("Answered after the deadline")),
        ("escalated", _("Escalated")),
    )
    return SectionContent(
        heading=heading,
        tables=((_("Requests by outcome"), tuple((label, str(counts[k])) for k, label in labels)),),
    )
