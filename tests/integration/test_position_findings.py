"""Findings from declared positions (issue 13): the freeze and withdrawal clauses assessed
on incidents against the positions the parties declared, read by exactly those entitled.

A finding computed against a party's escrowed positions (a distance to its nearest post, a
post's reference and date) is read by that party and the mediator, among the incident's
audience, and by nobody else: the other party, a monitor and a donor see the incident
(when it is theirs to see) exactly as they would without it, on the pages and in the API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from coordcell.agreements.engines import engine_for, explain_finding
from coordcell.agreements.selectors import get_version
from coordcell.cases import lodging
from coordcell.core.actor import Actor
from coordcell.incidents import escrow
from coordcell.incidents.models import EscrowedFinding, Incident
from coordcell.incidents.selectors import escrowed_findings
from coordcell.incidents.services import (
    IncidentInput,
    change_incident,
    report_incident,
    share_incident,
)
from coordcell.positions import services as positions
from coordcell.record.export import export_bundle
from coordcell.record.models import Entry
from coordcell.record.selectors import list_visible_entries
from coordcell.record.services import issue_checkpoint

pytestmark = pytest.mark.django_db

#: Fictional test sites (southern Syria scenario): a Syrian post east of Line B, an
#: Israeli one west of Line A, and places about 5 km from each.
SY_POST = {"type": "Point", "coordinates": [35.9583, 33.1112]}
SY_AWAY = {"type": "Point", "coordinates": [35.99, 33.15]}
IL_POST = {"type": "Point", "coordinates": [35.7893, 33.0549]}
IN_AOS = {"type": "Point", "coordinates": [35.8568, 33.0921]}
AFTER_FREEZE = dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC)
OLD = dt.date(2024, 6, 1)  # before the freeze's baseline date and the withdrawal's date
NEWER = dt.date(2025, 3, 1)  # after the withdrawal's date (2024-12-08), before the freeze
SUMMARY = "Armed personnel were seen (fictional exercise)."


def declare(actor: Any, who: str, geometry: Any, established: dt.date) -> Any:
    return positions.declare_position(
        actor=actor(who),
        name="Post (fictional exercise)",
        kind="outpost",
        geometry=geometry,
        established=established,
        holdings=[{"category": "personnel", "count": 30}],
    )


def incident_input(geometry: Any, **who: str) -> IncidentInput:
    return IncidentInput(
        kind="military_presence",
        title="Armed personnel seen (fictional exercise)",
        occurred_from=AFTER_FREEZE,
        geometry=geometry,
        **who,
    )


def lodge(actor: Any, who: str, respondent: str, geometry: Any, **acting: str) -> Any:
    return lodging.report_and_lodge(
        actor=actor(who),
        version=get_version(Actor.console("tests"), None, None),
        incident=incident_input(geometry, **acting),
        respondent=respondent,
        summary=SUMMARY,
    )


def rows(incident: Incident) -> dict[str, EscrowedFinding]:
    return {r.party.code: r for r in EscrowedFinding.objects.filter(incident=incident)}


def api_incident(client_for: Any, who: str, incident: Incident) -> Any:
    response = client_for(who).get(f"/api/v1/incidents/{incident.public_id}/")
    return response.status_code, response.json()


def api_listed(client_for: Any, who: str, incident: Incident) -> dict[str, Any]:
    body = client_for(who).get("/api/v1/incidents/", {"page_size": 100}).json()
    [found] = [i for i in body["results"] if i["id"] == str(incident.public_id)]
    return dict(found)


# --- the freeze: a party's presence away from its declared posts ----------------------------


def test_a_freeze_finding_goes_to_the_party_and_the_mediator_alone(
    actor: Any, client_for: Any
) -> None:
    post = declare(actor, "sy.liaison", SY_POST, OLD)
    case = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    incident = case.incident
    assert incident.audience_codes == ["il", "sy", "undof", "us"]
    # The incident's own findings, read by its whole audience, hold no freeze finding.
    assert not [f for f in incident.findings if f["rule"].startswith("freeze")]
    [row] = rows(incident).values()
    assert (row.party.code, row.audience_codes) == ("sy", ["sy", "us"])
    [finding] = row.findings
    assert (finding["rule"], finding["clause"], finding["certainty"]) == (
        "freeze:new_position",
        "FREEZE-2026",
        "inside",
    )
    assert 4000 < finding["params"]["distance_m"] < 7000
    # The record: the incident's own entry has no such finding; the finding's entry is
    # read by the party and the mediator alone.
    reported = Entry.objects.filter(event_type="incidents.incident_reported").order_by("-seq")[0]
    assert reported.data["reference"] == incident.reference
    assert "freeze" not in reported.canonical
    assert "FREEZE-2026" not in json.dumps(reported.data)
    # One entry per party compared (the report names Syria: Syria alone), found or not,
    # with its narrow audience.
    entries = Entry.objects.filter(
        event_type="incidents.position_findings_computed", data__incident=incident.reference
    )
    assert sorted((e.data["party"], e.audience, bool(e.data["findings"])) for e in entries) == [
        ("sy", "|sy|us|", True),
    ]
    computed = entries.get(data__party="sy")
    for who in ("sy.liaison", "mediator"):
        seen = list_visible_entries(actor(who), after=computed.seq - 1, limit=1)
        assert [e.seq for e in seen] == [computed.seq]
    for who in ("il.liaison", "monitor", "donor", "observer"):
        seen = list_visible_entries(actor(who), after=computed.seq - 1, limit=1)
        assert computed.seq not in [e.seq for e in seen]
    # Selectors, the API and the case page.
    assert [r.pk for r in escrowed_findings(actor("sy.liaison"), incident)] == [row.pk]
    assert [r.pk for r in escrowed_findings(actor("mediator"), incident)] == [row.pk]
    for who in ("sy.liaison", "mediator"):
        status, body = api_incident(client_for, who, incident)
        assert status == 200
        [item] = body["position_findings"]
        assert item["party"] == "sy"
        assert [f["rule"] for f in item["findings"]] == ["freeze:new_position"]
        assert api_listed(client_for, who, incident)["position_findings"] == [item]
        page = client_for(who).get(f"/cases/{case.public_id}/").content.decode()
        assert "Compared with the positions" in page
        assert "from the nearest baseline position" in page
    for who in ("il.liaison", "monitor"):
        assert escrowed_findings(actor(who), incident) == []
        status, body = api_incident(client_for, who, incident)
        assert (status, body["position_findings"]) == (200, [])
        assert api_listed(client_for, who, incident)["position_findings"] == []
        page = client_for(who).get(f"/cases/{case.public_id}/").content.decode()
        assert "Compared with the positions" not in page
        assert "baseline position" not in page
        # Which clauses are assessed against declared positions: said alike to everyone.
        assert "Assessed against each party's declared positions" in page
        assert post.reference not in page
    assert api_incident(client_for, "donor", incident)[0] == 404
    assert escrowed_findings(actor("donor"), incident) == []


def test_a_record_bundle_carries_the_finding_only_for_those_entitled(actor: Any) -> None:
    declare(actor, "sy.liaison", SY_POST, OLD)
    case = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    assert rows(case.incident)
    assert issue_checkpoint(force=True) is not None
    for who, entitled in (("sy.liaison", True), ("mediator", True), ("il.liaison", False),
                          ("monitor", False)):  # fmt: skip
        out = io.BytesIO()
        export_bundle(actor(who), out)
        bundle = out.getvalue()
        assert case.incident.reference.encode() in bundle
        assert (b"FREEZE-2026" in bundle) is entitled
        carried = [
            line
            for line in bundle.splitlines()
            if b"incidents.position_findings_computed" in line
            and case.incident.reference.encode() in line
        ]
        assert bool(carried) is entitled


_VARYING = [
    re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?"),  # ISO times
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r"\d{1,2} \w+ \d{4},? \d\d:\d\d"),  # local times on the page
    re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?"),  # with seconds, where shown
    re.compile(r'nonce="[^"]*"'),
    re.compile(r"\b[0-9a-f]{12,64}\b"),  # the record entries' hashes
    re.compile(r"\d\d:\d\d(:\d\d)?"),  # any time of day left
]


def _normalised(text: str, *names: str) -> str:
    for i, name in enumerate(names):
        text = text.replace(name, f"<name{i % 2}>")
    for pattern in _VARYING:
        text = pattern.sub("<varying>", text)
    return text


def test_the_other_party_and_the_monitor_cannot_tell_an_escrowed_finding_is_there(
    actor: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At one frozen instant: a deadline's "N h M min left" on the two pages, read some
    # milliseconds apart, would differ whenever a minute turned in between.
    instant = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: instant)
    # The same complaint twice: before Syria declares its post (no escrowed finding) and
    # after (one, for Syria). For Israel and the monitor the two answers and pages are the
    # same but for the references, ids and times that differ for any two incidents.
    size = Entry.objects.count()
    plain = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    plain_added = Entry.objects.count() - size
    declare(actor, "sy.liaison", SY_POST, OLD)
    size = Entry.objects.count()
    escrowed = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    # The record grows alike: an escrowed finding leaves no gap between the entries the
    # others read (their positions are in the verification material, docs/security.md).
    assert Entry.objects.count() - size == plain_added
    assert not rows(plain.incident)
    assert set(rows(escrowed.incident)) == {"sy"}
    names = []
    for case in (plain, escrowed):
        names += [case.reference, str(case.public_id), case.incident.reference,
                  str(case.incident.public_id)]  # fmt: skip
    names.sort(key=len, reverse=True)
    for who in ("il.liaison", "monitor"):
        a = json.dumps(api_incident(client_for, who, plain.incident)[1], sort_keys=True)
        b = json.dumps(api_incident(client_for, who, escrowed.incident)[1], sort_keys=True)
        assert _normalised(a, *names).replace("<name1>", "<name0>") == _normalised(
            b, *names
        ).replace("<name1>", "<name0>")
        pa = client_for(who).get(f"/cases/{plain.public_id}/").content.decode()
        pb = client_for(who).get(f"/cases/{escrowed.public_id}/").content.decode()
        assert "<h3" in pa
        na = _normalised(pa, *names).replace("<name1>", "<name0>")
        nb = _normalised(pb, *names).replace("<name1>", "<name0>")
        assert na == nb
    # ... while Syria's page differs by exactly its own section.
    sy = client_for("sy.liaison")
    assert "Compared with the positions" in sy.get(f"/cases/{escrowed.public_id}/").content.decode()
    assert (
        "Compared with the positions" not in sy.get(f"/cases/{plain.public_id}/").content.decode()
    )


# --- a report naming no party: once per party, each against its own positions ---------------


def test_a_report_naming_no_party_gives_each_party_its_own_findings(
    actor: Any, client_for: Any
) -> None:
    declare(actor, "il.liaison", IL_POST, OLD)
    declare(actor, "sy.liaison", SY_POST, OLD)
    incident = report_incident(
        actor=actor("monitor"),
        data=incident_input(IN_AOS),
        version=get_version(Actor.console("tests"), None, None),
        audience=["il", "sy", "undof", "us"],
    )
    found = rows(incident)
    assert set(found) == {"il", "sy"}
    assert found["il"].audience_codes == ["il", "us"]
    assert found["sy"].audience_codes == ["sy", "us"]
    # Each against its own party's posts only: two different distances.
    il_distance = found["il"].findings[0]["params"]["distance_m"]
    sy_distance = found["sy"].findings[0]["params"]["distance_m"]
    assert il_distance != sy_distance
    for who, party in (("il.liaison", "il"), ("sy.liaison", "sy")):
        body = api_incident(client_for, who, incident)[1]
        assert [i["party"] for i in body["position_findings"]] == [party]
    body = api_incident(client_for, "mediator", incident)[1]
    assert [i["party"] for i in body["position_findings"]] == ["il", "sy"]
    assert api_incident(client_for, "monitor", incident)[1]["position_findings"] == []
    computed = Entry.objects.filter(
        event_type="incidents.position_findings_computed", data__incident=incident.reference
    )
    assert sorted(e.audience for e in computed) == ["|il|us|", "|sy|us|"]


def test_an_incident_one_party_reads_alone_gives_the_other_nothing(actor: Any) -> None:
    declare(actor, "il.liaison", IL_POST, OLD)
    declare(actor, "sy.liaison", SY_POST, OLD)
    incident = report_incident(
        actor=actor("il.liaison"),
        data=incident_input(IN_AOS),
        version=get_version(Actor.console("tests"), None, None),
        audience=["il"],
    )
    found = rows(incident)
    # Syria's positions would give a finding, but nobody entitled to it reads the incident.
    assert set(found) == {"il"}
    assert found["il"].audience_codes == ["il"]
    assert escrowed_findings(actor("mediator"), incident) == []
    assert escrowed_findings(actor("sy.liaison"), incident) == []
    # Shared with Syria and the mediator later: Syria's findings follow, for them alone.
    share_incident(actor=actor("il.liaison"), incident=incident, audience=["sy", "us"])
    found = rows(incident)
    assert found["sy"].audience_codes == ["sy", "us"]
    assert found["il"].audience_codes == ["il", "us"]
    assert [r.party.code for r in escrowed_findings(actor("sy.liaison"), incident)] == ["sy"]
    assert [r.party.code for r in escrowed_findings(actor("il.liaison"), incident)] == ["il"]


def test_an_actor_no_party_controls_is_compared_with_no_party_s_positions(actor: Any) -> None:
    declare(actor, "sy.liaison", SY_POST, OLD)
    incident = report_incident(
        actor=actor("il.liaison"),
        data=incident_input(SY_AWAY, acted_by="no_party"),
        version=get_version(Actor.console("tests"), None, None),
    )
    assert rows(incident) == {}


# --- the withdrawal: presence at a post established after the clause's date ----------------


def test_a_withdrawal_finding_at_a_post_established_after_the_date(
    actor: Any, client_for: Any
) -> None:
    post = declare(actor, "il.liaison", IL_POST, NEWER)
    case = lodge(actor, "sy.liaison", "il", IL_POST, acting_party="il")
    [row] = rows(case.incident).values()
    assert (row.party.code, row.audience_codes) == ("il", ["il", "us"])
    # At the post: no freeze finding (it stood at the baseline date), a withdrawal one
    # (the clause is illustrative: kept apart, without severity).
    [finding] = row.findings
    assert (finding["rule"], finding["status"], finding["severity"]) == (
        "withdrawal:position",
        "illustrative",
        None,
    )
    assert finding["params"]["position"] == post.reference
    assert finding["params"]["established"] == NEWER.isoformat()
    body = api_incident(client_for, "il.liaison", case.incident)[1]
    [item] = body["position_findings"]
    assert item["findings"] == []
    assert [f["rule"] for f in item["findings_not_agreed"]] == ["withdrawal:position"]
    page = client_for("mediator").get(f"/cases/{case.public_id}/").content.decode()
    assert post.reference in page
    for who in ("sy.liaison", "monitor"):
        page = client_for(who).get(f"/cases/{case.public_id}/").content.decode()
        assert post.reference not in page
        assert api_incident(client_for, who, case.incident)[1]["position_findings"] == []


def test_a_party_without_a_post_at_the_baseline_date_gets_no_distance(actor: Any) -> None:
    # Syria's only post was established after the freeze's baseline date: there is no
    # baseline position to measure from, so no freeze finding (and no error).
    declare(actor, "sy.liaison", SY_POST, dt.date(2026, 3, 1))
    case = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    assert rows(case.incident) == {}


# --- when positions change: labelled, not recomputed; a correction computes them again -----


def test_stored_findings_keep_their_label_when_positions_change(
    actor: Any, client_for: Any
) -> None:
    declare(actor, "sy.liaison", SY_POST, OLD)
    case = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    incident = case.incident
    [before] = rows(incident).values()
    # Syria declares, late, a post where the presence was reported.
    declare(actor, "sy.liaison", SY_AWAY, OLD)
    [after] = rows(incident).values()
    assert (after.findings, after.computed_at) == (before.findings, before.computed_at)
    page = client_for("sy.liaison").get(f"/cases/{case.public_id}/").content.decode()
    assert "Computed on" in page
    assert "not computed again when they change" in page
    body = api_incident(client_for, "sy.liaison", incident)[1]
    assert body["position_findings"][0]["computed_at"].startswith(
        before.computed_at.astimezone(dt.UTC).isoformat()[:16]
    )
    # Correcting the report computes them again against the positions declared now: the
    # presence is at a declared post, so nothing remains, and the record says so, narrowly.
    change_incident(
        actor=actor("il.liaison"),
        incident=incident,
        data=incident_input(SY_AWAY, acting_party="sy"),
        version=incident.version,
    )
    assert rows(incident) == {}
    last = Entry.objects.filter(event_type="incidents.position_findings_computed").order_by("-seq")
    assert last[0].audience == "|sy|us|"
    assert last[0].data["findings"] == []
    assert api_incident(client_for, "sy.liaison", incident)[1]["position_findings"] == []


def test_only_what_the_report_says_decides_which_parties_are_compared(actor: Any) -> None:
    declare(actor, "sy.liaison", SY_POST, OLD)
    computed = Entry.objects.filter(event_type="incidents.position_findings_computed")
    before = computed.count()
    # A kind that implies no presence is compared with nobody's positions: no entry.
    overflight = dataclasses.replace(incident_input(SY_AWAY, acting_party="sy"), kind="overflight")
    version = get_version(Actor.console("tests"), None, None)
    incident = report_incident(actor=actor("il.liaison"), data=overflight, version=version)
    assert rows(incident) == {}
    assert computed.count() == before
    # Corrected into a presence, it is compared with Syria's positions...
    change_incident(
        actor=actor("il.liaison"),
        incident=incident,
        data=incident_input(SY_AWAY, acting_party="sy"),
        version=version,
    )
    assert set(rows(incident)) == {"sy"}
    assert computed.count() == before + 1
    # (Syria does not read this report of Israel's: the mediator alone reads the finding)
    assert [r.audience_codes for r in rows(incident).values()] == [["us"]]
    # ... and corrected back, its finding is withdrawn, on the record, for them alone.
    change_incident(actor=actor("il.liaison"), incident=incident, data=overflight, version=version)
    assert rows(incident) == {}
    last = computed.order_by("-seq")[0]
    assert (last.audience, last.data["findings"]) == ("|us|", [])
    assert computed.count() == before + 2


def test_engines_with_a_baseline_are_cached_by_version_and_revision(
    actor: Any, django_assert_num_queries: Any
) -> None:
    version = get_version(Actor.console("tests"), None, None)
    declare(actor, "sy.liaison", SY_POST, OLD)
    first, declaring = escrow.baseline_engine(version)
    with django_assert_num_queries(1):  # the revision alone: the positions are not read
        again, _ = escrow.baseline_engine(version)
    assert first is again
    assert declaring == {"sy"}
    # The zones and clauses are built once, shared with the engine without a baseline.
    assert first.index is engine_for(version).index
    assert engine_for(version).baseline == ()
    declare(actor, "il.liaison", IL_POST, OLD)
    newer, declaring = escrow.baseline_engine(version)
    assert newer is not first
    assert declaring == {"il", "sy"}
    assert len(escrow._CACHE) <= escrow._SIZE


# --- the explanation, in the agreed lexicon, in each language -------------------------------


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_freeze_and_withdrawal_findings_are_explained_in_each_language(
    actor: Any, client_for: Any, language: str
) -> None:
    declare(actor, "sy.liaison", SY_POST, OLD)
    declare(actor, "sy.liaison", SY_AWAY, NEWER)
    freeze = lodge(actor, "il.liaison", "sy", {"type": "Point", "coordinates": [36.0, 33.2]},
                   acting_party="sy")  # fmt: skip
    withdrawal = lodge(actor, "il.liaison", "sy", SY_AWAY, acting_party="sy")
    said = []
    for case in (freeze, withdrawal):
        [row] = rows(case.incident).values()
        engine = engine_for(row.version)
        with translation.override(language):
            for finding in row.findings:
                text = explain_finding(finding, engine)
                assert "%(" not in text
                assert finding["clause"] in text
                said.append(text)
        page = (
            client_for("sy.liaison")
            .get(f"/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE=language)
            .content.decode()
        )
        assert row.findings[0]["clause"] in page
        heading = {"en": "Compared with the positions", "ar": "بالمقارنة مع المواقع",
                   "he": "בהשוואה לעמדות"}  # fmt: skip
        assert heading[language] in page
        with translation.override(language):
            shown = explain_finding(row.findings[0], engine, isolate=language != "en")
        assert escape(shown) in page
    english = {
        "from the nearest baseline position",
        "reported at position",
    }
    found_english = [e for e in english if any(e in s for s in said)]
    assert bool(found_english) == (language == "en")
