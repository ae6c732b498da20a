"""Every list of the API pages with one envelope, and none is cut short: walking ``next``
from the first page sees every row exactly once, in the order of the whole list. Filters
narrow a list to exactly the rows they name, and refuse values they do not know."""

from __future__ import annotations

import math
from typing import Any

import pytest

from coordcell.cases.models import Activation, Case, Notification
from coordcell.core.rest import Pagination
from coordcell.incidents.models import Incident
from coordcell.record.models import Entry
from tests.conftest import IN_AOS
from tests.integration.api.conftest import ENVELOPE, NOT_FOUND, results
from tests.integration.api.endpoints import PAGED, Endpoint, url

pytestmark = pytest.mark.django_db


def _walk(client: Any, first: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """Follow ``next`` from ``first``: every row, and each page's envelope (rows aside)."""
    rows: list[Any] = []
    pages: list[dict[str, Any]] = []
    link: str | None = first
    while link is not None:
        response = client.get(link)
        assert response.status_code == 200, response.content
        body = response.json()
        assert sorted(body) == ENVELOPE
        rows += body["results"]
        pages.append({k: v for k, v in body.items() if k != "results"})
        link = body["next"]
        assert len(pages) <= 1000, "the walk does not end"
    return rows, pages


def _report_and_lodge(client: Any, n: int) -> list[str]:
    """``n`` new complaints (Israel about Syria), each with its incident, by the API."""
    ids = []
    for i in range(n):
        response = client.post(
            "/api/v1/cases/",
            {
                "report": {
                    "kind": "military_presence",
                    "title": f"Vehicles near the line, report {i} (fictional)",
                    "occurred_from": f"2026-04-0{i + 1}T10:00:00+03:00",
                    "geometry": IN_AOS,
                },
                "respondent": "sy",
                "summary": f"Complaint {i} (fictional).",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


def test_it_walks_the_cases_two_at_a_time_and_sees_each_exactly_once(api: Any, actor: Any) -> None:
    client = api("il.liaison", "token")
    new = _report_and_lodge(client, 3)
    visible = Case.objects.restrict(actor("il.liaison"))
    assert visible.count() >= 4  # the session's case and the three new ones
    rows, pages = _walk(client, "/api/v1/cases/?page_size=2")
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == visible.count()
    assert set(ids) == {str(p) for p in visible.values_list("public_id", flat=True)}
    assert set(new) <= set(ids)
    assert len(pages) == math.ceil(visible.count() / 2)
    assert [p["count"] for p in pages] == [visible.count()] * len(pages)
    assert pages[0]["previous"] is None
    assert all(p["previous"] is not None for p in pages[1:])
    assert [r["id"] for r in results(client.get("/api/v1/cases/?page_size=500"))] == ids
    # Newest first: the three just lodged lead, the last one on top.
    assert ids[:3] == new[::-1]


@pytest.mark.parametrize("username", ["mediator", "il.liaison", "donor"])
@pytest.mark.parametrize("endpoint", PAGED, ids=lambda e: e.id)
def test_every_list_walked_one_row_at_a_time_is_the_whole_list(
    endpoint: Endpoint, username: str, api: Any, ids: dict[str, str]
) -> None:
    client = api(username)
    whole = results(client.get(url(endpoint, ids, page_size=str(Pagination.max_page_size))))
    rows, pages = _walk(client, url(endpoint, ids, page_size="1"))
    assert rows == whole
    assert len(pages) == max(len(whole), 1)
    assert [p["count"] for p in pages] == [len(whole)] * len(pages)


def test_a_page_size_above_the_maximum_is_served_at_the_maximum(api: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(Pagination, "max_page_size", 2)
    body = api("il.liaison").get("/api/v1/parties/?page_size=50").json()
    assert [p["id"] for p in body["results"]] == ["icrc", "il"]
    assert body["count"] == 6
    assert body["next"] == "http://testserver/api/v1/parties/?page=2&page_size=50"


@pytest.mark.parametrize("size", ["0", "-1", "two", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_of_at_least_one_is_invalid(
    api: Any, size: str
) -> None:
    response = api("il.liaison").get(f"/api/v1/cases/?page_size={size}")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Enter a whole number of at least 1.",
            "fields": {"page_size": ["Enter a whole number of at least 1."]},
        }
    }


@pytest.mark.parametrize("page", ["2", "0", "last2", "x"])
def test_a_page_that_does_not_exist_is_the_usual_404(api: Any, page: str) -> None:
    response = api("il.liaison").get(f"/api/v1/cases/?page={page}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("username", ["il.liaison", "donor"])
def test_the_record_entries_page_by_sequence_with_a_link_to_the_next(
    api: Any, actor: Any, username: str
) -> None:
    client = api(username)
    visible = list(Entry.objects.restrict(actor(username)).values_list("seq", flat=True))
    limit = math.ceil(len(visible) / 3)
    seqs: list[int] = []
    link: str | None = f"/api/v1/record/entries?limit={limit}"
    answers = 0
    while link is not None:
        response = client.get(link)
        assert response.status_code == 200
        answers += 1
        rows = response.json()
        seqs += [r["seq"] for r in rows]
        found = response.get("Link")
        link = found.removeprefix("<").removesuffix('>; rel="next"') if found else None
        if rows:
            assert link == (
                f"http://testserver/api/v1/record/entries?after={rows[-1]['seq']}&limit={limit}"
                if len(rows) == limit
                else None
            )
    assert seqs == visible
    # Every full answer, then one that is not (the rest, or nothing).
    assert answers == len(visible) // limit + 1


# --- filters ------------------------------------------------------------------------------


def _ids(client: Any, path: str) -> list[str]:
    return [r["id"] for r in results(client.get(path))]


def _case_ids(qs: Any) -> list[str]:
    return [str(p) for p in qs.order_by("-lodged_at", "-pk").values_list("public_id", flat=True)]


def test_cases_filter_by_state_party_and_openness(api: Any, actor: Any) -> None:
    client = api("il.liaison")
    new = _report_and_lodge(client, 2)
    withdrawn = client.post(
        f"/api/v1/cases/{new[0]}/actions/", {"action": "withdraw"}, content_type="application/json"
    )
    assert withdrawn.status_code == 200, withdrawn.content
    visible = Case.objects.restrict(actor("il.liaison"))
    assert _ids(client, "/api/v1/cases/?state=withdrawn") == [new[0]]
    assert _ids(client, "/api/v1/cases/?state=lodged&state=withdrawn") == _case_ids(
        visible.filter(state__in=["lodged", "withdrawn"])
    )
    assert _ids(client, "/api/v1/cases/?open=1") == _case_ids(visible.exclude(state="withdrawn"))
    assert _ids(client, "/api/v1/cases/?open=no") == [new[0]]
    assert _ids(client, "/api/v1/cases/?party=il") == _case_ids(visible)
    assert _ids(client, "/api/v1/cases/?complainant=sy") == _case_ids(
        visible.filter(complainant__code="sy")
    )
    assert _ids(client, "/api/v1/cases/?respondent=sy") == _case_ids(
        visible.filter(respondent__code="sy")
    )
    assert _ids(client, "/api/v1/cases/?party=jo") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=dormant", "state"), ("open=maybe", "open"), ("unread=perhaps", "unread")],
)
def test_a_filter_value_it_does_not_know_is_invalid(api: Any, query: str, field: str) -> None:
    path = "/api/v1/inbox/" if field == "unread" else "/api/v1/cases/"
    response = api("il.liaison").get(f"{path}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert (body["error"]["code"], list(body["error"]["fields"])) == ("invalid", [field])


def test_incidents_filter_by_kind_source_and_time(api: Any, actor: Any) -> None:
    client = api("il.liaison")
    _report_and_lodge(client, 3)  # military_presence on April 1, 2 and 3 (UTC+3)
    visible = Incident.objects.restrict(actor("il.liaison")).order_by("-occurred_from", "-pk")

    def expect(qs: Any) -> list[str]:
        return [str(p) for p in qs.values_list("public_id", flat=True)]

    assert _ids(client, "/api/v1/incidents/?kind=military_presence") == expect(
        visible.filter(kind="military_presence")
    )
    assert _ids(client, "/api/v1/incidents/?kind=military_presence,fire") == expect(
        visible.filter(kind__in=["military_presence", "fire"])
    )
    window = "occurred_after=2026-04-02T07:00:00Z&occurred_before=2026-04-03T07:00:00Z"
    in_window = _ids(client, f"/api/v1/incidents/?{window}")
    assert in_window == expect(
        visible.filter(
            occurred_from__gte="2026-04-02T07:00:00Z", occurred_from__lt="2026-04-03T07:00:00Z"
        )
    )
    assert len(in_window) == 1
    assert _ids(client, "/api/v1/incidents/?source=party_report") == expect(
        visible.filter(source="party_report")
    )
    bad = client.get("/api/v1/incidents/?occurred_after=yesterday")
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["occurred_after"])


def test_the_inbox_filters_unread_and_read(api: Any, user: Any) -> None:
    client = api("sy.liaison")
    mine = Notification.objects.filter(recipient=user("sy.liaison")).order_by("-created_at", "-pk")
    assert mine.exists()
    first = mine.first()
    assert first is not None
    client.post(
        "/api/v1/inbox/read/", {"ids": [str(first.public_id)]}, content_type="application/json"
    )
    assert _ids(client, "/api/v1/inbox/?unread=0") == [str(first.public_id)]
    assert _ids(client, "/api/v1/inbox/?unread=1") == [
        str(n.public_id) for n in mine.filter(read_at__isnull=True)
    ]


def test_the_hotline_filters_answered_and_channel(api: Any, actor: Any) -> None:
    client = api("il.liaison")
    for channel in ("radio", "message"):
        made = client.post(
            "/api/v1/hotline/",
            {"callee": "sy", "channel": channel, "subject": f"By {channel} (fictional)."},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
    visible = Activation.objects.restrict(actor("il.liaison")).order_by("-received_at", "-pk")

    def expect(qs: Any) -> list[str]:
        return [str(p) for p in qs.values_list("public_id", flat=True)]

    assert _ids(client, "/api/v1/hotline/?channel=radio") == expect(visible.filter(channel="radio"))
    assert _ids(client, "/api/v1/hotline/?answered=no") == expect(
        visible.filter(answered_at__isnull=True)
    )
    assert _ids(client, "/api/v1/hotline/?answered=yes") == expect(
        visible.filter(answered_at__isnull=False)
    )
