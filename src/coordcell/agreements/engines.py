"""The rules engine for a stored arrangement version, built once per process and reused.

Building an engine projects the zones and compiles their grid index (about a second),
so engines are cached by the version's content hash. Findings are translated here:
the template is looked up in the active language's catalogue, and the activity and
zone in its parameters are given their names in that language (an activity the
scenario declares, and the parties and forces a clause exempts, by the scenario's own
names, not the catalogue's).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from coordcell.agreements.choices import ActivityChoices
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.models import localized_now
from coordcell.rules import taxonomy
from coordcell.rules.arrangement import ClauseSpec, arrangement_from_content
from coordcell.rules.engine import (
    EXEMPT_NOTE,
    MESSAGES,
    SIDES,
    STATUS_LABELS,
    Engine,
    split_findings,
)

__all__ = [
    "activity_names",
    "actor_choices",
    "clause_coverage",
    "engine_for",
    "exempt_names",
    "explain",
    "explain_finding",
    "explain_findings",
    "kind_choices",
    "kind_name",
    "reported_actor",
    "status_label",
]

_CACHE: OrderedDict[str, Engine] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 4


def engine_for(version: ArrangementVersion) -> Engine:
    """The engine of ``version`` (its ``content`` is loaded if it was deferred)."""
    with _LOCK:
        engine = _CACHE.get(version.content_hash)
        if engine is not None:
            _CACHE.move_to_end(version.content_hash)
            return engine
    content = ArrangementVersion.objects.values_list("content", flat=True).get(pk=version.pk)
    engine = Engine(
        arrangement_from_content(content),
        version=f"{version.arrangement.key} v{version.number}",
    )
    with _LOCK:
        _CACHE[version.content_hash] = engine
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return engine


#: Unicode's first-strong isolate and its closing pop: they keep an id, a name or a number
#: in its own direction inside a sentence of the other direction (a plain-text ``<bdi>``).
FSI, PDI = "\u2068", "\u2069"


def activity_names(engine: Engine) -> dict[str, str]:
    """Every activity a clause of the engine's arrangement may prohibit, named in the
    active language: the built-in ones from the catalogue, the scenario's own from it."""
    names = {code: str(label) for code, label in ActivityChoices.choices()}
    for declared in engine.arrangement.activities:
        names[declared.id] = localized_now(dict(declared.name))
    return names


def explain(
    code: str, raw_params: Mapping[str, Any], engine: Engine, *, isolate: bool = False
) -> str:
    """A finding's or problem's explanation (message ``code``) in the active language.

    With ``isolate``, each filled-in value sits between FSI and PDI, so that clause ids,
    zone names and coordinates keep their order in a right-to-left page.
    """
    params: dict[str, Any] = dict(raw_params)
    if "activity" in params:
        params["activity"] = activity_names(engine).get(params["activity"], params["activity"])
    if "zone" in params:
        zone = next((z for z in engine.arrangement.zones if z.id == params["zone"]), None)
        if zone is not None:
            params["zone"] = localized_now(dict(zone.name))
    for key in ("side", "allowed_side"):
        if params.get(key) in SIDES:
            params[key] = gettext(SIDES[params[key]])
    if isolate:
        params = {key: f"{FSI}{value}{PDI}" for key, value in params.items()}
    return gettext(MESSAGES[code]) % params


def _party_names(codes: Any, engine: Engine) -> str:
    """Party codes (and force ids, which a clause's exemption may name) by their names."""
    names = {p.code: p.name for p in engine.arrangement.parties}
    names.update({f.id: f.name for f in engine.arrangement.forces})
    return ", ".join(localized_now(dict(names[c])) if c in names else str(c) for c in (codes or ()))


def kind_choices(engine: Engine) -> list[tuple[str, str]]:
    """Every incident kind a report may have under the engine's arrangement, named in the
    active language: the built-in ones (``taxonomy.KINDS``, from the catalogue), then the
    ones the scenario declares (``[[incident_kinds]]``, by the scenario's names)."""
    choices = [(k, gettext(taxonomy.label(k))) for k in taxonomy.KINDS]
    choices += [(k.id, localized_now(dict(k.name))) for k in engine.arrangement.incident_kinds]
    return choices


def kind_name(kind: str, engine: Engine) -> str:
    """An incident kind's name in the active language (its code when unknown)."""
    if taxonomy.is_kind(kind):
        return gettext(taxonomy.label(kind))
    declared = engine.declared_kinds.get(kind)
    return localized_now(dict(declared.name)) if declared is not None else kind


def actor_choices(engine: Engine) -> list[tuple[str, str]]:
    """Who acted, as a form offers it: not stated, an actor no party controls, each party
    (``party:<code>``) and each of its forces (``force:<id>``), by name in the active
    language. The values are what ``cases.forms.IncidentForm`` reads back."""
    choices = [
        ("unknown", gettext("Not stated")),
        ("no_party", gettext("An actor no party controls")),
    ]
    for party in engine.arrangement.parties:
        choices.append((f"party:{party.code}", localized_now(dict(party.name))))
        for force in engine.arrangement.forces:
            if force.party == party.code:
                choices.append((f"force:{force.id}", "— " + localized_now(dict(force.name))))
    return choices


def reported_actor(acted_by: str, party: str, force: str, engine: Engine) -> str:
    """Who acted as the report says, by name in the active language ("" when not stated):
    the force, else the party, else "an actor no party controls"."""
    if acted_by == "no_party":
        return gettext("an actor no party controls")
    if acted_by != "party":
        return ""
    return _party_names([force or party], engine)


def exempt_names(clause: ClauseSpec, engine: Engine) -> str:
    """Whom ``clause`` exempts (parties and forces), by name in the active language."""
    return _party_names((*clause.exempt_parties, *clause.exempt_forces), engine)


def explain_finding(finding: Mapping[str, Any], engine: Engine, *, isolate: bool = False) -> str:
    """A stored finding's explanation in the active language, with the note of whom its
    clause exempts when the report does not say who acted (``Finding.exempt``)."""
    said = explain(finding["message_id"], finding.get("params", {}), engine, isolate=isolate)
    exempt = finding.get("exempt")
    if not exempt:
        return said
    params = {"clause": finding.get("clause", ""), "exempt": _party_names(exempt, engine)}
    if isolate:
        params = {key: f"{FSI}{value}{PDI}" for key, value in params.items()}
    return f"{said} {gettext(EXEMPT_NOTE) % params}"


def status_label(finding: Mapping[str, Any], engine: Engine) -> str:
    """How a finding under a clause that is not agreed is labelled, in the active
    language ("Under a clause whose applicability Israel disputes."); empty if agreed."""
    status = finding.get("status", "agreed")
    if status not in STATUS_LABELS:
        return ""
    return gettext(STATUS_LABELS[status]) % {
        "parties": _party_names(finding.get("disputed_by"), engine)
    }


def explain_findings(
    findings: Any, engine: Engine, *, isolate: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Stored findings, explained in the active language and split: those under agreed
    clauses, and those under clauses that are not agreed (each with its ``label``).
    ``isolate`` as for ``explain`` (a right-to-left page)."""
    agreed, other = split_findings(findings or [])

    def said(f: Mapping[str, Any]) -> str:
        return explain_finding(f, engine, isolate=isolate)

    return (
        [{**f, "explanation": said(f)} for f in agreed],
        [{**f, "explanation": said(f), "label": status_label(f, engine)} for f in other],
    )


def clause_coverage(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Which clauses the engine assesses against a reported fact and which it does not,
    each with its title in the active language and its status label."""
    clauses = {c.id: c for c in engine.arrangement.clauses}

    def entry(clause_id: str) -> dict[str, Any]:
        c = clauses[clause_id]
        label = status_label({"status": c.status, "disputed_by": c.disputed_by}, engine)
        return {"id": c.id, "title": localized_now(dict(c.title)),
                "status": c.status, "disputed_by": list(c.disputed_by), "label": label}  # fmt: skip

    return {
        "machine_assessed": [entry(i) for i in engine.clauses_machine_assessed],
        "not_machine_assessed": [entry(i) for i in engine.clauses_not_machine_assessed],
    }
