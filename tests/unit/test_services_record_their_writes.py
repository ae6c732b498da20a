"""Meta-test: every public function that writes the cell's tables appends a record event.

The write path (docs/architecture.md) promises that a change and its record entry commit
together. This reads the source of every module under ``src/coordcell`` (no Django
needed), finds each public function that writes through the ORM (``X.objects…create``,
``…update``, ``…delete``, ``bulk_create``, ``update_or_create``, ``get_or_create``,
``instance.save()``), directly or through the functions it calls, and fails unless it
also reaches ``record.services.append_event``. Writes that deliberately leave no event
are listed below, each with the reason documented in docs/architecture.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "coordcell"

#: Public writers that append no event, on purpose (docs/architecture.md, "The write path").
EXEMPT = {
    # Operational bookkeeping, not the cell's state.
    "coordcell.accounts.authentication.ApiTokenAuthentication.authenticate",
    "coordcell.core.worker.run_pass",
    # The kept answers to retried API POSTs (core/idempotency.py), expired.
    "coordcell.core.idempotency.purge_expired_keys",
    # One's own inbox items marked read.
    "coordcell.cases.services.mark_read",
    # Who opened a shared item (operational; its originator reads it, docs/sharing.md).
    "coordcell.sharing.services.log_access",
    # Who read a detainee's file (operational; docs/humanitarian.md).
    "coordcell.humanitarian.services.log_reading",
    # Stores content-addressed files, no row: its caller records the file with its row
    # (sharing.services.add_attachment).
    "coordcell.incidents.evidence.seal_upload",
    # Signed statements about the record itself, kept in append-only tables (ADR 0007).
    "coordcell.record.services.issue_checkpoint",
    "coordcell.record.services.add_cosignature",
    # The same for a party's view of a checkpoint (ADR 0011).
    "coordcell.record.services.view_checkpoint",
    "coordcell.record.services.add_view_cosignature",
    "coordcell.record.tree.append_leaf",
    # The record's own writer.
    "coordcell.record.services.append_event",
    # Who reads an official text from now on, set inside its issuing app's transaction,
    # whose own event records the step to the new audience (talks: minutes circulated,
    # revised; docs/talks.md).
    "coordcell.agreements.official.set_audience",
    # Webhook deliveries: the steps they carry are already recorded.
    "coordcell.notify.queueing.queue_delivery",
    "coordcell.notify.dispatch.settle",
    # The demo's fictional data goes through the services where the record matters; its
    # loader also writes fixtures that no member acts on (fictional flags, passwords).
    "coordcell.demo.loader.load_demo_data",
}

_WRITES = {"create", "bulk_create", "update", "update_or_create", "get_or_create", "delete"}


@dataclass
class Function:
    name: str  # qualified: coordcell.app.module.func (or .Class.method)
    writes: bool = False
    records: bool = False
    calls: set[str] = field(default_factory=set)


def _chain(node: ast.AST) -> list[str]:
    """``a.b.c(...)``'s func → ["a", "b", "c"] (names and attributes only)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):
        inner = _chain(node.func)
        return [*inner, *reversed(parts)]
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return list(reversed(parts))


def _imports(tree: ast.Module, module: str) -> dict[str, str]:
    """Local name → qualified name, for ``from coordcell… import x [as y]``."""
    names: dict[str, str] = {}
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else f"{package}.{node.module}"
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def analyse(source: str, module: str) -> dict[str, Function]:
    """The functions of one module with what each writes, records and calls."""
    tree = ast.parse(source)
    imported = _imports(tree, module)
    found: dict[str, Function] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                fn = Function(f"{module}.{prefix}{child.name}")
                # Local names bound to a queryset (``qs = X.objects.filter(…)``).
                querysets = {
                    target.id
                    for n in ast.walk(child)
                    if isinstance(n, ast.Assign)
                    and any(
                        isinstance(a, ast.Attribute) and a.attr == "objects"
                        for a in ast.walk(n.value)
                    )
                    for target in n.targets
                    if isinstance(target, ast.Name)
                }
                for call in (n for n in ast.walk(child) if isinstance(n, ast.Call)):
                    chain = _chain(call.func)
                    if not chain:
                        continue
                    last = chain[-1]
                    orm_write = last in _WRITES and ("objects" in chain or chain[0] in querysets)
                    if orm_write or (last == "save" and len(chain) == 2):
                        fn.writes = True
                    if last == "append_event":
                        fn.records = True
                    head = chain[0]
                    if len(chain) == 1:
                        fn.calls.add(imported.get(head, f"{module}.{prefix}{head}"))
                        fn.calls.add(f"{module}.{head}")
                    elif head in imported and len(chain) == 2:
                        fn.calls.add(f"{imported[head]}.{chain[1]}")
                    elif head in {"self", "cls"} and len(chain) == 2:
                        fn.calls.add(f"{module}.{prefix}{chain[1]}")
                found[fn.name] = fn

    visit(tree, "")
    return found


def solve(functions: dict[str, Function]) -> None:
    """Propagate writes and records along calls until nothing changes."""
    changed = True
    while changed:
        changed = False
        for fn in functions.values():
            for callee in fn.calls:
                other = functions.get(callee)
                if other is None or other is fn or callee in EXEMPT:
                    continue  # an exempt write does not make its callers writers
                if other.writes and not fn.writes:
                    fn.writes = changed = True
                if other.records and not fn.records:
                    fn.records = changed = True


def unrecorded(functions: dict[str, Function]) -> list[str]:
    """Public functions that write and record nothing, less the documented exemptions."""
    return sorted(
        fn.name
        for fn in functions.values()
        if fn.writes
        and not fn.records
        and not fn.name.rsplit(".", 1)[-1].startswith("_")
        and fn.name not in EXEMPT
    )


@cache
def _project() -> dict[str, Function]:
    """Every function of the project, analysed and solved: once per process (parsing the
    whole source took about a second), read by three tests that change nothing in it."""
    functions: dict[str, Function] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        if "migrations" in rel.parts or "management" in rel.parts:
            continue  # commands call the services; migrations are schema history
        module = ".".join(rel.parts)
        functions.update(analyse(path.read_text(encoding="utf-8"), module))
    solve(functions)
    return functions


def test_every_service_that_writes_appends_a_record_event() -> None:
    functions = _project()
    missing = [
        name
        for name in unrecorded(functions)
        # Pages and the API only call services; a write found there is a bug too.
        if not name.split(".")[2].startswith("test")
    ]
    assert missing == [], f"public writers that append no record event: {missing}"


def test_every_exemption_names_a_real_writer() -> None:
    functions = _project()
    stale = sorted(e for e in EXEMPT if e not in functions or not functions[e].writes)
    assert stale == [], f"exemptions that name no writer (renamed or gone?): {stale}"


def test_the_checks_find_the_services_they_are_about() -> None:
    # Not vacuous: the real writers are seen as writing and recording.
    functions = _project()
    for name in (
        "coordcell.cases.services.lodge_complaint",
        "coordcell.cases.lodging.report_and_lodge",
        "coordcell.incidents.services.share_incident",
        "coordcell.parties.services.create_delegation",
    ):
        assert functions[name].writes, name
        assert functions[name].records, name


def test_it_flags_a_writer_that_forgets_the_record() -> None:
    source = """
from coordcell.record.services import append_event

def forgets(*, actor, case):
    Case.objects.filter(pk=case.pk).update(state="x")

def _private_writer(obj):
    obj.save()

def through_a_helper(*, actor, obj):
    _private_writer(obj)

def remembers(*, actor, case):
    Case.objects.filter(pk=case.pk).update(state="x")
    append_event(actor=actor, event_type=None, data={}, audience=["*"])

def only_reads(*, actor):
    return list(Case.objects.filter(state="x"))

def through_a_queryset(*, actor):
    qs = Notification.objects.filter(read_at=None)
    return qs.update(read_at=1)
"""
    functions = analyse(source, "coordcell.fake.services")
    solve(functions)
    assert unrecorded(functions) == [
        "coordcell.fake.services.forgets",
        "coordcell.fake.services.through_a_helper",
        "coordcell.fake.services.through_a_queryset",
    ]
