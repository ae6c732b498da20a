"""The economic zone's writers: one service per intent (permission → validation of
everything → rows → record entry, in one transaction).

Who does what: the mediator's principals and liaison officers register projects, their
milestones, donors, conditions and conversion rates, and release a condition's references
to its donor; a donor's representatives (or the mediator for them) record the donor's
pledges, commitments, tranches and disbursements, and choose whether the donor is named.
Every record entry that a party other than the mediator and the donor can read names the
donor by its pseudonym only; an entry written by an unnamed donor's own people is read by
the mediators and that donor alone (the entry itself carries the actor's party).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS, normalise
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.core.text import control_message, has_control
from coordcell.economy import events
from coordcell.economy.choices import (
    ConditionKindChoices,
    ConditionStateChoices,
    MilestoneStatusChoices,
    ProjectStateChoices,
    TrancheStateChoices,
)
from coordcell.economy.models import (
    Commitment,
    ConversionRate,
    Donor,
    Milestone,
    Pledge,
    Project,
    Tranche,
    TrancheCondition,
)
from coordcell.economy.sites import check_site, economic_clauses
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import money
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.verification.models import WithdrawalStep

__all__ = [
    "LANGUAGES",
    "MAX_RADIUS_KM",
    "MAX_WINDOW_DAYS",
    "TEXT_MAX_CHARS",
    "TITLE_MAX_CHARS",
    "add_condition",
    "add_milestone",
    "audience_of_donor",
    "disburse_tranche",
    "may_manage",
    "mediator_codes",
    "money_error",
    "record_commitment",
    "record_pledge",
    "record_rate",
    "register_donor",
    "register_project",
    "release_references",
    "schedule_tranche",
    "set_donor_naming",
    "set_milestone_status",
]

#: A project's title and description are given in each of these languages.
LANGUAGES = ("en", "ar", "he")
TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 4_000
#: A condition's radius and window: at most these.
MAX_RADIUS_KM = 100
MAX_WINDOW_DAYS = 365
#: Dates of money and milestones: within this many years of today.
DATE_RANGE_YEARS = 30
MILESTONES_MAX = 50

MAY_NOT_MANAGE = gettext_lazy("Only the mediator's principals and liaison officers do this.")
MAY_NOT_FUND = gettext_lazy("Only the donor's representatives or the mediator do this.")
_MANAGERS = (RoleChoices.PRINCIPAL, RoleChoices.LIAISON_OFFICER)

_MONEY_MESSAGES = {
    "currency_unknown": gettext_lazy("%(currency)s is not an ISO 4217 currency code."),
    "amount_float": gettext_lazy(
        'Give the amount as a decimal string (e.g. "1250.50"), not a number with a fraction.'
    ),
    "amount_invalid": gettext_lazy("Give the amount as digits with at most one decimal point."),
    "amount_negative": gettext_lazy("The amount cannot be negative."),
    "amount_zero": gettext_lazy("The amount must be more than zero."),
    "amount_too_large": gettext_lazy("The amount is too large."),
    "amount_minor_units": gettext_lazy(
        "%(currency)s has %(digits)s decimal places: the amount has more."
    ),
    "rate_invalid": gettext_lazy(
        "Give the rate as a positive decimal string with at most 12 decimal places."
    ),
    "no_rate": gettext_lazy(
        "No conversion rate from %(currency)s to %(base)s on or before %(on)s."
    ),
}


def money_error(exc: money.MoneyError) -> str:
    """The message of a refused amount, currency or rate, in the reader's language."""
    return str(_MONEY_MESSAGES[exc.code]) % exc.params


# --- who --------------------------------------------------------------------------------


def may_manage(actor: Actor) -> bool:
    """The mediator's principals and liaison officers (and the console)."""
    if actor.system:
        return True
    return actor.party_kind == PartyKindChoices.KIND_MEDIATOR and any(
        actor.has_role(r) for r in _MANAGERS
    )


def may_fund(actor: Actor, donor: Donor) -> bool:
    """The donor's representatives, or the mediator's principals and liaison officers."""
    if may_manage(actor):
        return True
    return actor.party_id == donor.party_id and actor.has_role(RoleChoices.DONOR_REPRESENTATIVE)


def mediator_codes() -> list[str]:
    return [p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]


def audience_of_donor(donor: Donor) -> list[str]:
    """The mediators and the donor itself: who knows who the donor is."""
    return normalise([*mediator_codes(), donor.party.code])


def _entry_audience(actor: Actor, donor: Donor) -> list[str]:
    """Every member — unless the actor is an unnamed donor's person, whose entry (which
    carries its party and call sign) only the mediators and that donor read."""
    if not donor.named and actor.party_id == donor.party_id:
        return audience_of_donor(donor)
    return [ALL_MEMBERS]


# --- edge validation helpers ------------------------------------------------------------


def _texts(
    value: Any, field: str, errors: dict[str, list[str]], *, limit: int, required: bool = True
) -> dict[str, str]:
    if not isinstance(value, Mapping):
        errors[field] = [_("Give the text in Arabic, Hebrew and English.")]
        return {}
    unknown = sorted(str(k) for k in value if k not in LANGUAGES)
    if unknown:
        errors[field] = [_("Unknown language: %(code)s.") % {"code": unknown[0][:10]}]
        return {}
    clean: dict[str, str] = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        text = text.strip() if isinstance(text, str) else ""
        if has_control(text):
            errors[field] = [control_message()]
            return {}
        if required and not text:
            errors[field] = [_("Give the text in Arabic, Hebrew and English.")]
            return {}
        if len(text) > limit:
            errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
            return {}
        if text:
            clean[lang] = text
    return clean


def _money(
    currency: Any, amount: Any, errors: dict[str, list[str]], *, prefix: str = ""
) -> tuple[str, Decimal]:
    try:
        code = money.parse_currency(currency)
    except money.MoneyError as exc:
        errors[f"{prefix}currency"] = [money_error(exc)]
        return "", Decimal(0)
    try:
        return code, money.parse_amount(amount, code)
    except money.MoneyError as exc:
        errors[f"{prefix}amount"] = [money_error(exc)]
        return code, Decimal(0)


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[field] = [_("Give a date (YYYY-MM-DD).")]
        return dt.date.min
    today = timezone.now().date()
    if abs((value - today).days) > DATE_RANGE_YEARS * 366:
        errors[field] = [_("The date is too far from today.")]
    return value


def _same_currency(
    currency: str, parent_currency: str, errors: dict[str, list[str]], what: str
) -> None:
    if currency and currency != parent_currency:
        errors["currency"] = [
            _("Give it in the currency of its %(what)s (%(currency)s).")
            % {"what": what, "currency": parent_currency}
        ]


def _m(value: Decimal) -> str:
    return format(value, "f")


# --- projects ---------------------------------------------------------------------------


@transaction.atomic
def register_project(
    *,
    actor: Actor,
    version: ArrangementVersion,
    sector: str,
    titles: Mapping[str, str],
    descriptions: Mapping[str, str],
    site: Any,
    budget_currency: Any,
    budget_amount: Any,
    state: str = ProjectStateChoices.PLANNED,
) -> Project:
    """The mediator registers a project in the economic zone: its sector (one the clause
    permits), its site (inside the zone; refused with the distance otherwise), its title
    and description in ar/he/en, its budget. The sides are the areas' ``side`` values the
    site lies in."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    errors: dict[str, list[str]] = {}
    clauses = economic_clauses(version)
    if not clauses:
        raise Conflict(_("The arrangement has no economic zone."))
    clause = clauses[0]
    permitted = [str(s) for s in clause.parameters.get("permitted_sectors", ())]
    if sector not in permitted:
        errors["sector"] = [_("Choose a sector the arrangement permits in the zone.")]
    clean_titles = _texts(titles, "titles", errors, limit=TITLE_MAX_CHARS)
    clean_descriptions = _texts(descriptions, "descriptions", errors, limit=TEXT_MAX_CHARS)
    geometry: dict[str, Any] | None = None
    fit = None
    try:
        geometry = normalise_geometry(site)
    except GeometryError as exc:
        errors["site"] = [exc.translated(_)]
    if geometry is not None:
        if engine_for(version).locate(geometry).problems:
            errors["site"] = [_("The site is not inside the arrangement's region.")]
        else:
            fit = check_site(version, clause, geometry)
            if not fit.inside:
                errors["site"] = [
                    _("The site lies outside the economic zone, %(km)s km beyond its edge.")
                    % {"km": f"{fit.outside_km:.2f}"}
                ]
    currency, amount = _money(budget_currency, budget_amount, errors, prefix="budget_")
    if state not in ProjectStateChoices.values():
        errors["state"] = [_("Unknown state.")]
    if errors:
        raise ValidationFailed(errors)
    assert geometry is not None
    assert fit is not None
    now = timezone.now()
    project = Project.objects.create(
        reference=new_reference("PRJ"),
        version=version,
        clause=clause.id,
        sector=sector,
        titles=clean_titles,
        descriptions=clean_descriptions,
        site=geometry,
        zones=list(fit.zones),
        sides=list(fit.sides),
        budget_currency=currency,
        budget_amount=amount,
        state=state,
        created_by=actor.user,
        created_at=now,
        audience="|*|",
    )
    append_event(
        actor=actor,
        event_type=events.PROJECT_REGISTERED,
        data={
            "project": project.reference,
            "clause": clause.id,
            "sector": sector,
            "title": clean_titles.get("en", ""),
            "site": geometry,
            "sides": list(fit.sides),
            "budget": {"currency": currency, "amount": _m(amount)},
        },
        subjects=[subject("economy.project", project.public_id, project.reference)],
        audience=[ALL_MEMBERS],
    )
    return project


@transaction.atomic
def add_milestone(
    *,
    actor: Actor,
    project: Project,
    titles: Mapping[str, str],
    due_on: Any,
    status: str = MilestoneStatusChoices.PLANNED,
) -> Milestone:
    """The mediator adds a dated milestone to a project."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    errors: dict[str, list[str]] = {}
    clean = _texts(titles, "titles", errors, limit=TITLE_MAX_CHARS)
    day = _date(due_on, "due_on", errors)
    if status not in MilestoneStatusChoices.values():
        errors["status"] = [_("Unknown status.")]
    if project.milestones.count() >= MILESTONES_MAX:
        errors["titles"] = [_("At most %(n)s milestones.") % {"n": MILESTONES_MAX}]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    milestone = Milestone.objects.create(
        project=project,
        titles=clean,
        due_on=day,
        status=status,
        done_on=now.date() if status == MilestoneStatusChoices.DONE else None,
        updated_at=now,
    )
    _record_milestone(actor, milestone)
    return milestone


@transaction.atomic
def set_milestone_status(*, actor: Actor, milestone: Milestone, status: str) -> Milestone:
    """The mediator marks a milestone planned, in progress, done or delayed."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    if status not in MilestoneStatusChoices.values():
        raise ValidationFailed({"status": [_("Unknown status.")]})
    now = timezone.now()
    milestone.status = status
    milestone.done_on = now.date() if status == MilestoneStatusChoices.DONE else None
    milestone.updated_at = now
    milestone.save(update_fields=["status", "done_on", "updated_at"])
    _record_milestone(actor, milestone)
    return milestone


def _record_milestone(actor: Actor, milestone: Milestone) -> None:
    project = milestone.project
    append_event(
        actor=actor,
        event_type=events.MILESTONE_SET,
        data={
            "project": project.reference,
            "milestone": str(milestone.public_id),
            "title": milestone.titles.get("en", ""),
            "due_on": milestone.due_on,
            "status": milestone.status,
        },
        subjects=[subject("economy.project", project.public_id, project.reference)],
        audience=project.audience_codes,
    )


# --- donors -----------------------------------------------------------------------------


def _new_pseudonym() -> str:
    """A letter drawn at random among the unused ones (two letters once all 26 are):
    says nothing of how many donors there are, nor of their order."""
    used = set(Donor.objects.values_list("pseudonym", flat=True))
    letters = string.ascii_uppercase
    free = [c for c in letters if c not in used]
    if not free:
        free = [a + b for a in letters for b in letters if a + b not in used]
    return secrets.choice(free)


@transaction.atomic
def register_donor(*, actor: Actor, party_code: str, named: bool = False) -> Donor:
    """The mediator registers a donor party for the zone's projects, under a pseudonym
    drawn at random. The entry is read by the mediators and the donor alone."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    try:
        party = parties.access_party(actor, party_code)
    except NotFound:
        raise ValidationFailed({"party": [_("Unknown party.")]}) from None
    if party.kind != PartyKindChoices.KIND_DONOR:
        raise ValidationFailed({"party": [_("Choose a donor party.")]})
    if Donor.objects.filter(party=party).exists():
        raise Conflict(_("This donor is registered already."))
    now = timezone.now()
    donor = Donor.objects.create(
        party=party,
        pseudonym=_new_pseudonym(),
        named=bool(named),
        named_changed_at=now if named else None,
        created_at=now,
    )
    append_event(
        actor=actor,
        event_type=events.DONOR_REGISTERED,
        data={"party": party.code, "pseudonym": donor.pseudonym, "named": donor.named},
        subjects=[subject("economy.donor", donor.public_id, donor.pseudonym)],
        audience=audience_of_donor(donor),
    )
    return donor


@transaction.atomic
def set_donor_naming(*, actor: Actor, donor: Donor, named: bool) -> Donor:
    """The donor's representatives choose whether the donor is named to every member, or
    known by its pseudonym only. The choice to be named is read by every member (it names
    the donor); the choice to go back to the pseudonym by the mediators and the donor."""
    own = actor.party_id == donor.party_id and actor.has_role(RoleChoices.DONOR_REPRESENTATIVE)
    if not own and not actor.system:
        raise PermissionDenied(_("Only the donor's representatives choose this."))
    if not isinstance(named, bool):
        raise ValidationFailed({"named": [_("Say yes or no.")]})
    donor = Donor.objects.select_for_update(no_key=True).get(pk=donor.pk)
    if donor.named == named:
        return donor
    donor.named = named
    donor.named_changed_at = timezone.now()
    donor.save(update_fields=["named", "named_changed_at"])
    append_event(
        actor=actor,
        event_type=events.DONOR_NAMING_CHOSEN,
        data={"pseudonym": donor.pseudonym, "named": named, "party": donor.party.code},
        subjects=[subject("economy.donor", donor.public_id, donor.pseudonym)],
        audience=[ALL_MEMBERS] if named else audience_of_donor(donor),
    )
    return donor


# --- money ------------------------------------------------------------------------------


def _money_data(obj: Any, donor: Donor) -> dict[str, Any]:
    return {"donor": donor.pseudonym, "currency": obj.currency, "amount": _m(obj.amount)}


@transaction.atomic
def record_pledge(
    *, actor: Actor, project: Project, donor: Donor, currency: Any, amount: Any, pledged_on: Any
) -> Pledge:
    """A donor's pledge to a project, in its currency, on a date."""
    if not may_fund(actor, donor):
        raise PermissionDenied(MAY_NOT_FUND)
    errors: dict[str, list[str]] = {}
    code, value = _money(currency, amount, errors)
    day = _date(pledged_on, "pledged_on", errors)
    if errors:
        raise ValidationFailed(errors)
    pledge = Pledge.objects.create(
        reference=new_reference("PLG"),
        project=project,
        donor=donor,
        currency=code,
        amount=value,
        pledged_on=day,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
        audience=project.audience,
    )
    append_event(
        actor=actor,
        event_type=events.PLEDGE_RECORDED,
        data={
            "pledge": pledge.reference,
            "project": project.reference,
            "pledged_on": day,
            **_money_data(pledge, donor),
        },
        subjects=[subject("economy.pledge", pledge.public_id, pledge.reference)],
        audience=_entry_audience(actor, donor),
    )
    return pledge


@transaction.atomic
def record_commitment(
    *, actor: Actor, pledge: Pledge, currency: Any, amount: Any, committed_on: Any
) -> Commitment:
    """A pledge (or part of it) committed, in the pledge's currency; the commitments of a
    pledge never exceed it."""
    donor = pledge.donor
    if not may_fund(actor, donor):
        raise PermissionDenied(MAY_NOT_FUND)
    errors: dict[str, list[str]] = {}
    code, value = _money(currency, amount, errors)
    _same_currency(code, pledge.currency, errors, _("pledge"))
    day = _date(committed_on, "committed_on", errors)
    pledge = Pledge.objects.select_for_update(no_key=True).get(pk=pledge.pk)
    already = sum((c.amount for c in pledge.commitments.all()), Decimal(0))
    if "amount" not in errors and already + value > pledge.amount:
        errors["amount"] = [
            _("The commitments would exceed the pledge (%(left)s %(currency)s left).")
            % {"left": _m(pledge.amount - already), "currency": pledge.currency}
        ]
    if errors:
        raise ValidationFailed(errors)
    commitment = Commitment.objects.create(
        reference=new_reference("CMT"),
        pledge=pledge,
        currency=code,
        amount=value,
        committed_on=day,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
        audience=pledge.audience,
    )
    append_event(
        actor=actor,
        event_type=events.COMMITMENT_RECORDED,
        data={
            "commitment": commitment.reference,
            "pledge": pledge.reference,
            "project": pledge.project.reference,
            "committed_on": day,
            **_money_data(commitment, donor),
        },
        subjects=[subject("economy.commitment", commitment.public_id, commitment.reference)],
        audience=_entry_audience(actor, donor),
    )
    return commitment


@transaction.atomic
def schedule_tranche(
    *, actor: Actor, commitment: Commitment, currency: Any, amount: Any, planned_on: Any
) -> Tranche:
    """A tranche of a commitment, planned for a date; the tranches never exceed it."""
    donor = commitment.pledge.donor
    if not may_fund(actor, donor):
        raise PermissionDenied(MAY_NOT_FUND)
    errors: dict[str, list[str]] = {}
    code, value = _money(currency, amount, errors)
    _same_currency(code, commitment.currency, errors, _("commitment"))
    day = _date(planned_on, "planned_on", errors)
    commitment = Commitment.objects.select_for_update(no_key=True).get(pk=commitment.pk)
    already = sum((t.amount for t in commitment.tranches.all()), Decimal(0))
    if "amount" not in errors and already + value > commitment.amount:
        errors["amount"] = [
            _("The tranches would exceed the commitment (%(left)s %(currency)s left).")
            % {"left": _m(commitment.amount - already), "currency": commitment.currency}
        ]
    if errors:
        raise ValidationFailed(errors)
    tranche = Tranche.objects.create(
        reference=new_reference("TRN"),
        commitment=commitment,
        currency=code,
        amount=value,
        planned_on=day,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
        audience=commitment.audience,
    )
    append_event(
        actor=actor,
        event_type=events.TRANCHE_SCHEDULED,
        data={
            "tranche": tranche.reference,
            "commitment": commitment.reference,
            "planned_on": day,
            **_money_data(tranche, donor),
        },
        subjects=[subject("economy.tranche", tranche.public_id, tranche.reference)],
        audience=_entry_audience(actor, donor),
    )
    return tranche


@transaction.atomic
def disburse_tranche(*, actor: Actor, tranche: Tranche, disbursed_on: Any) -> Tranche:
    """A scheduled tranche disbursed on a date — only while every condition of it holds
    (a held tranche, or one whose conditions are not yet evaluated, is refused)."""
    donor = tranche.commitment.pledge.donor
    if not may_fund(actor, donor):
        raise PermissionDenied(MAY_NOT_FUND)
    errors: dict[str, list[str]] = {}
    day = _date(disbursed_on, "disbursed_on", errors)
    if "disbursed_on" not in errors and day > timezone.now().date():
        errors["disbursed_on"] = [_("A disbursement cannot be dated in the future.")]
    if errors:
        raise ValidationFailed(errors)
    tranche = Tranche.objects.select_for_update(no_key=True).get(pk=tranche.pk)
    if tranche.state == TrancheStateChoices.DISBURSED:
        raise Conflict(_("This tranche is disbursed already."))
    if tranche.state == TrancheStateChoices.HELD:
        raise Conflict(_("This tranche is held: a condition of it does not hold."))
    if tranche.conditions.exclude(state=ConditionStateChoices.MET).exists():
        raise Conflict(_("A condition of this tranche is not yet evaluated as holding."))
    # What the worker last found may be stale (a site check or a determination since its
    # run): every condition is evaluated again now, under the tranche's lock.
    from coordcell.economy.conditions import evaluate  # (conditions imports this module)

    now = timezone.now()
    for condition in tranche.conditions.select_related("party").order_by("pk"):
        if evaluate(condition, now)[0] != ConditionStateChoices.MET:
            raise Conflict(_("This tranche is held: a condition of it does not hold."))
    tranche.state = TrancheStateChoices.DISBURSED
    tranche.disbursed_on = day
    tranche.disbursed_by = actor.user
    tranche.save(update_fields=["state", "disbursed_on", "disbursed_by"])
    append_event(
        actor=actor,
        event_type=events.TRANCHE_DISBURSED,
        data={"tranche": tranche.reference, "disbursed_on": day, **_money_data(tranche, donor)},
        subjects=[subject("economy.tranche", tranche.public_id, tranche.reference)],
        audience=_entry_audience(actor, donor),
    )
    return tranche


# --- conditions -------------------------------------------------------------------------


def _positive_int(value: Any, field: str, limit: int, errors: dict[str, list[str]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[field] = [_("Give a whole number from 1 to %(n)s.") % {"n": limit}]
        return 0
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= limit:
        errors[field] = [_("Give a whole number from 1 to %(n)s.") % {"n": limit}]
    return number


@transaction.atomic
def add_condition(
    *,
    actor: Actor,
    tranche: Tranche,
    kind: str,
    party: str = "",
    step: WithdrawalStep | None = None,
    radius_km: Any = None,
    window_days: Any = None,
) -> TrancheCondition:
    """The mediator ties a scheduled tranche to a specific, attributable obligation:
    no military presence at the project's site verified by the monitors (optionally, of
    one party); a withdrawal step met; no violation by a party determined within a
    radius of the site in a window of days. The worker evaluates it."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    errors: dict[str, list[str]] = {}
    if tranche.state == TrancheStateChoices.DISBURSED:
        raise Conflict(_("This tranche is disbursed already."))
    if kind not in ConditionKindChoices.values():
        errors["kind"] = [_("Choose a kind of condition.")]
    version = tranche.commitment.pledge.project.version
    sides = [p.code for p in engine_for(version).arrangement.parties if p.kind == "party"]
    radius: Decimal | None = None
    window: int | None = None
    if kind == ConditionKindChoices.NO_DETERMINED_VIOLATION:
        if party not in sides:
            errors["party"] = [_("Choose a party of the arrangement.")]
        try:
            radius = money.parse_rate(radius_km)
        except money.MoneyError:
            radius = None
        if radius is None or radius > MAX_RADIUS_KM:
            errors["radius_km"] = [
                _("Give a radius in km, more than 0 and at most %(n)s.") % {"n": MAX_RADIUS_KM}
            ]
        window = _positive_int(window_days, "window_days", MAX_WINDOW_DAYS, errors)
    elif kind == ConditionKindChoices.NO_MILITARY_PRESENCE:
        if party and party not in sides:
            errors["party"] = [_("Choose a party of the arrangement.")]
    elif kind == ConditionKindChoices.WITHDRAWAL_STEP_MET:
        if step is None:
            errors["step"] = [_("Choose a withdrawal step.")]
        party = ""
    if kind != ConditionKindChoices.WITHDRAWAL_STEP_MET:
        step = None
    if errors:
        raise ValidationFailed(errors)
    condition = TrancheCondition.objects.create(
        reference=new_reference("CND"),
        tranche=tranche,
        kind=kind,
        party=parties.access_party(actor, party) if party else None,
        step=step,
        radius_km=radius,
        window_days=window,
        created_by=actor.user,
        created_at=timezone.now(),
    )
    append_event(
        actor=actor,
        event_type=events.CONDITION_SET,
        data={
            "condition": condition.reference,
            "tranche": tranche.reference,
            "kind": kind,
            "party": party or None,
            "step": step.reference if step is not None else None,
            "radius_km": _m(radius) if radius is not None else None,
            "window_days": window,
        },
        subjects=[subject("economy.tranche", tranche.public_id, tranche.reference)],
        # A withdrawal step is read by its own audience (the parties, the mediators, the
        # monitors): an entry naming it is read by them alone, never by a donor.
        audience=step.audience_codes if step is not None else tranche.audience_codes,
    )
    return condition


@transaction.atomic
def release_references(*, actor: Actor, condition: TrancheCondition) -> TrancheCondition:
    """The mediator releases to the tranche's donor the references that now hold the
    condition (its current reasons, as references and kinds only)."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    condition = TrancheCondition.objects.select_for_update(no_key=True).get(pk=condition.pk)
    if not condition.reasons:
        raise Conflict(_("Nothing holds this condition now."))
    released = sorted({r["reference"] for r in condition.reasons} | set(condition.released))
    condition.released = released
    condition.save(update_fields=["released"])
    donor = condition.tranche.commitment.pledge.donor
    append_event(
        actor=actor,
        event_type=events.REFERENCES_RELEASED,
        data={"condition": condition.reference, "references": released},
        subjects=[
            subject("economy.tranche", condition.tranche.public_id, condition.tranche.reference)
        ],
        audience=audience_of_donor(donor),
    )
    return condition


# --- conversion rates -------------------------------------------------------------------


@transaction.atomic
def record_rate(
    *, actor: Actor, currency: Any, base: Any, rate: Any, valid_on: Any, source: str
) -> ConversionRate:
    """The mediator records a dated conversion rate (one unit of ``currency`` in
    ``base``) with its source, for totals across currencies."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    for field, value in (("currency", currency), ("base", base)):
        try:
            codes.append(money.parse_currency(value))
        except money.MoneyError as exc:
            errors[field] = [money_error(exc)]
    if len(codes) == 2 and codes[0] == codes[1]:
        errors["base"] = [_("Choose two different currencies.")]
    try:
        value = money.parse_rate(rate)
    except money.MoneyError as exc:
        errors["rate"] = [money_error(exc)]
    day = _date(valid_on, "valid_on", errors)
    source = source.strip() if isinstance(source, str) else ""
    if not source or len(source) > 300:
        errors["source"] = [_("Say where the rate comes from (at most 300 characters).")]
    if errors:
        raise ValidationFailed(errors)
    if ConversionRate.objects.filter(currency=codes[0], base=codes[1], valid_on=day).exists():
        raise Conflict(_("A rate for these currencies on this day is recorded already."))
    row = ConversionRate.objects.create(
        currency=codes[0],
        base=codes[1],
        rate=value,
        valid_on=day,
        source=source,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    append_event(
        actor=actor,
        event_type=events.RATE_RECORDED,
        data={
            "currency": row.currency,
            "base": row.base,
            "rate": _m(row.rate),
            "valid_on": day,
            "source": source,
        },
        subjects=[subject("economy.conversionrate", row.public_id, str(row))],
        audience=[ALL_MEMBERS],
    )
    return row


def donors_for(actor: Actor) -> Iterable[Donor]:
    """The donors the actor may record money for (its own, or all for the mediator)."""
    if may_manage(actor):
        return Donor.objects.select_related("party").order_by("pseudonym")
    return Donor.objects.select_related("party").filter(party_id=actor.party_id)
