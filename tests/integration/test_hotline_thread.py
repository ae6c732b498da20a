"""The hotline call as a thread: messages from every side, commitments the worker settles,
relay through the mediator, and the bilateral channel no one else can find."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import hotline, thread
from coordcell.cases.models import Activation, CallMessage, Commitment
from coordcell.cases.scorecard import scorecard
from coordcell.cases.selectors import get_activation, list_activations
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from coordcell.record.selectors import list_visible_entries

pytestmark = pytest.mark.django_db


def _call(actor: Any, caller: str, callee: str, *, bilateral: bool = False) -> Activation:
    who = actor(caller)
    return hotline.activate(
        actor=who,
        callee=Party.objects.get(code=callee),
        channel="call",
        subject_text="Armed men with RPG near the crossing: act within 30 minutes (fictional).",
        version=get_version(who, None, None),
        bilateral=bilateral,
    )


def _last() -> Entry:
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    return entry


def test_every_side_posts_any_number_of_messages(actor: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    hotline.answer(
        actor=actor("il.liaison"), activation=call, text="Unit dispatched, request you hold fire."
    )
    # The caller's de-escalating reply: once refused (only the called party answered).
    until = timezone.now() + dt.timedelta(hours=2)
    reply = thread.post_message(
        actor=actor("sy.liaison"),
        activation=call,
        text="Holding fire until 23:30 (fictional).",
        commitment="hold_fire",
        due_at=until,
    )
    assert reply.author_party.code == "sy"
    assert _last().event_type == "cases.hotline_message_posted"
    assert _last().data["commitment"]["kind"] == "hold_fire"
    thread.post_message(actor=actor("mediator"), activation=call, text="Noted by the mediator.")
    thread.post_message(actor=actor("il.liaison"), activation=call, text="Unit on site.")
    assert CallMessage.objects.filter(activation=call).count() == 4
    call.refresh_from_db()
    assert call.answer == "Unit dispatched, request you hold fire."  # the first answer, timed
    for outsider in ("monitor", "il.analyst"):
        with pytest.raises(PermissionDenied):
            thread.post_message(actor=actor(outsider), activation=call, text="x")
    for hidden in ("observer", "donor"):
        with pytest.raises(NotFound):
            thread.post_message(actor=actor(hidden), activation=call, text="x")


def test_a_bad_message_writes_nothing(actor: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    count = Entry.objects.count()
    for kwargs in (
        {"text": ""},
        {"text": "x", "commitment": "hold_fire"},  # no time
        {"text": "x", "commitment": "promise", "due_at": timezone.now() + dt.timedelta(hours=1)},
        {"text": "x", "commitment": "hold_fire", "due_at": timezone.now() - dt.timedelta(hours=1)},
        {"text": "x", "due_at": timezone.now() + dt.timedelta(hours=1)},
    ):
        with pytest.raises(ValidationFailed):
            thread.post_message(actor=actor("sy.liaison"), activation=call, **kwargs)
    assert Entry.objects.count() == count
    assert not CallMessage.objects.filter(activation=call).exists()


def test_the_worker_settles_commitments_by_their_time(actor: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    soon = timezone.now() + dt.timedelta(hours=1)
    report = thread.post_message(
        actor=actor("il.liaison"), activation=call, text="We will report by 22:00.",
        commitment="investigate_report", due_at=soon,
    )  # fmt: skip
    hold = thread.post_message(
        actor=actor("sy.liaison"), activation=call, text="Holding fire.",
        commitment="hold_fire", due_at=soon,
    )  # fmt: skip
    kept = thread.post_message(
        actor=actor("il.liaison"), activation=call, text="Unit dispatched.",
        commitment="unit_dispatched", due_at=soon,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # only its own party reports it kept
        thread.close_commitment(
            actor=actor("sy.liaison"), commitment=kept.commitment, kept=True, text=""
        )
    with pytest.raises(ValidationFailed):  # a hold-fire is settled by its time
        thread.close_commitment(
            actor=actor("sy.liaison"), commitment=hold.commitment, kept=True, text=""
        )
    thread.close_commitment(
        actor=actor("il.liaison"), commitment=kept.commitment, kept=True, text="On site."
    )
    assert thread.settle_commitments(soon - dt.timedelta(minutes=1)) == 0
    assert thread.settle_commitments(soon + dt.timedelta(minutes=1)) == 2
    assert thread.settle_commitments(soon + dt.timedelta(minutes=2)) == 0  # claimed once
    states = dict(Commitment.objects.filter(activation=call).values_list("kind", "state"))
    assert states == {
        "investigate_report": "lapsed",
        "hold_fire": "met",
        "unit_dispatched": "met",
    }
    assert report.commitment.pk
    entry = _last()
    assert entry.event_type == "cases.commitment_closed"
    assert entry.data["by_the_worker"] is True


def test_a_breach_of_a_hold_fire_is_reported_by_the_other_side(actor: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    hold = thread.post_message(
        actor=actor("sy.liaison"), activation=call, text="Holding fire.",
        commitment="hold_fire", due_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    broken = thread.close_commitment(
        actor=actor("il.liaison"), commitment=hold.commitment, kept=False, text="Fire at 22:10."
    )
    assert broken.state == "broken"


def test_the_mediator_relays_a_message_as_one_entry(actor: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    asked = thread.post_message(
        actor=actor("sy.liaison"), activation=call, text="Please pass: we hold fire.",
        via_mediator=True,
    )  # fmt: skip
    assert asked.audience_codes == ["sy", "us"]
    # Until relayed, the other party and the monitors do not see it.
    for reader in ("il.liaison", "monitor"):
        assert not CallMessage.objects.restrict(actor(reader)).filter(pk=asked.pk).exists()
    with pytest.raises(NotFound):
        thread.relay_message(actor=actor("il.liaison"), message=asked)
    with pytest.raises(PermissionDenied):
        thread.relay_message(actor=actor("sy.liaison"), message=asked)
    head = _last().seq
    relayed = thread.relay_message(actor=actor("mediator"), message=asked)
    entries = list(Entry.objects.filter(seq__gt=head))
    assert [e.event_type for e in entries] == ["cases.hotline_message_relayed"]
    data = entries[0].data
    assert data["author"] == "sy"
    assert data["relayed_by"] == "us"
    assert data["requested_at"]
    assert data["relayed_at"]
    assert relayed.audience_codes == call.audience_codes
    with pytest.raises(ValidationFailed):
        thread.relay_message(actor=actor("mediator"), message=asked)
    with pytest.raises(ValidationFailed):  # the mediator does not ask itself
        thread.post_message(actor=actor("mediator"), activation=call, text="x", via_mediator=True)


def test_a_bilateral_call_is_missing_for_everyone_else(actor: Any, client_for: Any) -> None:
    call = _call(actor, "sy.liaison", "us", bilateral=True)
    assert call.audience_codes == ["sy", "us"]
    thread.post_message(actor=actor("mediator"), activation=call, text="Understood.")
    thread.post_message(
        actor=actor("sy.liaison"), activation=call, text="Private: we hold until dawn.",
        commitment="hold_fire", due_at=timezone.now() + dt.timedelta(hours=3),
    )  # fmt: skip
    for reader in ("monitor", "il.liaison", "observer"):
        who = actor(reader)
        with pytest.raises(NotFound):
            get_activation(who, call.public_id)
        assert call not in list_activations(who)
        assert not CallMessage.objects.restrict(who).filter(activation=call).exists()
        assert not Commitment.objects.restrict(who).filter(activation=call).exists()
        visible = list_visible_entries(who, limit=100_000)
        assert all(e.data.get("activation") != call.reference for e in visible)
    assert get_activation(actor("mediator"), call.public_id) == call
    assert get_activation(actor("sy.liaison"), call.public_id) == call
    # Counts: the monitor's scorecard is the same with or without the call.
    before = scorecard(actor("monitor"))
    _call(actor, "sy.liaison", "us", bilateral=True)
    assert scorecard(actor("monitor")) == before
    # Pages and API: 404 like a missing call; absent from the lists.
    for url in (f"/cases/hotline/{call.public_id}/", f"/api/v1/hotline/{call.public_id}/"):
        assert client_for("monitor").get(url).status_code == 404
        assert client_for("mediator").get(url).status_code == 200
    listing = client_for("monitor").get("/api/v1/hotline/?page_size=1000").json()
    assert str(call.public_id) not in {a["id"] for a in listing["results"]}
    assert call.reference not in client_for("monitor").get("/cases/hotline/").content.decode()


@pytest.mark.parametrize(("caller", "callee"), [("sy.liaison", "il"), ("monitor", "us")])
def test_a_bilateral_call_is_a_party_and_the_mediator(actor: Any, caller: str, callee: str) -> None:
    with pytest.raises(ValidationFailed):
        _call(actor, caller, callee, bilateral=True)


def test_the_call_page_takes_the_de_escalating_reply(client_for: Any, actor: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    hotline.answer(actor=actor("il.liaison"), activation=call, text="Unit dispatched.")
    caller = client_for("sy.liaison")
    page = caller.get(f"/cases/hotline/{call.public_id}/")
    assert page.status_code == 200
    assert "Unit dispatched." in page.content.decode()
    posted = caller.post(
        f"/cases/hotline/{call.public_id}/",
        {"text": "Holding fire until 23:30 (fictional).", "commitment": "hold_fire",
         "due_at": (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert posted.status_code == 302
    page = caller.get(f"/cases/hotline/{call.public_id}/").content.decode()
    assert "Holding fire until 23:30 (fictional)." in page
    assert "Hold fire until the time given" in page
    bad = caller.post(f"/cases/hotline/{call.public_id}/", {"text": "", "commitment": ""})
    assert bad.status_code == 400
    assert (
        client_for("il.analyst")
        .post(f"/cases/hotline/{call.public_id}/", {"text": "x"})
        .status_code
        == 403
    )
    assert client_for("observer").get(f"/cases/hotline/{call.public_id}/").status_code == 404


def test_the_thread_through_the_api(actor: Any, client_for: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    base = f"/api/v1/hotline/{call.public_id}/messages/"
    il, sy, us = client_for("il.liaison"), client_for("sy.liaison"), client_for("mediator")
    assert (
        il.post(base, {"text": "Unit dispatched."}, content_type="application/json").status_code
        == 201
    )
    due = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    body = {"text": "Holding fire.", "commitment": "hold_fire", "due_at": due, "via_mediator": True}
    asked = sy.post(base, body, content_type="application/json")
    assert asked.status_code == 201, asked.content
    message = asked.json()
    assert message["commitment"]["kind"] == "hold_fire"
    assert message["id"] not in {m["id"] for m in il.get(base).json()["results"]}
    relayed = us.post(f"/api/v1/hotline-messages/{message['id']}/relay/")
    assert relayed.status_code == 200
    assert relayed.json()["relayed_by"] == "us"
    assert message["id"] in {m["id"] for m in il.get(base).json()["results"]}
    breach = il.post(
        f"/api/v1/commitments/{message['commitment']['id']}/close/",
        {"kept": False, "text": "Fire at 22:10 (fictional)."},
        content_type="application/json",
    )
    assert breach.status_code == 200
    assert breach.json()["state"] == "broken"
    bad = sy.post(base, {"text": "x", "commitment": "hold_fire"}, content_type="application/json")
    assert bad.status_code == 400
    assert client_for("observer").get(base).status_code == 404
    detail = client_for("mediator").get(f"/api/v1/hotline/{call.public_id}/").json()
    assert detail["bilateral"] is False


def test_the_mediator_relays_and_a_party_reports_from_the_page(actor: Any, client_for: Any) -> None:
    call = _call(actor, "sy.liaison", "il")
    asked = thread.post_message(
        actor=actor("sy.liaison"), activation=call, text="Please pass on (fictional).",
        via_mediator=True,
    )  # fmt: skip
    mediator = client_for("mediator")
    page = mediator.get(f"/cases/hotline/{call.public_id}/").content.decode()
    assert f"/cases/hotline/messages/{asked.public_id}/relay/" in page
    assert (
        "Please pass on (fictional)."
        not in client_for("il.liaison").get(f"/cases/hotline/{call.public_id}/").content.decode()
    )
    assert (
        client_for("il.liaison")
        .post(f"/cases/hotline/messages/{asked.public_id}/relay/")
        .status_code
        == 404
    )
    assert mediator.post(f"/cases/hotline/messages/{asked.public_id}/relay/").status_code == 302
    page = client_for("il.liaison").get(f"/cases/hotline/{call.public_id}/").content.decode()
    assert "Please pass on (fictional)." in page
    assert "relayed by" in page
    promise = thread.post_message(
        actor=actor("il.liaison"), activation=call, text="Reporting by noon (fictional).",
        commitment="investigate_report", due_at=timezone.now() + dt.timedelta(hours=4),
    ).commitment  # fmt: skip
    url = f"/cases/commitments/{promise.public_id}/kept/"
    assert client_for("il.liaison").post(url, {"text": "Reported."}).status_code == 302
    promise.refresh_from_db()
    assert promise.state == "met"
    assert (
        client_for("il.liaison").post(f"/cases/commitments/{promise.public_id}/other/").status_code
        == 404
    )


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_new_pages_render_in_arabic_and_hebrew(
    actor: Any, client_for: Any, language: str
) -> None:
    from django.conf import settings

    call = _call(actor, "sy.liaison", "il")
    client = client_for("sy.liaison")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in (f"/cases/hotline/{call.public_id}/", "/cases/warnings/", "/cases/ledger/"):
        response = client.get(url)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()


def test_the_worker_job_marks_a_lapsed_commitment(actor: Any) -> None:
    from coordcell.core.worker import registered_jobs

    call = _call(actor, "sy.liaison", "il")
    due = timezone.now() + dt.timedelta(minutes=30)
    promise = thread.post_message(
        actor=actor("il.liaison"), activation=call, text="Report by 21:00 (fictional).",
        commitment="investigate_report", due_at=due,
    ).commitment  # fmt: skip
    job = next(j for j in registered_jobs() if j.name == "cases.commitments")
    assert job.func(due - dt.timedelta(seconds=1)) == 0
    assert job.func(due) == 1
    promise.refresh_from_db()
    assert promise.state == "lapsed"
    page = _last()
    assert page.event_type == "cases.commitment_closed"
    assert page.data["state"] == "lapsed"
