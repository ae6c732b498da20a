"""The report's own sections: violations under the counting rules, and the determinations.

Each reads with the reader party's actor through the owning app's selectors (incidents,
cases, agreements), so it says nothing of what that party may not see. Other apps add
their sections with ``reports.sections.register_section`` in their own ``ready()``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coordcell.agreements import selectors as agreements
from coordcell.cases import selectors as cases
from coordcell.cases.choices import OutcomeChoices
from coordcell.reports.sections import Reading, SectionContent, register_section
from coordcell.reports.selectors import tally
from coordcell.rules import taxonomy


def kind_name(kind: str) -> str:
    """The kind's name in the active language (its id when the taxonomy has none)."""
    return _(taxonomy.label(kind)) if taxonomy.is_kind(kind) else kind


@register_section("violations", order=10)
def violations(reading: Reading) -> SectionContent:
    """The headline count, as the SMM's reports gave it, with the previous period's."""
    heading = _("Violations under the counting rules")
    rules = reading.rules
    if rules is None:
        return SectionContent(
            heading=heading,
            paragraphs=(_("No counting rules are in force for this day: nothing is counted."),),
        )
    now = tally(reading.reader, reading.window_start, reading.window_end, rules)
    before = tally(reading.reader, reading.previous_start, reading.window_start, rules)
    paragraphs = (
        ngettext(
            "Under counting rules %(version)s, %(count)d violation was recorded, from "
            "%(reports)d report.",
            "Under counting rules %(version)s, %(count)d violations were recorded, from "
            "%(reports)d reports.",
            now.total,
        )
        % {"version": rules.version, "count": now.total, "reports": now.reports},
        _("In the previous reporting period: %(count)d.") % {"count": before.total},
    )
    zones = agreements.zone_names(reading.reader, reading.version)
    names: dict[str, Callable[[str], str | None]] = {
        "zone": zones.get,
        "kind": kind_name,
        "clause": str,
        "party": str,
    }
    titles = {
        "zone": _("By zone"),
        "clause": _("By clause"),
        "kind": _("By kind of incident"),
        "party": _("By acting party, as reported"),
    }
    tables = tuple(
        (
            titles[by],
            tuple(
                (names[by](value) or value, str(number))
                for value, number in now.breakdowns.get(by, {}).items()
            ),
        )
        for by in rules.by
    )
    return SectionContent(heading=heading, paragraphs=paragraphs, tables=tables)


@register_section("determinations", order=20)
def determinations(reading: Reading) -> SectionContent:
    """The cases determined in the window that the reader may see, by reference."""
    decided = (
        cases.list_cases(reading.reader)
        .filter(determined_at__gte=reading.window_start, determined_at__lt=reading.window_end)
        .order_by("determined_at", "reference")
    )
    rows = tuple(
        (case.reference, str(OutcomeChoices.label(case.outcome) or _("outcome not stated")))
        for case in decided
    )
    paragraphs = () if rows else (_("No determination was made in this period."),)
    return SectionContent(
        heading=_("Determinations"),
        paragraphs=paragraphs,
        tables=((_("Case and outcome"), rows),) if rows else (),
    )
