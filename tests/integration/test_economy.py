"""The demilitarised economic zone (issue 15): projects inside the zone, donors known by
their pseudonym, money in exact decimals, and tranche conditions tied to attributable
obligations — evaluated from the monitors' checks, withdrawal outcomes and
determinations, never from raw incidents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import services as case_services
from coordcell.cases.lodging import report_and_lodge
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.economy import conditions, selectors, services
from coordcell.economy.models import Donor, Project, Tranche, TrancheHold
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.record.models import Entry
from coordcell.verification.sites import record_site_check

pytestmark = pytest.mark.django_db

TEXTS = {
    "en": "Orchards (fictional test)",
    "ar": "بساتين (اختبار وهمي)",
    "he": "מטעים (בדיקה בדיונית)",
}
#: Points of the default scenario's economic zone (its data): west of it on side A, east
#: of it on side B, and one 10 km west of the zone.
SIDE_A = {"type": "Point", "coordinates": [35.76, 33.26]}
SIDE_B = {"type": "Point", "coordinates": [35.90, 33.30]}
OUTSIDE = {"type": "Point", "coordinates": [35.63, 33.26]}


def _version(actor: Any) -> Any:
    return get_version(actor("mediator"), None, None)


def _project(actor: Any, site: dict[str, Any] | None = None, **kw: Any) -> Project:
    values: dict[str, Any] = {
        "sector": "agriculture",
        "titles": TEXTS,
        "descriptions": TEXTS,
        "site": site or SIDE_A,
        "budget_currency": "USD",
        "budget_amount": "1000000.00",
        **kw,
    }
    return services.register_project(actor=actor("mediator"), version=_version(actor), **values)


def _donor(console: Any) -> Donor:
    existing = Donor.objects.filter(party__code="donor_a").first()
    return existing or services.register_donor(actor=console, party_code="donor_a")


def _tranche(actor: Any, console: Any, project: Project) -> Tranche:
    donor = _donor(console)
    pledge = services.record_pledge(
        actor=actor("donor"), project=project, donor=donor, currency="USD",
        amount="500000.00", pledged_on="2026-02-01",
    )  # fmt: skip
    commitment = services.record_commitment(
        actor=actor("donor"), pledge=pledge, currency="USD", amount="400000",
        committed_on="2026-02-15",
    )  # fmt: skip
    return services.schedule_tranche(
        actor=actor("donor"), commitment=commitment, currency="USD", amount="100000.50",
        planned_on="2026-03-01",
    )  # fmt: skip


def _check(actor: Any, project: Project, presence: bool, party: str = "") -> Any:
    return record_site_check(
        actor=actor("monitor"), version=project.version, site_key=project.reference,
        site=project.site, checked_at=timezone.now() - dt.timedelta(minutes=5),
        military_presence=presence, party=party, note="Site visit (fictional test)",
    )  # fmt: skip


# ---------------------------------------------------------------- projects and their site


def test_a_site_inside_the_zone_is_registered_with_its_side(actor: Any) -> None:
    project = _project(actor)
    assert project.sides == ["A"]
    assert "economic_zone" in project.zones
    assert _project(actor, site=SIDE_B).sides == ["B"]
    both = _project(
        actor, site={"type": "MultiPoint", "coordinates": [[35.76, 33.26], [35.9, 33.3]]}
    )
    assert both.sides == ["A", "B"]


def test_a_site_outside_the_zone_is_refused_with_its_distance(actor: Any) -> None:
    before = Project.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _project(actor, site=OUTSIDE)
    message = refused.value.fields["site"][0]
    assert "outside the economic zone" in message
    assert " km" in message
    km = float(message.split(", ")[1].split(" km")[0])
    assert 9 < km < 12
    assert Project.objects.count() == before


def test_a_sector_the_clause_does_not_permit_and_bad_money_are_refused_at_once(actor: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _project(actor, sector="mining", budget_amount=1.5, titles={"en": "x"})
    assert set(refused.value.fields) == {"sector", "budget_amount", "titles"}


@pytest.mark.parametrize("control", ["\x0b", "\x1b", "\x00", "\x85", "\x7f"])
def test_a_text_with_a_control_character_is_refused(actor: Any, control: str) -> None:
    # Such a title was stored and then broke the KML export (a 500).
    before = Entry.objects.count()
    for field in ("titles", "descriptions"):
        with pytest.raises(ValidationFailed) as refused:
            _project(actor, **{field: {**TEXTS, "he": f"מ{control}ים"}})
        assert "control characters" in refused.value.fields[field][0]
    assert Entry.objects.count() == before
    # Tab and line breaks are text.
    assert _project(actor, descriptions={**TEXTS, "en": "Two\tlines\r\nof text"})


def test_only_the_mediator_registers_projects(actor: Any) -> None:
    for who in ("il.liaison", "donor", "monitor"):
        with pytest.raises(PermissionDenied):
            services.register_project(
                actor=actor(who), version=_version(actor), sector="agriculture", titles=TEXTS,
                descriptions=TEXTS, site=SIDE_A, budget_currency="USD", budget_amount="1",
            )  # fmt: skip


# ---------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("currency", "amount", "field"),
    [
        ("USD", 10.5, "amount"),  # a float
        ("USD", "NaN", "amount"),
        ("USD", "-5", "amount"),
        ("USD", "0", "amount"),
        ("USD", "1.005", "amount"),  # more than the minor units
        ("JPY", "100.5", "amount"),
        ("JOD", "1.0005", "amount"),
        ("XYZ", "1", "currency"),
        ("USD", "1e6", "amount"),
    ],
)
def test_amounts_are_exact_decimals_in_an_iso_4217_currency(
    actor: Any, console: Any, currency: str, amount: Any, field: str
) -> None:
    project = _project(actor)
    with pytest.raises(ValidationFailed) as refused:
        services.record_pledge(
            actor=actor("donor"), project=project, donor=_donor(console), currency=currency,
            amount=amount, pledged_on="2026-02-01",
        )  # fmt: skip
    assert field in refused.value.fields


def test_minor_units_and_exact_sums(actor: Any, console: Any) -> None:
    project = _project(actor)
    donor = _donor(console)
    jod = services.record_pledge(
        actor=actor("donor"), project=project, donor=donor, currency="jod", amount="0.105",
        pledged_on="2026-02-01",
    )  # fmt: skip
    assert jod.currency == "JOD"
    jod.refresh_from_db()
    assert jod.amount == Decimal("0.105")
    pledge = services.record_pledge(
        actor=actor("donor"), project=project, donor=donor, currency="USD", amount="0.30",
        pledged_on="2026-02-01",
    )  # fmt: skip
    for _ in range(3):
        services.record_commitment(
            actor=actor("donor"), pledge=pledge, currency="USD", amount="0.10",
            committed_on="2026-02-02",
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        services.record_commitment(
            actor=actor("donor"), pledge=pledge, currency="USD", amount="0.01",
            committed_on="2026-02-02",
        )  # fmt: skip
    assert "exceed the pledge" in refused.value.fields["amount"][0]


# ---------------------------------------------------------------------- donors


def test_a_donor_is_named_to_the_mediator_and_itself_and_a_pseudonym_to_others(
    actor: Any, console: Any
) -> None:
    donor = _donor(console)
    assert len(donor.pseudonym) == 1
    assert selectors.donor_name(donor, actor("mediator")) == "Donor A (fictional)"
    assert selectors.donor_name(donor, actor("donor")) == "Donor A (fictional)"
    for other in ("il.liaison", "sy.analyst", "monitor", "observer"):
        assert selectors.donor_name(donor, actor(other)) == f"Donor {donor.pseudonym}"
    services.set_donor_naming(actor=actor("donor"), donor=donor, named=True)
    donor.refresh_from_db()
    assert selectors.donor_name(donor, actor("il.liaison")) == "Donor A (fictional)"
    with pytest.raises(PermissionDenied):
        services.set_donor_naming(actor=actor("mediator"), donor=donor, named=False)


def test_the_donors_own_record_entries_are_read_by_the_mediator_and_the_donor_only(
    actor: Any, console: Any
) -> None:
    project = _project(actor)
    _tranche(actor, console, project)
    donor = _donor(console)
    entries = Entry.objects.filter(event_type__startswith="economy.", party_code="donor_a")
    assert entries.count() == 3
    for entry in entries:
        assert sorted(entry.audience.strip("|").split("|")) == ["donor_a", "us"]
    registered = Entry.objects.filter(event_type="economy.donor_registered").last()
    assert registered is not None
    assert "il" not in registered.audience
    by_mediator = services.record_pledge(
        actor=actor("mediator"), project=project, donor=donor, currency="EUR", amount="5",
        pledged_on="2026-02-01",
    )  # fmt: skip
    entry = Entry.objects.get(
        event_type="economy.pledge_recorded", data__pledge=by_mediator.reference
    )
    assert entry.audience == "|*|"
    assert entry.data["donor"] == donor.pseudonym
    assert "donor_a" not in entry.canonical


# ------------------------------------------------------------------------- conditions


def _evaluate() -> int:
    return conditions.evaluate_all(timezone.now())


def test_a_verified_military_presence_of_a_party_holds_the_tranche_until_its_removal(
    actor: Any, console: Any
) -> None:
    project = _project(actor, site=SIDE_B, sector="wind_energy")
    tranche = _tranche(actor, console, project)
    condition = services.add_condition(
        actor=actor("mediator"), tranche=tranche, kind="no_military_presence"
    )
    _check(actor, project, presence=False)
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "scheduled"
    check = _check(actor, project, presence=True, party="sy")
    assert _evaluate() >= 2  # the evaluation and the hold
    tranche.refresh_from_db()
    condition.refresh_from_db()
    assert tranche.state == "held"
    assert [r["reference"] for r in condition.reasons] == [check.reference]
    assert _evaluate() == 0  # nothing changed: nothing written again
    assert TrancheHold.objects.filter(tranche=tranche).count() == 1
    with pytest.raises(Conflict):
        services.disburse_tranche(actor=actor("donor"), tranche=tranche, disbursed_on="2026-03-02")
    _check(actor, project, presence=False)
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "scheduled"
    hold = TrancheHold.objects.get(tranche=tranche)
    assert hold.released_at is not None
    held = Entry.objects.get(event_type="economy.tranche_held", data__tranche=tranche.reference)
    assert held.audience == "|*|"
    assert check.reference not in held.canonical  # the security reference is not in it
    evaluated = Entry.objects.filter(
        event_type="economy.condition_evaluated", data__tranche=tranche.reference
    )
    assert all("donor_a" not in e.audience and "*" not in e.audience for e in evaluated)
    today = timezone.now().date().isoformat()
    services.disburse_tranche(actor=actor("donor"), tranche=tranche, disbursed_on=today)
    tranche.refresh_from_db()
    assert tranche.state == "disbursed"


def test_a_presence_the_monitors_attribute_to_no_party_holds_no_money(
    actor: Any, console: Any
) -> None:
    project = _project(actor)
    tranche = _tranche(actor, console, project)
    services.add_condition(actor=actor("mediator"), tranche=tranche, kind="no_military_presence")
    _check(actor, project, presence=True)  # armed men, whose the monitors do not say
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "scheduled"


def _incident(actor: Any, where: dict[str, Any], **kw: Any) -> IncidentInput:
    return IncidentInput(
        kind="military_presence", title="Armed men at the site (fictional test)",
        occurred_from=timezone.now() - dt.timedelta(hours=2), geometry=where, **kw,
    )  # fmt: skip


def _violation_condition(actor: Any, console: Any, project: Project, party: str = "sy") -> Any:
    tranche = _tranche(actor, console, project)
    services.add_condition(
        actor=actor("mediator"), tranche=tranche, kind="no_determined_violation", party=party,
        radius_km="5", window_days=30,
    )  # fmt: skip
    return tranche


def test_only_a_determined_violation_by_the_party_near_the_site_holds_the_tranche(
    actor: Any, console: Any
) -> None:
    project = _project(actor, site=SIDE_B)
    tranche = _violation_condition(actor, console, project)
    near = {"type": "Point", "coordinates": [35.91, 33.30]}
    case = report_and_lodge(
        actor=actor("il.liaison"), version=project.version,
        incident=_incident(actor, near, acting_party="sy"), respondent="sy",
        summary="Presence at the wind farm (fictional test).",
    )  # fmt: skip
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "scheduled"  # lodged, answered or not: no determination yet
    case_services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Not ours.")
    case.refresh_from_db()
    case_services.act(
        actor=actor("mediator"), case=case, action="determine", text="Established (fictional).",
        content={"outcome": "violation_established", "clauses": [], "remedies": []},
    )  # fmt: skip
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "held"
    condition = tranche.conditions.get()
    assert condition.reasons[0]["reference"] == case.reference
    assert condition.reasons[0]["distance_km"] < 5


def test_a_spoiler_incident_by_an_armed_group_no_party_controls_holds_no_tranche(
    actor: Any, console: Any
) -> None:
    project = _project(actor, site=SIDE_B)
    held_for_sy = _violation_condition(actor, console, project, "sy")
    held_for_il = _violation_condition(actor, console, project, "il")
    services.add_condition(
        actor=actor("mediator"), tranche=held_for_sy, kind="no_military_presence"
    )
    _check(actor, project, presence=False)
    at_site = {"type": "Point", "coordinates": [35.90, 33.30]}
    report_incident(
        actor=actor("il.liaison"), version=project.version,
        data=_incident(actor, at_site, acted_by="no_party"),
    )  # fmt: skip
    report_incident(
        actor=actor("monitor"), version=project.version,
        data=_incident(actor, at_site, acting_party="sy"),
    )  # fmt: skip
    _evaluate()
    for tranche in (held_for_sy, held_for_il):
        tranche.refresh_from_db()
        assert tranche.state == "scheduled"


def test_a_withdrawal_step_condition_holds_until_the_step_is_met(actor: Any, console: Any) -> None:
    from coordcell.verification import selectors as vsel
    from coordcell.verification import timeline

    project = _project(actor)
    tranche = _tranche(actor, console, project)
    step = vsel.list_steps(actor("mediator")).filter(party__code="il", state="binding").first()
    assert step is not None
    services.add_condition(
        actor=actor("mediator"), tranche=tranche, kind="withdrawal_step_met", step=step
    )
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "held"
    reason = tranche.conditions.get().reasons[0]
    assert reason["reference"] == step.reference
    assert reason["state"] == "binding"
    timeline.verify_step(actor=actor("monitor"), step=step, outcome="met")
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "scheduled"


def test_condition_inputs_are_validated(actor: Any, console: Any) -> None:
    project = _project(actor)
    tranche = _tranche(actor, console, project)
    with pytest.raises(ValidationFailed) as refused:
        services.add_condition(
            actor=actor("mediator"), tranche=tranche, kind="no_determined_violation",
            party="donor_a", radius_km=1.5, window_days=400,
        )  # fmt: skip
    assert set(refused.value.fields) == {"party", "radius_km", "window_days"}
    with pytest.raises(PermissionDenied):
        services.add_condition(actor=actor("donor"), tranche=tranche, kind="no_military_presence")


def test_before_the_monitors_check_the_site_nothing_holds_the_tranche_and_nothing_disburses_it(
    actor: Any, console: Any
) -> None:
    project = _project(actor)
    tranche = _tranche(actor, console, project)
    services.add_condition(actor=actor("mediator"), tranche=tranche, kind="no_military_presence")
    _evaluate()
    tranche.refresh_from_db()
    assert tranche.state == "scheduled"
    assert tranche.conditions.get().state == "unevaluated"
    today = timezone.now().date().isoformat()
    with pytest.raises(Conflict):
        services.disburse_tranche(actor=actor("donor"), tranche=tranche, disbursed_on=today)


def test_a_tranche_is_not_disbursed_on_a_condition_that_stopped_holding_since_the_worker_ran(
    actor: Any, console: Any
) -> None:
    project = _project(actor, site=SIDE_B, sector="wind_energy")
    tranche = _tranche(actor, console, project)
    services.add_condition(actor=actor("mediator"), tranche=tranche, kind="no_military_presence")
    _check(actor, project, presence=False)
    _evaluate()
    assert tranche.conditions.get().state == "met"
    _check(actor, project, presence=True, party="sy")  # before the worker runs again
    today = timezone.now().date().isoformat()
    size = Entry.objects.count()
    with pytest.raises(Conflict):
        services.disburse_tranche(actor=actor("donor"), tranche=tranche, disbursed_on=today)
    tranche.refresh_from_db()
    assert tranche.state != "disbursed"
    assert Entry.objects.count() == size


def test_a_condition_naming_a_withdrawal_step_is_recorded_for_the_steps_readers_only(
    actor: Any, console: Any
) -> None:
    from coordcell.verification import selectors as vsel

    project = _project(actor)
    tranche = _tranche(actor, console, project)
    step = vsel.list_steps(actor("mediator")).filter(party__code="sy").first()
    assert step is not None
    condition = services.add_condition(
        actor=actor("mediator"), tranche=tranche, kind="withdrawal_step_met", step=step
    )
    entry = Entry.objects.get(
        event_type="economy.condition_set", data__condition=condition.reference
    )
    assert entry.audience == step.audience
    assert "donor_a" not in entry.audience
    assert "*" not in entry.audience
