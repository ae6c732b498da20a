"""A report's findings in words, in the reader's language.

The engine's finding keeps ids (clause, zone, party, category); the words are the
agreed neutral ones: what was counted, where, and what the clause allows. A clause's
status is shown beside it (a finding under a clause that is not agreed has no severity).
Numbers and ids sit between Unicode isolates, so that they keep their order in a
right-to-left page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.agreements.engines import engine_for
from coordcell.core.models import localized_now
from coordcell.verification.choices import CategoryChoices

__all__ = ["MESSAGES", "explainer"]

FSI, PDI = "\u2068", "\u2069"

MESSAGES: dict[str, Any] = {
    "limit_exceeded": _(
        "%(count)s %(category)s of %(party)s counted in %(zone)s at the inspection, above "
        "the %(limit)s that clause %(clause)s allows."
    ),
    "range_exceeded": _(
        "Artillery of %(party)s with a range of %(range_km)s km counted in %(zone)s at the "
        "inspection; clause %(clause)s allows at most %(limit)s km."
    ),
}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def explainer(report: Any) -> Callable[[Mapping[str, Any]], str]:
    """``explain(finding)`` for the findings of ``report``, in the active language."""
    arrangement = engine_for(report.version).arrangement
    zones = {z.id: dict(z.name) for z in arrangement.zones}
    parties = {p.code: dict(p.name) for p in arrangement.parties}

    def explain(finding: Mapping[str, Any]) -> str:
        template = MESSAGES.get(str(finding.get("message_id")))
        if template is None:
            return str(finding.get("rule", ""))
        params = dict(finding.get("params") or {})
        values = {
            "count": _number(params.get("count", "")),
            "category": str(CategoryChoices.label(str(params.get("category", "")))),
            "party": localized_now(
                parties.get(finding.get("party", ""), {"en": finding.get("party", "")})
            ),
            "zone": localized_now(
                zones.get(finding.get("zone") or "", {"en": str(finding.get("zone"))})
            ),
            "limit": _number(params.get("limit", "")),
            "range_km": _number(params.get("range_km", "")),
            "clause": str(finding.get("clause", "")),
        }
        return gettext(str(template)) % {k: f"{FSI}{v}{PDI}" for k, v in values.items()}

    return explain
