"""The API's endpoints, one row per method and route, shared by the matrix tests.

Paths use OpenAPI templating; ``url()`` fills them in with the demo's objects. A
meta-test checks this table against ``coordcell.api.urls``, so a new route cannot
escape the authorization matrix.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.utils.http import urlencode


class Endpoint(NamedTuple):
    method: str
    path: str
    body: dict[str, Any] | None = None
    query: dict[str, str] | None = None
    #: A list in the one envelope, ``{"count", "next", "previous", "results"}``.
    paged: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


VALID_NAMES = {"en": "Test delegation", "ar": "وفد تجريبي", "he": "משלחת ניסיון"}

READS = [
    Endpoint("GET", "/api/v1/parties/", paged=True),
    Endpoint("GET", "/api/v1/parties/{code}/"),
    Endpoint("GET", "/api/v1/delegations/", paged=True),
    Endpoint("GET", "/api/v1/delegations/{id}/"),
    Endpoint("GET", "/api/v1/delegations/{id}/members/", paged=True),
    Endpoint("GET", "/api/v1/arrangements/", paged=True),
    Endpoint("GET", "/api/v1/arrangements/{key}/"),
    Endpoint("GET", "/api/v1/clauses/", paged=True),
    Endpoint("GET", "/api/v1/zones/"),  # GeoJSON: the version's whole collection
    Endpoint("GET", "/api/v1/places/"),
    Endpoint("GET", "/api/v1/incident-kinds/"),  # one object: bounded by the scenario
    Endpoint("GET", "/api/v1/protocols/", paged=True),
    Endpoint("GET", "/api/v1/incidents/", paged=True),
    Endpoint("GET", "/api/v1/cases/", paged=True),
    Endpoint("GET", "/api/v1/inbox/", paged=True),
    Endpoint("GET", "/api/v1/alerts/"),  # an Atom feed, paged by links: empty for most
    Endpoint("GET", "/api/v1/webhooks/", paged=True),  # the caller's party's own: empty for most
    Endpoint("GET", "/api/v1/hotline/", paged=True),
    Endpoint("GET", "/api/v1/warnings/", paged=True),
    Endpoint("GET", "/api/v1/roster/", paged=True),  # the caller's party's own
    Endpoint("GET", "/api/v1/on-duty/", paged=True),
    Endpoint("GET", "/api/v1/handovers/", paged=True),  # the caller's party's own
    Endpoint("GET", "/api/v1/comms-checks/", paged=True),
    Endpoint("GET", "/api/v1/self-defence/", paged=True),
    Endpoint("GET", "/api/v1/ledger/"),
    # verification (issue 13): the withdrawal timeline and inspections
    Endpoint("GET", "/api/v1/withdrawal-steps/", paged=True),
    Endpoint("GET", "/api/v1/withdrawal-burndown/", paged=True),
    Endpoint("GET", "/api/v1/inspections/schedule/", paged=True),
    Endpoint("GET", "/api/v1/inspection-requests/", paged=True),
    Endpoint("GET", "/api/v1/inspection-reports/", paged=True),
    Endpoint("GET", "/api/v1/access-denials/", paged=True),
    # Advance notification: each lists only what the caller may read (empty for most).
    Endpoint("GET", "/api/v1/notices/", paged=True),
    Endpoint("GET", "/api/v1/notices/layer/"),  # GeoJSON of the notices the caller reads
    Endpoint("GET", "/api/v1/missing-notices/", paged=True),
    Endpoint("GET", "/api/v1/sensitive-days/"),  # one object: bounded by the scenario
    Endpoint("GET", "/api/v1/humanitarian-actors/", paged=True),
    # access to land near the lines (issue 18): the requests the caller reads
    Endpoint("GET", "/api/v1/access-requests/", paged=True),
    Endpoint("GET", "/api/v1/record/checkpoint"),
    Endpoint("GET", "/api/v1/record/checkpoints/{size}"),
    Endpoint("GET", "/api/v1/record/checkpoints/{size}/view"),  # the caller's party's own
    Endpoint("GET", "/api/v1/record/consistency", query={"from": "1"}),
    Endpoint("GET", "/api/v1/record/entries"),  # pages by sequence number (after, limit)
    Endpoint("GET", "/api/v1/record/entries/{seq}/proof"),
    Endpoint("GET", "/api/v1/record/witnesses", paged=True),
    Endpoint("GET", "/api/schema/"),
    Endpoint("GET", "/api/docs/"),
    # Positions (issue 13): the declaring party's own and the mediator's; empty for the rest.
    Endpoint("GET", "/api/v1/positions/", paged=True),
    Endpoint("GET", "/api/v1/positions/export/"),  # GeoJSON: one's readable positions
    Endpoint("GET", "/api/v1/position-changes/", paged=True),
    Endpoint("GET", "/api/v1/position-seals/", paged=True),
    Endpoint("GET", "/api/v1/position-disputes/", paged=True),
    Endpoint("GET", "/api/v1/position-reveals/", paged=True),
    Endpoint("GET", "/api/v1/zone-totals/", paged=True),
    # economy (issue 15): every member reads the zone's projects and money (donors by name
    # or pseudonym, as the caller may know them)
    Endpoint("GET", "/api/v1/economy/projects/", paged=True),
    Endpoint("GET", "/api/v1/economy/transactions/", paged=True),
    Endpoint("GET", "/api/v1/economy/totals/", paged=True),
    Endpoint("GET", "/api/v1/economy/donors/", paged=True),
    Endpoint("GET", "/api/v1/economy/rates/", paged=True),
    # Sharing (issue 14): the items one's audience reads; one's party's consent inbox.
    # detainees and missing persons (issue 18): the register is each member's files only
    # (empty for most), the counts from those files only
    Endpoint("GET", "/api/v1/humanitarian/files/", paged=True),
    Endpoint("GET", "/api/v1/humanitarian/counts/"),
    Endpoint("GET", "/api/v1/shared-items/", paged=True),
    Endpoint("GET", "/api/v1/shared-items/facets/"),  # counts of what one reads
    Endpoint("GET", "/api/v1/consent-requests/", paged=True),
    # STIX 2.1 export and the TAXII 2.1 server (issue 14): what the caller reads, nothing more
    Endpoint("GET", "/api/v1/sharing/stix/"),  # a STIX bundle, not a list
    Endpoint("GET", "/api/taxii2/"),
    Endpoint("GET", "/api/taxii2/cell/"),
    Endpoint("GET", "/api/taxii2/cell/collections/"),  # one per audience the caller is in
    # economy exports (issue 15, point 5): what the caller reads, donors as pseudonyms
    Endpoint("GET", "/api/v1/economy/exports/iati.xml"),
    Endpoint("GET", "/api/v1/economy/exports/projects.hxl.csv"),
    Endpoint("GET", "/api/v1/economy/exports/pledges.hxl.csv"),
    # talks (issue 16): the tracks, the meetings, requests and amendments the caller reads
    Endpoint("GET", "/api/v1/talks/tracks/", paged=True),
    Endpoint("GET", "/api/v1/talks/meetings/", paged=True),
    Endpoint("GET", "/api/v1/talks/requests/", paged=True),
    Endpoint("GET", "/api/v1/talks/lexicon-amendments/", paged=True),
    # proposals (issue 16): what the caller reads (nothing of a proposal it is not in)
    Endpoint("GET", "/api/v1/proposals/", paged=True),
    Endpoint("GET", "/api/v1/commitments/", paged=True),
    Endpoint("GET", "/api/v1/commitments/export/pam.csv"),
]
#: Reads of objects with an audience: its members get 200, everyone else the 404.
AUDIENCE_READS = [
    Endpoint("GET", "/api/v1/incidents/{id}/"),
    Endpoint("GET", "/api/v1/cases/{id}/"),
    Endpoint("GET", "/api/v1/cases/{id}/chain/"),
    Endpoint("GET", "/api/v1/hotline/{id}/"),
    Endpoint("GET", "/api/v1/hotline/{id}/messages/", paged=True),
    Endpoint("GET", "/api/v1/incidents/{id}/evidence/{sha256}"),
    # verification (issue 13): both parties, the mediator and the monitors read them
    Endpoint("GET", "/api/v1/withdrawal-steps/{id}/"),
    Endpoint("GET", "/api/v1/inspection-requests/{id}/"),
    Endpoint("GET", "/api/v1/inspection-reports/{id}/"),
    Endpoint("GET", "/api/v1/access-denials/{id}/"),
    # civilian harm and property (issue 18): each party's, read by the incident's audience
    Endpoint("GET", "/api/v1/incidents/{id}/casualties/"),
    Endpoint("GET", "/api/v1/incidents/{id}/casualties/revisions/", paged=True),
    Endpoint("GET", "/api/v1/incidents/{id}/property/", paged=True),
]
#: Reads that only the party that made the object may do: the session's evidence was
#: attached by Israel, so its original is served to Israel's members and is a 404 to all.
UPLOADER_READS = [Endpoint("GET", "/api/v1/incidents/{id}/evidence/{original}/original")]
#: Reads of an escalation alert: like AUDIENCE_READS, once the session's case has climbed a
#: level (``tests/integration/api/test_alerts.py`` escalates it first and adds ``ids["alert"]``).
ESCALATION_READS = [Endpoint("GET", "/api/v1/alerts/{id}")]
#: Reads of the scorecard: live for the parties, the mediators and the monitors; for donors
#: and observers, the 404 until every party has countersigned a release
#: (``tests/integration/api/test_scorecard_of_compliance.py``).
RELEASED_READS = [Endpoint("GET", "/api/v1/scorecard/")]
WRITES = [
    Endpoint("POST", "/api/v1/delegations/", {"party": "il", "names": VALID_NAMES}),
    Endpoint("PUT", "/api/v1/delegations/{id}/", {"names": VALID_NAMES, "active": True}),
    Endpoint(
        "POST", "/api/v1/delegations/{id}/members/", {"username": "outsider", "role": "analyst"}
    ),
    Endpoint("POST", "/api/v1/memberships/{id}/end/"),
    Endpoint("POST", "/api/v1/memberships/{id}/call-sign/", {"call_sign": "IL DESK-7"}),
    Endpoint("POST", "/api/v1/record/witnesses", {"vkey": "not a key"}),
    Endpoint("POST", "/api/v1/incidents/", {"kind": "fire"}),
    Endpoint("PATCH", "/api/v1/incidents/{id}/", {"title": "Corrected (fictional)"}),
    Endpoint("POST", "/api/v1/incidents/{id}/accounts/", {"actor_claim": "denied"}),
    Endpoint("POST", "/api/v1/cases/", {"summary": "x"}),
    Endpoint("POST", "/api/v1/inquiries/", {"summary": "x"}),
    Endpoint("POST", "/api/v1/cases/{id}/actions/", {"action": "acknowledge"}),
    Endpoint("POST", "/api/v1/cases/{id}/extend/", {"kind": "answer"}),
    Endpoint("POST", "/api/v1/cases/{id}/remedies/{remedy}/done/", {}),
    Endpoint("POST", "/api/v1/cases/{id}/remedies/{remedy}/verify/", {}),
    Endpoint("POST", "/api/v1/cases/{id}/precedence/", {"precedence": "flash"}),
    Endpoint("POST", "/api/v1/cases/{id}/extension/countersign/", {"kind": "answer"}),
    Endpoint("POST", "/api/v1/cases/{id}/extension/refuse/", {"kind": "answer"}),
    Endpoint("POST", "/api/v1/inbox/read/", {}),
    Endpoint("POST", "/api/v1/webhooks/", {"url": "https://hooks.il.example/coordcell"}),
    Endpoint("POST", "/api/v1/webhooks/{id}/deactivate"),
    Endpoint("POST", "/api/v1/hotline/", {"callee": "sy"}),
    Endpoint("POST", "/api/v1/incidents/{id}/evidence/", {}),
    Endpoint("POST", "/api/v1/hotline/{id}/answer/", {}),
    Endpoint("POST", "/api/v1/hotline/{id}/convert/", {}),
    Endpoint("POST", "/api/v1/hotline/{id}/messages/", {"text": "x"}),
    Endpoint("POST", "/api/v1/hotline-messages/{id}/relay/"),
    Endpoint("POST", "/api/v1/roster/", {"call_sign": "x"}),
    Endpoint("POST", "/api/v1/roster/{id}/remove/"),
    Endpoint("POST", "/api/v1/handovers/", {"incoming_call_sign": "x"}),
    Endpoint("POST", "/api/v1/handovers/{id}/acknowledge/"),
    Endpoint("POST", "/api/v1/comms-checks/", {"to_party": "sy"}),
    Endpoint("POST", "/api/v1/comms-checks/{id}/answer/"),
    Endpoint("POST", "/api/v1/commitments/{id}/close/", {"kept": True}),
    Endpoint("POST", "/api/v1/hotline/{id}/warning/", {}),
    Endpoint("POST", "/api/v1/warnings/", {"addressee": "sy"}),
    Endpoint("POST", "/api/v1/warnings/{id}/acknowledge/"),
    Endpoint("POST", "/api/v1/warnings/{id}/action/", {"text": "x"}),
    Endpoint("POST", "/api/v1/warnings/{id}/confirmation/", {"result": "confirmed"}),
    Endpoint("POST", "/api/v1/warnings/{id}/outcome/", {"outcome": "not_acted"}),
    Endpoint("POST", "/api/v1/self-defence/", {}),
    Endpoint("POST", "/api/v1/record/witnesses/{id}/retire"),
    Endpoint("POST", "/api/v1/record/checkpoints/{size}/cosignatures", {"signature": "x"}),
    Endpoint("POST", "/api/v1/record/checkpoints/{size}/view/cosignatures", {"signature": "x"}),
    Endpoint("POST", "/api/v1/scorecard/release/"),
    # verification (issue 13)
    Endpoint("POST", "/api/v1/withdrawal-steps/", {"clause": "x"}),
    Endpoint("POST", "/api/v1/withdrawal-steps/{id}/countersign/"),
    Endpoint("POST", "/api/v1/withdrawal-steps/{id}/verify/", {"outcome": "met"}),
    Endpoint("POST", "/api/v1/withdrawal-steps/{id}/suspend/", {"note": "x"}),
    Endpoint("POST", "/api/v1/withdrawal-steps/{id}/extensions/", {"reason": "x"}),
    Endpoint("POST", "/api/v1/withdrawal-steps/{id}/extensions/{extension}/countersign/"),
    Endpoint("POST", "/api/v1/inspection-requests/", {"zone": "x"}),
    Endpoint("POST", "/api/v1/inspection-reports/", {"zone": "x"}),
    Endpoint("POST", "/api/v1/access-denials/", {"kind": "denial"}),
    Endpoint("POST", "/api/v1/notices/", {"activity": "troop_movement"}),
    Endpoint("POST", "/api/v1/notices/{id}/receipt/"),
    Endpoint("POST", "/api/v1/notices/{id}/withdraw/", {"reason": "x"}),
    Endpoint("POST", "/api/v1/humanitarian-actors/", {"name_en": "x"}),
    # civilian harm, property and access (issue 18)
    Endpoint("POST", "/api/v1/incidents/{id}/casualties/", {"figures": []}),
    Endpoint("POST", "/api/v1/incidents/{id}/property/", {"kind": "x"}),
    Endpoint("POST", "/api/v1/incidents/{id}/property/{record}/versions/", {"area_m2": -1}),
    Endpoint("POST", "/api/v1/access-requests/", {"purpose": "x"}),
    Endpoint("POST", "/api/v1/access-requests/{id}/receipt/"),
    Endpoint("POST", "/api/v1/access-requests/{id}/answer/", {"answer": "x"}),
]
#: Stateless computations: POST, but nothing is stored or recorded.
CHECK_BODY = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "q",
            "geometry": {"type": "Point", "coordinates": [35.82461, 33.12595]},
            "properties": {"kind": "armed_clash", "time": "2026-02-01"},
        }
    ],
}
#: A point in the Area of Separation (the gazetteer's Quneitra).
LOCATE_BODY: dict[str, Any] = {"geometry": {"type": "Point", "coordinates": [35.82461, 33.12595]}}
COMPUTATIONS = [
    Endpoint("POST", "/api/v1/notices/check/", {"activity": "troop_movement"}),
    Endpoint("POST", "/api/v1/check", CHECK_BODY),
    Endpoint("POST", "/api/v1/locate", LOCATE_BODY),
]
#: Reads of a declared position, a dispute or a reveal: none is made with the personas
#: (tests/integration/api/test_positions_api.py checks who reads one: the declaring party
#: and the mediator, the others the 404 of a missing id); here, who may call at all.
POSITION_READS = [
    Endpoint("GET", "/api/v1/positions/{id}/"),
    Endpoint("GET", "/api/v1/positions/{id}/holdings/", paged=True),
    Endpoint("GET", "/api/v1/position-disputes/{id}/"),
    Endpoint("GET", "/api/v1/position-reveals/{id}/"),
]
POSITION_WRITES = [
    Endpoint("POST", "/api/v1/positions/", {"name": "x"}),
    Endpoint("POST", "/api/v1/positions/import/", {"type": "FeatureCollection"}),
    Endpoint("POST", "/api/v1/positions/{id}/changes/", {"change": "vacated"}),
    Endpoint("POST", "/api/v1/position-changes/{id}/agree/", {"note": "x"}),
    Endpoint("POST", "/api/v1/position-seals/", {"kind": "baseline"}),
    Endpoint("POST", "/api/v1/position-disputes/", {"against": "sy"}),
    Endpoint("POST", "/api/v1/position-disputes/{id}/consent/"),
    Endpoint("POST", "/api/v1/position-disputes/{id}/reveal/", {"item": "x"}),
]
#: economy (issue 15): no project is made with the personas (tests/integration/
#: test_economy_pages.py checks who reads what of one); here, who may call at all.
ECONOMY_READS = [
    Endpoint("GET", "/api/v1/economy/projects/{id}/"),
    Endpoint("GET", "/api/v1/economy/projects/{id}/site-checks/", paged=True),
    Endpoint("GET", "/api/v1/economy/tranches/{id}/"),
]
ECONOMY_WRITES = [
    Endpoint("POST", "/api/v1/economy/projects/", {"sector": "x"}),
    Endpoint("POST", "/api/v1/economy/projects/{id}/milestones/", {"titles": {}}),
    Endpoint("POST", "/api/v1/economy/projects/{id}/site-checks/", {"military_presence": False}),
    Endpoint("POST", "/api/v1/economy/milestones/{id}/status/", {"status": "done"}),
    Endpoint("POST", "/api/v1/economy/donors/", {"party": "x"}),
    Endpoint("POST", "/api/v1/economy/donors/{id}/naming/", {"named": True}),
    Endpoint("POST", "/api/v1/economy/pledges/", {"amount": "1"}),
    Endpoint("POST", "/api/v1/economy/commitments/", {"amount": "1"}),
    Endpoint("POST", "/api/v1/economy/tranches/", {"amount": "1"}),
    Endpoint("POST", "/api/v1/economy/tranches/{id}/disburse/", {"disbursed_on": "2026-01-01"}),
    Endpoint("POST", "/api/v1/economy/tranches/{id}/conditions/", {"kind": "x"}),
    Endpoint("POST", "/api/v1/economy/conditions/{id}/release/"),
    Endpoint("POST", "/api/v1/economy/rates/", {"currency": "EUR"}),
]
#: talks (issue 16): no meeting is made with the personas (tests/integration/
#: test_talks_matrix.py checks who reads what of the demo's); here, who may call at all.
TALKS_READS = [Endpoint("GET", "/api/v1/talks/meetings/{id}/")]
TALKS_WRITES = [
    Endpoint("POST", "/api/v1/talks/meetings/", {"title": "x"}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/attendees/", {"members": []}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/agenda/", {"title": "x"}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/agenda/{position}/close/", {}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/minutes/", {"text": "x", "language": "en"}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/minutes/circulate/"),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/minutes/approve/", {}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/summary/", {"text": "x"}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/notes/", {"text": "x"}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/media-line/", {"text": "x"}),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/held/"),
    Endpoint("POST", "/api/v1/talks/meetings/{id}/cancel/"),
    Endpoint("POST", "/api/v1/talks/requests/", {"tracks": []}),
    Endpoint("POST", "/api/v1/talks/requests/{id}/answer/", {"answer": "x"}),
    Endpoint("POST", "/api/v1/talks/lexicon-amendments/", {"entry": "x"}),
    Endpoint("POST", "/api/v1/talks/lexicon-amendments/{id}/decision/", {"decision": "approve"}),
]
#: Reads and writes of a shared item or consent request: none is made with the personas
#: (tests/integration/test_sharing_matrix.py checks every audience tier, persona and
#: surface); here, who may call at all.
SHARING_READS = [
    Endpoint("GET", "/api/v1/shared-items/{id}/"),
    Endpoint("GET", "/api/v1/shared-items/{id}/access-log/", paged=True),
    Endpoint("GET", "/api/v1/shared-items/{id}/files/{sha256}"),
]
SHARING_WRITES = [
    Endpoint("POST", "/api/v1/shared-items/", {"title": "x"}),
    Endpoint("POST", "/api/v1/shared-items/{id}/files/", {}),
    Endpoint("POST", "/api/v1/shared-items/{id}/widen/", {"to_tier": "parties"}),
    Endpoint("POST", "/api/v1/shared-items/{id}/narrow/", {"to_tier": "originator"}),
    Endpoint("POST", "/api/v1/shared-items/{id}/redact/", {"remove": ["body"]}),
    Endpoint("POST", "/api/v1/shared-items/{id}/tearline/", {"title": "x"}),
    Endpoint("POST", "/api/v1/shared-items/{id}/releasability/", {"releasability": []}),
    Endpoint("POST", "/api/v1/consent-requests/{id}/decide/", {"granted": True}),
    Endpoint("POST", "/api/v1/consent-requests/{id}/withdraw/"),
]
#: detainees and missing persons (issue 18): no file is made with the personas
#: (tests/integration/humanitarian/ checks every persona and surface on the demo's files);
#: here, who may call at all.
HUMANITARIAN_READS = [
    Endpoint("GET", "/api/v1/humanitarian/files/{id}/"),
    Endpoint("GET", "/api/v1/humanitarian/files/{id}/readings/", paged=True),
]
HUMANITARIAN_WRITES = [
    Endpoint("POST", "/api/v1/humanitarian/files/", {"status": "detained"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/versions/", {"status": "detained"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/status/", {"status": "released"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/notified/", {"at": "2026-01-01T00:00Z"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/access/", {"at": "2026-01-01T00:00Z"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/share/", {"party": "sy"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/requests/", {"kind": "release"}),
    Endpoint("POST", "/api/v1/humanitarian/files/{id}/links/", {"kind": "incident"}),
]
#: Reads of a warning: no warning is made with the personas (tests/integration/
#: test_warnings_and_ledger.py checks who reads one); here, who may call at all.
WARNING_READS = [
    Endpoint("GET", "/api/v1/warnings/{id}/"),
    # No notice is made with the personas (tests/integration/api/test_deconfliction_api.py
    # checks who reads one); here, who may call at all.
    Endpoint("GET", "/api/v1/notices/{id}/"),
    # No access request is made with the personas (tests/integration/
    # test_harm_pages_and_api.py checks who reads one); here, who may call at all.
    Endpoint("GET", "/api/v1/access-requests/{id}/"),
]
#: TAXII collections: each persona has its own (tests/integration/api/test_stix_taxii.py
#: checks who reads which, and that another's id is the 404 of a missing one); here, who
#: may call at all. Import of a STIX bundle (all or nothing) with it.
STIX_READS = [
    Endpoint("GET", "/api/taxii2/cell/collections/{collection}/"),
    Endpoint("GET", "/api/taxii2/cell/collections/{collection}/objects/"),
    Endpoint("GET", "/api/taxii2/cell/collections/{collection}/objects/{object_id}/"),
    Endpoint("GET", "/api/taxii2/cell/collections/{collection}/manifest/"),
]
STIX_WRITES = [Endpoint("POST", "/api/v1/sharing/stix/", {"tier": "originator"})]
#: proposals (issue 16): no proposal is made with the personas (tests/integration/
#: test_proposals_access.py checks who reads and does what of the demo's); here, who may
#: call at all.
PROPOSAL_READS = [
    Endpoint("GET", "/api/v1/proposals/{id}/"),
    Endpoint("GET", "/api/v1/proposals/{id}/versions/{number}/diff/"),
    Endpoint("GET", "/api/v1/proposals/{id}/versions/{number}/replay/"),
    Endpoint("GET", "/api/v1/commitments/{id}/"),
]
PROPOSAL_WRITES = [
    Endpoint("POST", "/api/v1/proposals/", {"title": "x"}),
    Endpoint("POST", "/api/v1/proposals/{id}/versions/", {"text": "x"}),
    Endpoint("POST", "/api/v1/proposals/{id}/versions/{number}/positions/", {"stance": "accept"}),
    Endpoint("POST", "/api/v1/commitments/", {"title": "x"}),
    Endpoint("POST", "/api/v1/commitments/{id}/extensions/", {"reason": "x"}),
    Endpoint("POST", "/api/v1/commitments/{id}/assessments/", {"score": 1}),
    Endpoint("POST", "/api/v1/commitment-indicators/{id}/verify/", {"evidence": "x"}),
    Endpoint("POST", "/api/v1/commitment-extensions/{id}/agree/"),
]
ENDPOINTS = (
    READS
    + AUDIENCE_READS
    + WARNING_READS
    + UPLOADER_READS
    + ESCALATION_READS
    + RELEASED_READS
    + WRITES
    + COMPUTATIONS
    + POSITION_READS
    + POSITION_WRITES
    + ECONOMY_READS
    + ECONOMY_WRITES
    + SHARING_READS
    + SHARING_WRITES
    + TALKS_READS
    + TALKS_WRITES
    + STIX_READS
    + STIX_WRITES
    + PROPOSAL_READS
    + PROPOSAL_WRITES
    + HUMANITARIAN_READS
    + HUMANITARIAN_WRITES
)
#: Every list in the envelope.
PAGED = [e for e in READS if e.paged]
#: Lists inside an object with an audience (a call's messages): paged, read by its audience.
AUDIENCE_PAGED = [
    e
    for e in AUDIENCE_READS + POSITION_READS + ECONOMY_READS + SHARING_READS + HUMANITARIAN_READS
    if e.paged
]


def url(endpoint: Endpoint, ids: dict[str, str], **query: str) -> str:
    """The endpoint's URL for the Israeli delegation (and a membership in it)."""
    membership = "/memberships/" in endpoint.path
    if "/witnesses/" in endpoint.path:
        id_ = ids["il_witness"]
    elif "/incidents/" in endpoint.path:
        id_ = ids["incident"]
    elif "/withdrawal-steps/" in endpoint.path:
        id_ = ids["withdrawal_step"]
    elif "/inspection-requests/" in endpoint.path:
        id_ = ids["inspection_request"]
    elif "/inspection-reports/" in endpoint.path:
        id_ = ids["inspection_report"]
    elif "/access-denials/" in endpoint.path:
        id_ = ids["access_denial"]
    elif (
        "/economy/" in endpoint.path
        or "/talks/" in endpoint.path
        or "/proposals/" in endpoint.path
        or "/commitment" in endpoint.path
        or "/humanitarian/" in endpoint.path
    ):
        id_ = "00000000-0000-0000-0000-000000000000"  # none is made with the personas
    elif "/alerts/" in endpoint.path:
        id_ = ids.get("alert", "CASE-0000-0000-0000-ESC-0000000000000000")
    elif "/access-requests/" in endpoint.path:
        id_ = ids.get("access_request", "00000000-0000-0000-0000-000000000000")
    elif "/notices/" in endpoint.path:
        id_ = ids.get("notice", "00000000-0000-0000-0000-000000000000")
    elif "/webhooks/" in endpoint.path:
        id_ = ids.get("webhook", "00000000-0000-0000-0000-000000000000")
    elif "/cases/" in endpoint.path:
        id_ = ids["case"]
    elif "/hotline/" in endpoint.path:
        id_ = ids["activation"]
    elif membership:
        id_ = ids["il_membership"]
    else:
        id_ = ids["il_delegation"]
    path = endpoint.path.format(
        code="il",
        key="southern_syria_2026",
        id=id_,
        size=ids["checkpoint_size"],
        seq="1",  # an event every member may read
        sha256=ids["evidence"],
        original=ids["evidence_original"],
        remedy="00000000-0000-0000-0000-000000000000",  # the session's case orders none
        record="00000000-0000-0000-0000-000000000000",  # no property record on it
        extension=ids.get("extension", "00000000-0000-0000-0000-000000000000"),
        collection="00000000-0000-4000-8000-000000000000",  # nobody's: callers' own differ
        object_id="report--00000000-0000-4000-8000-000000000000",
        position="1",
        number="1",
    )
    query = {**(endpoint.query or {}), **query}
    return f"{path}?{urlencode(query)}" if query else path


def call(client: Any, endpoint: Endpoint, path: str, **extra: Any) -> Any:
    """Send the endpoint's request (JSON body for writes) with ``client``."""
    send = getattr(client, endpoint.method.lower())
    if endpoint.method == "GET":
        return send(path, **extra)
    return send(path, endpoint.body or {}, content_type="application/json", **extra)
