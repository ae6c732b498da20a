"""The CAP feed of escalation alerts before anything has escalated (apart from
test_alerts.py, whose tests all read the escalations made once for that module)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.capcheck import CAP_NS, NS, parse

pytestmark = pytest.mark.django_db


def test_an_empty_feed_before_any_escalation(api: Any) -> None:
    response = api("mediator").get("/api/v1/alerts/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml"
    feed = response.content
    root = parse(feed)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.findall(f"{{{NS['a']}}}entry") == []
    assert CAP_NS not in feed.decode()
