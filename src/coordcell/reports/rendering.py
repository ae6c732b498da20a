"""The report as a document: standalone HTML (what is hashed and served), and its PDF.

The HTML carries its own style (no outside request: fonts are the system's DejaVu, which
covers Arabic and Hebrew) so the bytes a party received are the whole report. The PDF is
made by WeasyPrint, whose text is shaped by pango and HarfBuzz — Arabic joined, Hebrew and
Arabic laid out right to left. WeasyPrint is imported only here, when a PDF is made: where
the system library (pango) is missing, :func:`render_pdf` returns None and the pages say
the report is in HTML only (README, "Deployment notes").
"""

from __future__ import annotations

import hashlib
import logging

from django.template.loader import render_to_string
from django.utils import translation

from coordcell.reports.sections import Reading, registered_sections

__all__ = ["pdf_problem", "render_html", "render_pdf", "sha256"]

log = logging.getLogger("coordcell.reports")
# WeasyPrint narrates every step of every PDF at INFO: a report makes dozens.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_PROBLEM: list[str] = []


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def render_html(*, reading: Reading, language: str, context: dict[str, object]) -> str:
    """The report for ``reading.reader`` in ``language``, every registered section in turn."""
    with translation.override(language):
        sections = [
            content for s in registered_sections() if (content := s.provider(reading)) is not None
        ]
        return render_to_string(
            "reports/document.html",
            {
                **context,
                "sections": sections,
                "language": language,
                "bidi": translation.get_language_bidi(),
                "reading": reading,
            },
        )


def render_pdf(html: str) -> bytes | None:
    """The PDF of ``html``, or None when WeasyPrint or its system library is missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango shared library is missing
        if not _PROBLEM:
            _PROBLEM.append(str(exc))
            log.warning("daily report PDFs are off: %s", exc)
        return None
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def pdf_problem() -> str:
    """Why PDFs could not be made in this process ("" when they could, or were not tried)."""
    return _PROBLEM[0] if _PROBLEM else ""
