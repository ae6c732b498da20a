"""Verification by element: what the monitors established of each fact. Pure.

Monitors do not verify "the incident" in one word: they verify its elements — whether
the thing was present, when, the damage, the casualties, rarely who did it — and each
is established, partly established, not established, or could not be verified, with
the reason (access denied by a party, insufficient information, or another reason in
words). An access denial names the party that denied access: denials are data, counted
per party.

:data:`ELEMENTS` is the one list of elements (add one here to extend it). A result
recorded before elements existed has none: it reads as its one word
(verified / unverifiable / disputed).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACCESS_DENIED",
    "ELEMENTS",
    "FINDINGS",
    "NEEDS_REASON",
    "REASONS",
    "ElementResult",
    "Invalid",
    "check_elements",
]

#: The elements of an incident the monitors verify, in the order pages list them.
ELEMENTS: tuple[str, ...] = ("presence", "time", "damage", "casualties", "attribution")
#: What the monitors found of one element.
FINDINGS: tuple[str, ...] = ("established", "partly", "not_established", "could_not_verify")
#: Why an element was not (fully) verified.
REASONS: tuple[str, ...] = ("access_denied", "insufficient_information", "other")
ACCESS_DENIED = "access_denied"
#: Findings that need a reason.
NEEDS_REASON = frozenset({"partly", "could_not_verify"})
REASON_TEXT_MAX_CHARS = 1_000


class Invalid(Exception):
    """The elements are invalid: ``fields`` maps ``elements.N`` to codes of its problems."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        super().__init__(", ".join(f"{k}: {'/'.join(v)}" for k, v in fields.items()))
        self.fields = dict(fields)


@dataclass(frozen=True)
class ElementResult:
    """One element's result: ``finding`` from :data:`FINDINGS`; ``reason`` from
    :data:`REASONS` or ""; ``reason_text`` (required for ``other``); ``denied_by``, the
    party that denied access (required for ``access_denied``)."""

    element: str
    finding: str
    reason: str = ""
    reason_text: str = ""
    denied_by: str = ""

    def as_content(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "finding": self.finding,
            "reason": self.reason,
            "reason_text": self.reason_text,
            "denied_by": self.denied_by,
        }


def check_elements(
    items: Sequence[Mapping[str, Any]], *, parties: Collection[str]
) -> tuple[ElementResult, ...]:
    """The elements of a verification result, checked; :class:`Invalid` otherwise.

    Each element at most once; a finding that is not "established" outright needs a
    reason; ``denied_by`` is one of ``parties`` (the case's parties)."""
    errors: dict[str, list[str]] = {}
    results: list[ElementResult] = []
    seen: set[str] = set()
    if not isinstance(items, list | tuple) or len(items) > len(ELEMENTS):
        raise Invalid({"elements": ["not_a_list"]})
    for i, item in enumerate(items):
        key = f"elements.{i}"
        if not isinstance(item, Mapping):
            errors[key] = ["not_an_object"]
            continue
        problems: list[str] = []
        element = item.get("element")
        if element not in ELEMENTS or element in seen:
            problems.append("element")
        finding = item.get("finding")
        if finding not in FINDINGS:
            problems.append("finding")
        reason = item.get("reason") or ""
        text = str(item.get("reason_text") or "").strip()
        denied_by = item.get("denied_by") or ""
        if (reason and reason not in REASONS) or (finding in NEEDS_REASON and not reason):
            problems.append("reason")
        if reason == "other" and not text:
            problems.append("reason_text")
        if len(text) > REASON_TEXT_MAX_CHARS:
            problems.append("reason_text")
        if reason == ACCESS_DENIED and denied_by not in parties:
            problems.append("denied_by")
        if reason != ACCESS_DENIED and denied_by:
            problems.append("denied_by")
        if problems:
            errors[key] = problems
            continue
        seen.add(str(element))
        results.append(ElementResult(str(element), str(finding), str(reason), text, str(denied_by)))
    if errors:
        raise Invalid(errors)
    return tuple(results)
