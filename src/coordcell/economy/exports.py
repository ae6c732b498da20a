"""The economic zone's exports for one reader: IATI 2.03 activity XML, HXL-tagged CSVs of
the projects and of the pledges (``docs/economy-exports.md``).

Everything comes from ``economy.selectors`` for the reader (a project, pledge,
commitment or tranche the reader may not read is not in the export, nor in any sum), and
every donor is named by ``selectors.donor_name``, the one function that names a donor:

- ``donors="pseudonyms"`` (the default, for everyone): as a reader who knows no donor
  reads it — the donor's name if it chose to be named, else its pseudonym;
- ``donors="names"``: as ``donor_name`` names it for this reader (the mediator and the
  donor's own people read the donor's name; everyone else still reads the pseudonym).

The page, the API and the CLI call :func:`export` alone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.economy import selectors
from coordcell.economy.choices import TrancheStateChoices
from coordcell.interop import hxl, iati
from coordcell.rules import money

__all__ = ["DONOR_MODES", "FORMATS", "Export", "export"]

#: format → (media type, file name).
FORMATS: dict[str, tuple[str, str]] = {
    "iati": ("application/xml; charset=utf-8", "economy-iati.xml"),
    "hxl-projects": ("text/csv; charset=utf-8", "economy-projects.hxl.csv"),
    "hxl-pledges": ("text/csv; charset=utf-8", "economy-pledges.hxl.csv"),
}
DONOR_MODES = ("pseudonyms", "names")
_LANGUAGES = iati.LANGUAGES

#: A reader with no party: ``donor_name`` names for it only the donors that chose it.
_ANYONE = Actor(user=None, name="export")


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def _check(fmt: Any, donors: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if fmt not in FORMATS:
        errors["format"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)}]
    if donors not in DONOR_MODES:
        errors["donors"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(DONOR_MODES)}]
    if errors:
        raise ValidationFailed(errors)
    return str(fmt), str(donors)


def export(actor: Actor, fmt: Any, donors: Any = "pseudonyms") -> Export:
    """The export ``fmt`` of what ``actor`` reads (``ValidationFailed`` on a bad request)."""
    fmt, donors = _check(fmt, donors)
    reader = actor if donors == "names" else _ANYONE
    media_type, filename = FORMATS[fmt]
    if fmt == "iati":
        content = iati.activities_xml(_iati_report(actor, reader))
    elif fmt == "hxl-projects":
        content = hxl.projects_csv(_hxl_projects(actor, reader)).encode("utf-8")
    else:
        content = hxl.pledges_csv(_hxl_pledges(actor, reader)).encode("utf-8")
    return Export(content=content, media_type=media_type, filename=filename)


# --- gathering ---------------------------------------------------------------------------


@dataclass
class _Money:
    """What ``actor`` reads of the money, by project (ids), donors named for ``reader``."""

    transactions: dict[int, list[iati.IatiTransaction]]
    funders: dict[int, set[str]]
    pledges: list[hxl.HxlPledge]


def _q(amount: Decimal, currency: str) -> Decimal:
    return money.quantize(amount, currency)


def _gather_money(actor: Actor, reader: Actor) -> _Money:
    transactions: dict[int, list[iati.IatiTransaction]] = defaultdict(list)
    funders: dict[int, set[str]] = defaultdict(set)
    committed: dict[int, Decimal] = defaultdict(Decimal)
    disbursed: dict[int, Decimal] = defaultdict(Decimal)

    def add(kind: str, obj: Any, pledge: Any, date: dt.date) -> str:
        name = selectors.donor_name(pledge.donor, reader)
        transactions[pledge.project_id].append(
            iati.IatiTransaction(
                kind=kind,
                reference=obj.reference,
                date=date,
                currency=obj.currency,
                amount=_q(obj.amount, obj.currency),
                provider=name,
            )
        )
        funders[pledge.project_id].add(name)
        return name

    pledges = list(selectors.list_pledges(actor))
    for c in selectors.list_commitments(actor):
        add("commitment", c, c.pledge, c.committed_on)
        if c.currency == c.pledge.currency:
            committed[c.pledge_id] += c.amount
    tranches = selectors.list_tranches(actor).filter(state=TrancheStateChoices.DISBURSED)
    for t in tranches:
        pledge = t.commitment.pledge
        assert t.disbursed_on is not None
        add("disbursement", t, pledge, t.disbursed_on)
        if t.currency == pledge.currency:
            disbursed[pledge.pk] += t.amount
    rows = []
    for p in pledges:
        name = add("pledge", p, p, p.pledged_on)
        rows.append(
            hxl.HxlPledge(
                reference=p.reference,
                donor=name,
                project=p.project.reference,
                currency=p.currency,
                pledged=_q(p.amount, p.currency),
                committed=_q(committed[p.pk], p.currency),
                disbursed=_q(disbursed[p.pk], p.currency),
                date=p.pledged_on,
            )
        )
    order = {"pledge": 0, "commitment": 1, "disbursement": 2}
    for rows_of in transactions.values():
        rows_of.sort(key=lambda r: (r.date, order[r.kind], r.reference))
    rows.sort(key=lambda r: (r.date, r.reference))
    return _Money(transactions=transactions, funders=funders, pledges=rows)


def _sector_names(version: Any, code: str) -> dict[str, str]:
    return {
        lang: agreements.term(version.content, "terms", f"sector_{code}", lang, code)
        for lang in _LANGUAGES
    }


def _cell_names() -> dict[str, str]:
    out = {}
    for lang in _LANGUAGES:
        with translation.override(lang):
            out[lang] = _("Joint security coordination cell")
    return out


def _dates(actor: Actor, project: Any) -> tuple[dt.date, dt.date | None]:
    """Registered on; the last milestone's due date (if any)."""
    start = timezone.localdate(project.created_at)
    due = [m.due_on for m in selectors.list_milestones(actor, project)]
    return start, (max(due) if due and max(due) >= start else None)


def _iati_report(actor: Actor, reader: Actor) -> iati.IatiReport:
    got = _gather_money(actor, reader)
    activities = []
    for project in selectors.list_projects(actor):
        start, end = _dates(actor, project)
        activities.append(
            iati.IatiActivity(
                reference=project.reference,
                titles=dict(project.titles or {}),
                descriptions=dict(project.descriptions or {}),
                state=project.state,
                sector=project.sector,
                sector_names=_sector_names(project.version, project.sector),
                start=start,
                end=end,
                currency=project.budget_currency,
                funders=sorted(got.funders.get(project.pk, ())),
                location=iati.location_of(
                    f"{project.reference}-SITE", project.site, dict(project.titles or {})
                ),
                transactions=got.transactions.get(project.pk, []),
            )
        )
    version = agreements.get_version(actor, None, None)
    return iati.IatiReport(
        reporting_ref=settings.IATI_REPORTING_ORG,
        reporting_names=_cell_names(),
        generated=timezone.now().replace(microsecond=0),
        sector_vocabulary_uri=f"urn:coordcell:{version.arrangement.key}:sectors",
        activities=activities,
    )


def _hxl_projects(actor: Actor, reader: Actor) -> list[hxl.HxlProject]:
    got = _gather_money(actor, reader)
    language = translation.get_language() or "en"
    rows = []
    for project in selectors.list_projects(actor):
        start, end = _dates(actor, project)
        point = iati.location_of(project.reference, project.site, {})
        names = _sector_names(project.version, project.sector)
        rows.append(
            hxl.HxlProject(
                reference=project.reference,
                titles=dict(project.titles or {}),
                funders=sorted(got.funders.get(project.pk, ())),
                sector=project.sector,
                sector_name=names.get(language[:2], names["en"]),
                state=project.state,
                start=start,
                end=end,
                latitude=point.latitude,
                longitude=point.longitude,
                currency=project.budget_currency,
                budget=_q(project.budget_amount, project.budget_currency),
            )
        )
    return rows


def _hxl_pledges(actor: Actor, reader: Actor) -> list[hxl.HxlPledge]:
    return _gather_money(actor, reader).pledges
