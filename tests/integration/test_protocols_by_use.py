"""Which protocol serves complaints and the hotline is scenario data, not a fixed id.

The shipped scenario is loaded again as a new version whose protocols carry other ids
(``grievances``, ``calls``) but say what they serve; complaints and calls run on them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.cases import hotline, lodging
from coordcell.cases.models import Deadline
from coordcell.cases.services import lodge_complaint
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.parties.models import Party

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _renamed(tmp_path: Path) -> Path:
    """The shipped scenario with its protocols renamed (and so a new version of it)."""
    copy = tmp_path / "renamed"
    shutil.copytree(SCENARIOS_DIR / "southern_syria_2026", copy)
    toml = copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    renamed = text.replace('id = "complaint"\n', 'id = "grievances"\n', 1).replace(
        'id = "hotline"\n', 'id = "calls"\n', 1
    )
    assert renamed.count('id = "grievances"') == 1
    assert renamed.count('id = "calls"') == 1
    toml.write_text(renamed, encoding="utf-8")
    return copy


def _incident() -> IncidentInput:
    return IncidentInput(
        kind="military_presence",
        title="Armed personnel in the Area of Separation (fictional)",
        occurred_from=dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC),
        geometry=IN_AOS,
    )


def test_a_complaint_runs_on_the_protocol_that_serves_complaints(
    actor: Any, console: Any, client_for: Any, tmp_path: Path
) -> None:
    version = load_arrangement(actor=console, path=_renamed(tmp_path)).version
    assert version.number == 2
    liaison = actor("il.liaison")

    case = lodging.report_and_lodge(
        actor=liaison,
        version=version,
        incident=_incident(),
        respondent="sy",
        summary="Armed personnel in the Area of Separation (fictional).",
    )

    assert case.protocol_id == "grievances"
    assert case.version == version
    ack = Deadline.objects.get(case=case, kind="acknowledge")
    assert ack.due_at - case.lodged_at == dt.timedelta(hours=24)
    page = client_for("sy.liaison").get(reverse("cases:case", args=[case.public_id]))
    assert page.status_code == 200
    assert "Cell principals" in page.content.decode()  # its ladder, read by the case's id

    # The other door: a complaint about an incident already reported.
    incident = report_incident(
        actor=liaison,
        data=_incident(),
        version=version,
        audience=["il", "sy", "us", "undof"],
    )
    direct = lodge_complaint(
        actor=liaison, incident=incident, respondent="sy", summary="Again (fictional)."
    )
    assert direct.protocol_id == "grievances"


def test_a_hotline_call_runs_on_the_protocol_that_serves_the_hotline(
    actor: Any, console: Any, tmp_path: Path
) -> None:
    version = load_arrangement(actor=console, path=_renamed(tmp_path)).version
    caller = actor("sy.liaison")
    activation = hotline.activate(
        actor=caller,
        callee=Party.objects.get(code="il"),
        channel="message",
        subject_text="Smoke seen near the line (fictional).",
        version=version,
    )
    assert activation.answer_due_at - activation.received_at == dt.timedelta(hours=2)
    case = lodging.report_and_lodge(
        actor=caller,
        activation=activation,
        version=version,
        incident=_incident(),
        respondent="il",
        summary="Reported over the hotline (fictional).",
    )
    assert case.protocol_id == "calls"
