"""Load a scenario's fictional demo data: donor party, delegations, people and the story.

Everything goes through the ordinary services (so it is all in the record) and is
idempotent: running the demo again finds what exists and adds only what is missing.
The story (``[[story]]`` in ``demo.toml``: complaints, workflow steps, hotline calls) is
played once per database, each step by the person it names, through the services the
pages call (:func:`tell_story`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coordcell.accounts.models import ApiToken, User, hash_token_secret
from coordcell.accounts.services import create_api_token
from coordcell.agreements.models import ArrangementVersion
from coordcell.cases import hotline, lodging, selectors, services
from coordcell.cases.models import Activation, Case
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS
from coordcell.core.errors import DomainError, ValidationFailed
from coordcell.demo import (
    events,
    story_deconfliction,
    story_desk,
    story_economy,
    story_exchanges,
    story_harm,
    story_humanitarian,
    story_positions,
    story_proposals,
    story_reports,
    story_sharing,
    story_talks,
    story_verification,
)
from coordcell.incidents.choices import PrecisionChoices
from coordcell.incidents.services import IncidentInput
from coordcell.parties import selectors as party_selectors
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.parties.services import (
    add_member,
    create_delegation,
    create_person,
    register_party,
)
from coordcell.record.models import Entry, Head
from coordcell.record.services import append_event
from coordcell.rules.arrangement import DemoData, DemoIncidentSpec, DemoStepSpec, StoryDo
from coordcell.rules.scenario import DEMO_FILE

__all__ = ["DemoAccount", "StoryFailed", "load_demo_data", "story_told", "tell_story"]


def _new_password() -> str:
    """Twelve letters and digits: easy to type from the printed table, hard to guess."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    party: str
    roles: tuple[str, ...]
    password: str
    token: str


def load_demo_data(
    *, actor: Actor, demo: DemoData, known: dict[str, dict[str, str]]
) -> list[DemoAccount]:
    """Create what the demo data describes; ``known`` holds passwords and tokens from before.

    An existing account keeps its known password; one whose password is not known gets a
    new one. A known token is kept if it still authenticates, otherwise a new one is made.

    Password hashing is slow by design (about a second each), so the hashes are made
    before the transaction opens: holding SQLite's write lock for ten of them would
    starve every other writer, the running worker included.
    """
    existing = set(
        User.objects.filter(username__in=[a.username for a in demo.accounts]).values_list(
            "username", flat=True
        )
    )
    passwords: dict[str, str] = {}
    to_hash: list[str] = []
    for a in demo.accounts:
        known_password = known.get(a.username, {}).get("password")
        passwords[a.username] = known_password or _new_password()
        if not (a.username in existing and known_password):
            to_hash.append(a.username)
    # PBKDF2 releases the GIL: hash on every core.
    with ThreadPoolExecutor() as pool:
        hashes = dict(
            zip(to_hash, pool.map(lambda u: make_password(passwords[u]), to_hash), strict=True)
        )
    return _load(actor=actor, demo=demo, known=known, passwords=passwords, hashes=hashes)


@transaction.atomic
def _load(
    *,
    actor: Actor,
    demo: DemoData,
    known: dict[str, dict[str, str]],
    passwords: dict[str, str],
    hashes: dict[str, str],
) -> list[DemoAccount]:
    for spec in demo.parties:
        register_party(actor=actor, code=spec.code, kind=spec.kind, names=spec.name, fictional=True)
    delegations: dict[str, Delegation] = {}
    for d in demo.delegations:
        party = Party.objects.get(code=d.party)
        existing = Delegation.objects.filter(party=party, names__en=d.name["en"]).first()
        delegations[d.party] = existing or create_delegation(
            actor=actor, party=party, names=d.name, fictional=True
        )
    accounts = []
    for a in demo.accounts:
        previous = known.get(a.username, {})
        password = passwords[a.username]
        delegation = (
            delegations.get(a.party) or Delegation.objects.filter(party__code=a.party).first()
        )
        if delegation is None:
            raise ValueError(f"demo account {a.username}: party {a.party} has no delegation")
        user = User.objects.filter(username=a.username).first()
        if user is None:
            user, _ = create_person(
                actor=actor,
                delegation=delegation,
                username=a.username,
                full_name=a.full_name,
                email="",
                role=a.roles[0],
                password_hash=hashes[a.username],
            )
        elif a.username in hashes:
            User.objects.filter(pk=user.pk).update(password=hashes[a.username])
        for role in a.roles:
            if not Membership.objects.filter(
                user=user, delegation=delegation, role=role, active=True
            ).exists():
                add_member(actor=actor, delegation=delegation, user=user, role=role)
        token = previous.get("token", "")
        prefix = token[3:].split("_", 1)[0] if token.startswith("cc_") else ""
        valid = (
            ApiToken.objects.filter(
                user=user, prefix=prefix, key_hash=hash_token_secret(token), revoked_at__isnull=True
            ).exists()
            if prefix
            else False
        )
        if not valid:
            _, token = create_api_token(actor=Actor.from_user(user), name="demo")
        accounts.append(DemoAccount(a.username, a.full_name, a.party, a.roles, password, token))
    return accounts


# --- the story ---------------------------------------------------------------------


class StoryFailed(Exception):
    """A service refused a step of the story; nothing of the story was kept."""

    def __init__(self, index: int, step: DemoStepSpec, error: DomainError) -> None:
        fields = error.fields if isinstance(error, ValidationFailed) else {"": [str(error)]}
        problems = "; ".join(
            f"{name}: {message}" if name else message
            for name, messages in fields.items()
            for message in messages
        )
        super().__init__(f"{DEMO_FILE}: story[{index}] ({step.do} by {step.by}): {problems}")


def story_told() -> bool:
    """Whether this database's record says the demo's story was played."""
    return Entry.objects.filter(event_type=events.STORY_TOLD.code).exists()


def tell_story(*, demo: DemoData, version: ArrangementVersion) -> int:
    """Play the story of ``demo`` once per database; return the number of steps played.

    Each step is taken now, by the person it names, through the service the page for it
    calls; nothing is dated earlier or later than the moment it runs. The whole story is
    one transaction that ends with a ``demo.story_told`` record entry: a refused step
    (``StoryFailed``) leaves nothing behind, and a database whose record has that entry
    is not told the story again (0 is returned).
    """
    if not demo.story:
        return 0
    with transaction.atomic():
        Head.objects.select_for_update(no_key=True).filter(pk=1).first()  # one teller at a time
        if story_told():
            return 0
        cases: dict[str, Case] = {}
        calls: dict[str, Activation] = {}
        made: dict[str, Any] = {}  # messages, incidents and warnings, by their keys
        for index, step in enumerate(demo.story):
            try:
                if step.do in story_exchanges.PLAYS:
                    story_exchanges.play(step, version, calls, made)
                elif step.do in story_desk.PLAYS:
                    story_desk.play(step, version, made)
                elif step.do in story_verification.PLAYS:
                    story_verification.play(step, version, made)
                elif step.do in story_positions.PLAYS:
                    story_positions.play(step, version, made)
                elif step.do in story_deconfliction.PLAYS:
                    story_deconfliction.play(step, version, made)
                elif step.do in story_economy.PLAYS:  # economy (issue 15)
                    story_economy.play(step, version, made)
                elif step.do in story_sharing.PLAYS:
                    story_sharing.play(step, version, made)
                elif step.do in story_talks.PLAYS:  # talks (issue 16)
                    story_talks.play(step, version, made)
                elif step.do in story_proposals.PLAYS:  # proposals (issue 16)
                    story_proposals.play(step, version, made)
                elif step.do in story_harm.PLAYS:  # civilian harm, property, access (issue 18)
                    story_harm.play(step, version, cases, made)
                elif step.do in story_reports.PLAYS:  # reports (issue 17)
                    story_reports.play(step, version, made)
                elif step.do in story_humanitarian.PLAYS:  # issue 18
                    story_humanitarian.play(step, version, made)
                else:
                    _play(step, version, cases, calls)
            except DomainError as exc:
                raise StoryFailed(index, step, exc) from None
        append_event(
            actor=Actor.console("demo"),
            event_type=events.STORY_TOLD,
            # No count of the steps: every member reads this entry, not every step.
            data={"arrangement": version.arrangement.key, "notice": dict(demo.notice)},
            audience=[ALL_MEMBERS],
        )
    return len(demo.story)


def _play(
    step: DemoStepSpec,
    version: ArrangementVersion,
    cases: dict[str, Case],
    calls: dict[str, Activation],
) -> None:
    """Take one step as the person it names, as the page for it would."""
    actor = Actor.from_user(User.objects.get(username=step.by))
    if step.do == StoryDo.ACT:
        case = selectors.get_case(actor, cases[step.case].public_id)
        content = _determination(step) if step.outcome else None
        services.act(actor=actor, case=case, action=step.action, text=step.text, content=content)
    elif step.do == StoryDo.CALL:
        calls[step.key or f"#{len(calls)}"] = hotline.activate(
            actor=actor,
            callee=party_selectors.access_party(actor, step.callee),
            channel=step.channel,
            subject_text=step.subject,
            version=version,
        )
    elif step.do == StoryDo.ANSWER_CALL:
        activation = selectors.get_activation(actor, calls[step.call].public_id)
        hotline.answer(actor=actor, activation=activation, text=step.text)
    elif step.do in (StoryDo.REPORT_AND_LODGE, StoryDo.CONVERT_CALL):
        assert step.incident is not None  # the reader requires it
        activation = None
        if step.do == StoryDo.CONVERT_CALL:
            activation = selectors.get_activation(actor, calls[step.call].public_id)
        cases[step.key or f"#{len(cases)}"] = lodging.report_and_lodge(
            actor=actor,
            version=version,
            incident=_incident(step.incident),
            respondent=step.respondent,
            summary=step.summary,
            extra_audience=step.extra_audience,
            activation=activation,
            fictional=True,
        )
    else:  # the reader knows every kind of step; a new one must be taught here too
        raise ValueError(f"unknown story step {step.do!r}")


def _determination(step: DemoStepSpec) -> dict[str, Any]:
    """The structured content of a story's determination: each remedy falls due the
    number of hours it says after the step is played."""
    now = timezone.now().astimezone(dt.UTC)
    return {
        "outcome": step.outcome,
        "clauses": list(step.clauses),
        "remedies": [
            {
                "what": r.what,
                "owner": r.owner,
                "due_at": (now + dt.timedelta(hours=r.due_hours)).isoformat(),
                "verifier": r.verifier,
            }
            for r in step.remedies
        ],
    }


def _as_precise_as(moment: dt.datetime, precision: str) -> dt.datetime:
    """``moment`` as a report known "to the hour" (…) gives it: the smaller units dropped."""
    moment = moment.replace(second=0, microsecond=0)
    if precision in (PrecisionChoices.HOUR, PrecisionChoices.DAY, PrecisionChoices.MONTH):
        moment = moment.replace(minute=0)
    if precision in (PrecisionChoices.DAY, PrecisionChoices.MONTH):
        moment = moment.replace(hour=0)
    if precision == PrecisionChoices.MONTH:
        moment = moment.replace(day=1)
    return moment


def story_incident(spec: DemoIncidentSpec) -> IncidentInput:
    """The incident a story step reports (``_incident``), for the other story modules."""
    return _incident(spec)


def _incident(spec: DemoIncidentSpec) -> IncidentInput:
    """The report: it happened ``occurred_minutes_before`` now, as precisely as it says."""
    occurred = timezone.now().astimezone(dt.UTC) - dt.timedelta(
        minutes=spec.occurred_minutes_before
    )
    return IncidentInput(
        kind=spec.kind,
        title=spec.title,
        occurred_from=_as_precise_as(occurred, spec.time_precision),
        geometry=spec.geometry,
        time_precision=spec.time_precision,
        uncertainty_m=spec.uncertainty_m,
    )
