"""One user intent, one service: report an incident and lodge a complaint about it.

The lodge page, the hotline's "this call becomes a complaint" and ``POST /api/v1/cases/``
with an ``incident`` all call :func:`report_and_lodge`, so the three doors produce the
same incident, the same case and the same audiences for the same intent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from coordcell.cases import events, hotline, services
from coordcell.cases.choices import NatureChoices
from coordcell.cases.models import Activation, Case
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.incidents import services as incident_services
from coordcell.incidents.choices import SourceChoices
from coordcell.incidents.services import IncidentInput
from coordcell.parties import selectors as party_selectors

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = ["report_and_lodge"]


@transaction.atomic
def report_and_lodge(
    *,
    actor: Actor,
    version: ArrangementVersion,
    incident: IncidentInput,
    respondent: str,
    summary: str,
    extra_audience: Iterable[str] = (),
    activation: Activation | None = None,
    fictional: bool = False,
    nature: str = "complaint",
    precedence: str = "",
) -> Case:
    """Report ``incident`` and lodge a complaint about it against ``respondent`` (a party
    code, or ``rules.mechanism.MECHANISM`` where the door's protocol takes complaints
    addressed to the mechanism).

    Everything is checked before the first write — permission, the complaint, the
    incident's fields, the extra audience and, for a hotline call, that the actor was on
    the call and that it is not a complaint already — and a problem anywhere answers one
    ``ValidationFailed`` with every field's message. Then, in this one transaction, the
    incident is reported with the case's audience (the parties concerned, the mediators
    and the monitors, plus ``extra_audience``), the complaint is lodged on the protocol of
    its door (the hotline's for a call), and a call is linked to the case. ``fictional``
    marks the incident as exercise data (the demo's story). ``nature`` is ``complaint``,
    or ``request_to_act``: addressed to the party that controls the territory, to act,
    alleging no responsibility.
    """
    extra = [c for c in extra_audience if c]
    if nature not in NatureChoices.values():
        raise ValidationFailed({"nature": [_("A complaint, or a request to act.")]})
    errors = incident_services.validate_incident(
        incident, activation.version if activation is not None else version
    )
    # The arrangement must have it (scenario data: the protocol that serves this door).
    protocol = services.protocol_serving(
        activation.version if activation is not None else version,
        services.HOTLINE if activation is not None else services.COMPLAINTS,
    )
    try:
        _complainant, other, summary, audience = services.check_lodge(
            actor,
            respondent=respondent,
            summary=summary,
            extra_audience=extra,
            protocol=protocol,
        )
    except ValidationFailed as exc:
        raise ValidationFailed({**errors, **exc.fields}) from None
    try:  # the precedence (a code of the door's protocol; "" for its lowest)
        services.check_precedence(protocol, precedence)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    source = None
    if activation is not None:
        activation = Activation.objects.select_for_update(no_key=True).get(pk=activation.pk)
        if actor.party_id not in (activation.caller_party_id, activation.callee_party_id):
            raise PermissionDenied(
                _("Only the caller or the called party turn a call into a complaint.")
            )
        if activation.case_id is not None:
            raise ValidationFailed(_("This activation is already a complaint."))
        version = activation.version
        source = SourceChoices.HOTLINE
        audience = party_selectors.concerned_audience(
            *audience, activation.caller_party.code, activation.callee_party.code
        )
    reported = incident_services.report_incident(
        actor=actor,
        data=incident,
        version=version,
        audience=audience,
        source=source,
        fictional=fictional,
    )
    case = services.lodge_complaint(
        actor=actor,
        incident=reported,
        respondent=other.code if other is not None else respondent,
        summary=summary,
        protocol_id=protocol.protocol_id,
        extra_audience=[*extra, *audience],
        nature=nature,
        precedence=precedence,
    )
    if activation is not None:
        Activation.objects.filter(pk=activation.pk).update(case=case)
        activation.refresh_from_db()
        hotline.record_activation_event(
            actor,
            activation,
            events.HOTLINE_CONVERTED,
            {"incident": reported.reference, "case": case.reference},
        )
    return case
