"""Who reads and does what of the demo's proposal and its commitments, on the pages and
the API: its audience reads everything (each its own view of the replay); everyone else
gets the 404 of a missing id — in status, body, list counts and the export. One test per
surface kind, iterating over the personas (the story is played once per module)."""

from __future__ import annotations

from typing import Any

import pytest

from coordcell.proposals.models import Commitment, Proposal
from tests.integration.test_proposals import TITLE, _told_once, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story")]

AUDIENCE = ["mediator", "il.liaison", "il.analyst", "il.admin", "sy.liaison", "sy.analyst",
            "sy.admin", "monitor"]  # fmt: skip
OUTSIDE = ["donor", "observer"]


def _surfaces() -> tuple[list[str], list[str]]:
    proposal = Proposal.objects.get(title=TITLE)
    commitment = Commitment.objects.filter(proposal=proposal).order_by("pk").first()
    assert commitment is not None
    p, c = proposal.public_id, commitment.public_id
    pages = [
        f"/proposals/{p}/",
        f"/proposals/{p}/?from=1&to=3&replay=3&months=12",
        f"/proposals/commitments/{c}/",
    ]
    api = [
        f"/api/v1/proposals/{p}/",
        f"/api/v1/proposals/{p}/versions/3/diff/?against=1",
        f"/api/v1/proposals/{p}/versions/3/replay/?months=12",
        f"/api/v1/commitments/{c}/",
    ]
    return pages, api


def test_the_audience_reads_every_surface_and_the_others_get_a_404(client_for: Any) -> None:
    pages, api = _surfaces()
    seen: dict[str, list[int]] = {}
    missing = "/api/v1/proposals/00000000-0000-0000-0000-000000000000/"
    for username in AUDIENCE + OUTSIDE:
        client = client_for(username)
        seen[username] = [client.get(path).status_code for path in pages + api]
        if username in OUTSIDE:
            hidden = client.get(api[0])
            assert hidden.json() == client.get(missing).json()
    assert seen == {
        **{u: [200] * 7 for u in AUDIENCE},
        **{u: [404] * 7 for u in OUTSIDE},
    }


def test_lists_and_the_export_count_nothing_hidden(client_for: Any) -> None:
    for username in AUDIENCE + OUTSIDE:
        client = client_for(username)
        proposals = client.get("/api/v1/proposals/").json()
        commitments = client.get("/api/v1/commitments/").json()
        export = client.get("/api/v1/commitments/export/pam.csv").content.decode()
        page = client.get("/proposals/commitments/").content.decode()
        if username in OUTSIDE:
            assert (proposals["count"], commitments["count"]) == (0, 0), username
            assert export.count("\n") == 1
            assert "fictional exercise" not in page
        else:
            assert (proposals["count"], commitments["count"]) == (1, 3), username
            assert export.count("\n") == 4
    filtered = client_for("mediator").get("/api/v1/commitments/", {"status": "met", "party": "il"})
    assert [r["title"][:10] for r in filtered.json()["results"]] == ["Withdraw f"]
    assert client_for("mediator").get("/api/v1/commitments/", {"status": "x"}).status_code == 400


def test_only_those_who_may_act_can(client_for: Any) -> None:
    proposal = Proposal.objects.get(title=TITLE)
    commitment = Commitment.objects.filter(proposal=proposal).order_by("pk").first()
    assert commitment is not None
    indicator = commitment.indicators.order_by("pk").first()
    assert indicator is not None
    cases = [
        # (who, path, body, expected)
        ("il.analyst", f"/api/v1/proposals/{proposal.public_id}/versions/3/positions/",
         {"stance": "accept"}, 403),
        ("monitor", f"/api/v1/proposals/{proposal.public_id}/versions/", {"text": "x",
         "language": "en"}, 403),
        ("donor", f"/api/v1/proposals/{proposal.public_id}/versions/3/positions/",
         {"stance": "accept"}, 404),
        ("sy.liaison", f"/api/v1/proposals/{proposal.public_id}/versions/3/positions/",
         {"stance": "reject"}, 409),
        ("il.liaison", f"/api/v1/commitment-indicators/{indicator.public_id}/verify/",
         {"evidence": "x"}, 403),
        ("observer", f"/api/v1/commitment-indicators/{indicator.public_id}/verify/",
         {"evidence": "x"}, 404),
        ("il.liaison", "/api/v1/commitments/", {"proposal": str(proposal.public_id),
         "title": "x", "owner": "il", "due_at": "2030-01-01T00:00:00Z", "indicators": ["x"]}, 403),
        ("mediator", f"/api/v1/commitments/{commitment.public_id}/assessments/",
         {"score": 7, "text": "x"}, 400),
        ("mediator", f"/api/v1/proposals/{proposal.public_id}/versions/3/replay/?months=13",
         None, 400),
    ]  # fmt: skip
    got = []
    for who, path, body, _expected in cases:
        client = client_for(who)
        if body is None:
            response = client.get(path)
        else:
            response = client.post(path, body, content_type="application/json")
        got.append(response.status_code)
    assert got == [c[3] for c in cases]


@pytest.mark.parametrize(
    ("language", "heading", "direction"),
    [("ar", "موقف كل طرف من كل نسخة", "rtl"), ("he", "עמדת כל צד לגבי כל גרסה", "rtl"),
     ("en", "Each party's position on each version", "ltr")],
)  # fmt: skip
def test_the_pages_speak_arabic_hebrew_and_english(
    client_for: Any, language: str, heading: str, direction: str
) -> None:
    pages, _api = _surfaces()
    client = client_for("sy.liaison")
    html = client.get(pages[1], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in html
    assert f'dir="{direction}"' in html
    commitments = client.get("/proposals/commitments/", HTTP_ACCEPT_LANGUAGE=language)
    assert commitments.status_code == 200
    assert "<svg" in commitments.content.decode()
