"""The pages of the daily report: the archive, each rendition as released (HTML, PDF), what
was issued for publication with its embargo and extensions, and the public page of what was
published (no login) with its CSV and HXL downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.interop.hxl import HXL_MEDIA_TYPE, PublishedRow, publications_csv
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.reports import dashboard, selectors, services
from coordcell.reports.builtin_sections import kind_name
from coordcell.reports.choices import PdfStateChoices, PublicationKindChoices
from coordcell.reports.rendering import pdf_problem

#: The released document is served as it was hashed; it has no script, its style is inline.
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _language(value: str) -> str:
    if value not in dict(settings.LANGUAGES):
        raise NotFound()
    return value


@member_required
def archive(request: HttpRequest) -> HttpResponse:
    """Every report the reader's party received, newest first, with its renditions' hashes."""
    actor = actor_for(request)
    pager = paginate(request, selectors.list_reports(actor))
    mine = selectors.list_renditions(actor).filter(report__in=list(pager.page.object_list))
    if not actor.system:
        mine = mine.filter(party_code=actor.party_code or "")
    by_report: dict[int, list[Any]] = {}
    for rendition in mine.defer("html", "pdf").order_by("language"):
        by_report.setdefault(rendition.report_id, []).append(rendition)
    rows = [(report, by_report.get(report.pk, [])) for report in pager.page.object_list]
    return render(
        request,
        "reports/archive.html",
        {
            "pager": pager,
            "rows": rows,
            "pdf_problem": pdf_problem()
            or mine.filter(pdf_state=PdfStateChoices.UNAVAILABLE).exists(),
            "actor": actor,
        },
    )


@member_required
def rendition_html(request: HttpRequest, public_id: Any, language: str) -> HttpResponse:
    """The report exactly as the reader's party received it (the bytes hashed on the record)."""
    rendition = selectors.get_rendition(actor_for(request), public_id, _language(language))
    response = HttpResponse(rendition.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response


@member_required
def rendition_pdf(request: HttpRequest, public_id: Any, language: str) -> HttpResponse:
    """The report's PDF; where none could be made, a page that says so and links the HTML."""
    rendition = selectors.get_rendition(actor_for(request), public_id, _language(language))
    if rendition.pdf_state != PdfStateChoices.MADE:
        return render(
            request,
            "reports/no_pdf.html",
            {"rendition": rendition, "pending": rendition.pdf_state == PdfStateChoices.PENDING},
            status=404,
        )
    response = HttpResponse(bytes(rendition.pdf or b""), content_type="application/pdf")
    name = f"daily-report-{rendition.report.day.isoformat()}-{rendition.language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _may_sign(actor: Actor) -> bool:
    return actor.party_kind == PartyKindChoices.KIND_PARTY and (
        actor.has_role(RoleChoices.PRINCIPAL) or actor.has_role(RoleChoices.LIAISON_OFFICER)
    )


@member_required
def publications(request: HttpRequest) -> HttpResponse:
    """What the reports issued to the reader's party: embargoed until when, who signed an
    extension of the current round, and when it was published."""
    actor = actor_for(request)
    pager = paginate(request, selectors.list_publications(actor))
    rows = [
        (p, selectors.signatures(p), PublicationKindChoices.label(p.kind))
        for p in pager.page.object_list
    ]
    return render(
        request,
        "reports/publications.html",
        {"pager": pager, "rows": rows, "may_sign": _may_sign(actor), "actor": actor},
    )


@member_required
@require_POST
def sign_extension(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A party signs the extension of an embargo (the button on the publications page)."""
    actor = actor_for(request)
    publication = selectors.get_publication(actor, public_id)
    try:
        services.sign_extension(actor=actor, publication=publication)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your party's signature on the extension is recorded."))
    return redirect("reports:publications")


def _published(request: HttpRequest) -> tuple[Actor | None, Any]:
    actor = actor_for(request) if request.user.is_authenticated else None
    return actor, selectors.released_publications(actor if actor and actor.is_member else None)


def published(request: HttpRequest) -> HttpResponse:
    """The public page (no login): every item published after its embargo, with its text
    and the SHA-256 each party received when it was issued."""
    _actor, items = _published(request)
    pager = paginate(request, items)
    rows = [(p, PublicationKindChoices.label(p.kind)) for p in pager.page.object_list]
    return render(request, "reports/published.html", {"pager": pager, "rows": rows})


def published_csv(request: HttpRequest, hxl: bool = False) -> HttpResponse:
    """The published items as CSV, or HXL-tagged CSV (``hxl``)."""
    _actor, items = _published(request)
    rows = (
        PublishedRow(
            kind=p.kind,
            subject=p.subject,
            day=p.report.day,
            issued_at=p.issued_at,
            released_at=p.released_at,
            sha256=p.sha256,
            body=p.body,
        )
        for p in items.select_related("report")
    )
    response = HttpResponse(
        publications_csv(rows, hxl=hxl), content_type=f"{HXL_MEDIA_TYPE}; charset=utf-8"
    )
    name = "published.hxl.csv" if hxl else "published.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """Counts by week, zone, kind and party under the counting rules, and the scorecard
    over time with its deadlines, over what the reader's party may see (inline SVG)."""
    actor = actor_for(request)
    version = selectors.current_version(actor)
    rtl = translation.get_language_bidi()
    data = dashboard.weekly(actor, version)
    context: dict[str, Any] = {"weeks": dashboard.WEEKS, "weekly": data, "bidi": rtl}
    periods = dashboard.week_labels(timezone.now())
    if data is not None:
        zones = agreements.zone_names(actor, version)
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
        context["violations_chart"] = dashboard.bar_chart(
            _("Violations per week"),
            data.periods,
            [(_("Violations"), "violations", data.totals)],
            rtl=rtl,
        )
        context["versions"] = sorted({v for v in data.versions if v})
        context["breakdowns"] = [
            (titles[b], [(names[b](k) or k, n) for k, n in data.by[b].items()])
            for b in ("zone", "clause", "kind", "party")
        ]
    legend = {"met": _("met"), "extended": _("extended by agreement"), "missed": _("missed")}
    context["scorecard"] = dashboard.scorecard_rows(actor, periods)
    context["deadline_charts"] = dashboard.deadline_charts(
        context["scorecard"], periods, legend, rtl=rtl
    )
    return render(request, "reports/dashboard.html", context)
