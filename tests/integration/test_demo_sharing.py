"""The demo's sharing story, through the services and the API: the mediator's tearline
summary (its upper part read by the mediator alone), an item shared bilaterally, widened
to all parties with its originator's consent, and released to the public redacted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coordcell.record.models import Entry
from coordcell.sharing import selectors
from coordcell.sharing.models import AudienceChange, ConsentRequest, Item
from tests.story import DemoStory

pytestmark = pytest.mark.django_db

PERSONAS = ("mediator", "il.liaison", "sy.liaison", "monitor", "donor", "observer")


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story for the module, rolled back after its last test (``tests/story.py``)."""
    with demo_story.told():
        yield


@pytest.fixture
def told(_told_once: None) -> dict[str, Item]:
    items = {i.title.split(" (")[0]: i for i in Item.objects.all()}
    return {
        "assessment": next(i for t, i in items.items() if t.startswith("Weekly assessment")),
        "summary": next(i for t, i in items.items() if t.startswith("Weekly summary")),
        "convoy": next(i for t, i in items.items() if t.startswith("Convoy of six")),
        "public": next(i for t, i in items.items() if t.startswith("Convoy movement")),
    }


def _readers(actor: Any, item: Item) -> set[str]:
    return {p for p in PERSONAS if selectors.items_visible_to(actor(p)).filter(pk=item.pk).exists()}


def test_the_story_through_the_services(told: dict[str, Item], actor: Any) -> None:
    assert _readers(actor, told["assessment"]) == {"mediator"}
    assert _readers(actor, told["summary"]) == {"mediator", "il.liaison", "sy.liaison"}
    assert told["summary"].tearline_of == told["assessment"]
    assert _readers(actor, told["convoy"]) == {"mediator", "il.liaison", "sy.liaison"}
    assert told["convoy"].tier == "parties"
    widened = AudienceChange.objects.get(item=told["convoy"])
    assert (widened.from_tier, widened.to_tier) == ("bilateral", "parties")
    assert widened.consent is not None
    assert widened.consent.requested_by_party.code == "sy"
    assert _readers(actor, told["public"]) == set(PERSONAS)
    release = ConsentRequest.objects.get(item=told["public"])
    assert sorted(d.party.code for d in release.decisions.all()) == ["il", "sy", "us"]
    public = told["public"]
    assert public.redaction_of == told["convoy"]
    assert "Observation post" not in public.body
    assert (public.geometry, public.source_reliability) == ("", "")
    for entry in Entry.objects.filter(data__item=public.reference):
        assert "Observation post" not in entry.canonical
    # the record says whose consent widened what, each entry for the new audience
    assert Entry.objects.filter(event_type="sharing.consent_decided").count() == 4
    assert all("(fictional exercise)" in i.title for i in Item.objects.all()), (
        "demo items say they are fictional"
    )


def test_the_story_through_the_api(told: dict[str, Item], client_for: Any) -> None:
    def ids(username: str) -> set[str]:
        body = client_for(username).get("/api/v1/shared-items/").json()
        assert body["count"] == len(body["results"])
        return {r["id"] for r in body["results"]}

    tid = {k: str(v.public_id) for k, v in told.items()}
    assert ids("donor") == {tid["public"]}
    assert ids("monitor") == {tid["public"]}
    assert ids("sy.liaison") == {tid["summary"], tid["convoy"], tid["public"]}
    assert ids("mediator") == set(tid.values())
    summary = client_for("il.liaison").get(f"/api/v1/shared-items/{tid['summary']}/").json()
    assert summary["tearline_of"] is None  # the part above the line is not theirs to see
    mine = client_for("mediator").get(f"/api/v1/shared-items/{tid['summary']}/").json()
    assert mine["tearline_of"] == tid["assessment"]
    public = client_for("donor").get(f"/api/v1/shared-items/{tid['public']}/").json()
    assert public["redaction_of"] is None
    assert {"geometry", "source_reliability", "information_credibility"}.isdisjoint(public)
    assert public["redacted"] == ["body", "grades", "place"]
    assert public["text"].startswith("A convoy movement was reported")
    assert public["tier"] == "public"
    history = client_for("sy.liaison").get(f"/api/v1/shared-items/{tid['convoy']}/").json()
    assert [c["to_tier"] for c in history["history"]["changes"]] == ["parties"]
    hidden = client_for("sy.liaison").get(f"/api/v1/shared-items/{tid['assessment']}/")
    assert hidden.status_code == 404
    log = client_for("il.liaison").get(f"/api/v1/shared-items/{tid['convoy']}/access-log/")
    assert log.status_code == 200
    opened = {(r["party"], r["surface"]) for r in log.json()["results"]}
    assert opened == {("sy", "api")}  # Syria's liaison read it above; Israel reads the log
    refused = client_for("sy.liaison").get(f"/api/v1/shared-items/{tid['convoy']}/access-log/")
    assert refused.status_code == 404


def test_the_pages_show_the_story_in_each_language(
    told: dict[str, Item], client_for: Any, actor: Any
) -> None:
    client = client_for("sy.liaison")
    for language in ("en", "ar", "he"):
        client.cookies["django_language"] = language
        feed = client.get("/sharing/", HTTP_ACCEPT_LANGUAGE=language)
        assert feed.status_code == 200
        assert told["convoy"].reference in feed.content.decode()
        page = client.get(f"/sharing/{told['convoy'].public_id}/", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        heading = {"en": "Shared items", "ar": "البنود المُشارَكة", "he": "פריטים משותפים"}
        assert heading[language] in feed.content.decode()
        if language != "en":
            assert 'dir="rtl"' in page.content.decode()
    assert client.get(f"/sharing/{told['assessment'].public_id}/").status_code == 404
    access = client_for("il.liaison").get(f"/sharing/{told['convoy'].public_id}/access/")
    assert access.status_code == 200
    assert actor("sy.liaison").name in access.content.decode()  # who opened it, by call sign
    assert actor("mediator").name not in access.content.decode()
