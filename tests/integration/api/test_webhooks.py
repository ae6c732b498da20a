"""Signed webhooks: who registers them, what is queued for whom, and how the worker
sends, signs, retries and claims each delivery (against a local HTTP server), and which
hosts it refuses to call. The transport itself (pinned addresses, no proxy, no redirect,
the hard deadline) has its own tests in ``tests/unit/notify/test_transport.py``.

Names resolve through ``tests.httpd.fake_dns`` (``.example`` as each test says, a public
address by default; ``.invalid`` not at all); the local servers listen on 127.0.0.1,
which the tests that use them allow (``COORDCELL_WEBHOOK_ALLOWED_NETWORKS``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordcell.cases.models import Case
from coordcell.cases.services import act
from coordcell.core.audience import ALL_MEMBERS, EmptyAudience
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.incidents.headlines import Headlines
from coordcell.notify import dispatch, queueing, services, transport
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from tests.httpd import PUBLIC, Answers, Receiver, fake_dns
from tests.integration.api.conftest import AUTHS, EMPTY_PAGE, NOT_FOUND, results

pytestmark = pytest.mark.django_db

#: (persona, outcome of registering a webhook for their own party).
REGISTER = [
    ("il.admin", 201),
    ("sy.admin", 201),
    ("mediator", 201),  # a cell administrator of the mediator party, for the mediator
    ("il.liaison", 403),
    ("il.analyst", 403),
    ("sy.liaison", 403),
    ("monitor", 403),
    ("donor", 403),
    ("observer", 403),
]
#: (persona, outcome of deactivating one of Israel's webhooks).
DEACTIVATE = [
    ("il.admin", 200),
    ("il.liaison", 403),  # sees it, may not change it
    ("il.analyst", 403),
    ("sy.admin", 404),  # another party's: not there
    ("mediator", 404),
    ("monitor", 404),
    ("donor", 404),
    ("observer", 404),
]


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Answers]:
    return fake_dns(monkeypatch)


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    """The local test servers listen on 127.0.0.1: allow it, as a closed network would."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def receiver(loopback_allowed: None) -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _case() -> Case:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case


def _register(actor: Any, username: str, url: str) -> tuple[Webhook, str]:
    return services.register_webhook(actor=actor(username), url=url)


def _later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def _verify(secret: str, request: dict[str, Any]) -> bool:
    headers = request["headers"]
    timestamp = headers["X-Coordcell-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers["X-Coordcell-Signature"], f"sha256={expected}")


# --- registration ------------------------------------------------------------------------


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize(("username", "outcome"), REGISTER)
def test_only_a_partys_cell_administrators_register_its_webhooks(
    username: str, outcome: int, auth: str, api: Any, actor: Any
) -> None:
    client = api(username, auth)
    before = Entry.objects.count()
    response = client.post(
        "/api/v1/webhooks/", {"url": "https://hooks.example/in"}, content_type="application/json"
    )
    assert response.status_code == outcome
    if outcome != 201:
        assert response.json()["error"]["code"] == "permission_denied"
        assert Entry.objects.count() == before
        assert not Webhook.objects.exists()
        return
    body = response.json()
    assert body["party"] == actor(username).party_code
    assert body["url"] == "https://hooks.example/in"
    assert body["active"] is True
    assert body["secret"].startswith("whsec_")
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "notify.webhook_registered"
    assert entry.audience_codes == [body["party"]]
    assert body["secret"] not in entry.canonical


def test_the_secret_is_shown_once(api: Any) -> None:
    client = api("il.admin", "token")
    created = client.post(
        "/api/v1/webhooks/", {"url": "https://hooks.il.example/"}, content_type="application/json"
    ).json()
    secret = created["secret"]
    assert Webhook.objects.get(public_id=created["id"]).secret == secret
    listed = client.get("/api/v1/webhooks/")
    assert [w["id"] for w in results(listed)] == [created["id"]]
    assert "secret" not in results(listed)[0]
    assert secret.encode() not in listed.content
    deactivated = client.post(f"/api/v1/webhooks/{created['id']}/deactivate")
    assert deactivated.status_code == 200
    assert secret.encode() not in deactivated.content
    assert not Entry.objects.filter(canonical__contains=secret).exists()


def test_each_party_lists_only_its_own_webhooks(api: Any, actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    _register(actor, "sy.admin", "https://hooks.sy.example/")
    assert [w["party"] for w in results(api("il.liaison").get("/api/v1/webhooks/"))] == ["il"]
    assert [w["party"] for w in results(api("sy.admin").get("/api/v1/webhooks/"))] == ["sy"]
    for username in ("observer", "donor", "monitor", "mediator"):
        assert api(username).get("/api/v1/webhooks/").json() == EMPTY_PAGE


@pytest.mark.parametrize(("username", "outcome"), DEACTIVATE)
def test_only_the_partys_administrators_deactivate_its_webhook(
    username: str, outcome: int, api: Any, actor: Any
) -> None:
    webhook, _secret = _register(actor, "il.admin", "https://hooks.il.example/")
    before = Entry.objects.count()
    response = api(username).post(f"/api/v1/webhooks/{webhook.public_id}/deactivate")
    assert response.status_code == outcome
    webhook.refresh_from_db()
    if outcome != 200:
        if outcome == 404:
            assert response.json() == NOT_FOUND
        else:
            assert response.json()["error"]["code"] == "permission_denied"
        assert webhook.active
        assert Entry.objects.count() == before
        return
    assert response.json()["active"] is False
    assert not webhook.active
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "notify.webhook_deactivated"
    assert entry.audience_codes == ["il"]
    twice = api(username).post(f"/api/v1/webhooks/{webhook.public_id}/deactivate")
    assert twice.status_code == 400


def test_an_unknown_webhook_is_the_same_404_as_another_partys(api: Any, actor: Any) -> None:
    webhook, _secret = _register(actor, "sy.admin", "https://hooks.sy.example/")
    client = api("il.admin")
    hidden = client.post(f"/api/v1/webhooks/{webhook.public_id}/deactivate")
    for missing in ("00000000-0000-0000-0000-000000000000", "nonsense"):
        response = client.post(f"/api/v1/webhooks/{missing}/deactivate")
        assert response.status_code == hidden.status_code == 404
        assert response.json() == hidden.json() == NOT_FOUND


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://hooks.example/in",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://hooks.example/",
        "http://",
        "https://user:password@hooks.example/",
        "https://hooks.example/in#fragment",
        "https://hooks.example:99999/",
        "https://hooks .example/",
        "hooks.example/in",
        "",
        "https://hooks.example/" + "x" * 500,
    ],
)
def test_a_bad_url_is_refused(bad: str, api: Any) -> None:
    response = api("il.admin").post(
        "/api/v1/webhooks/", {"url": bad}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]
    assert not Webhook.objects.exists()


def test_a_party_has_at_most_ten_active_webhooks(actor: Any) -> None:
    for i in range(services.MAX_ACTIVE_WEBHOOKS):
        _register(actor, "il.admin", f"https://hooks.il.example/{i}")
    with pytest.raises(ValidationFailed):
        _register(actor, "il.admin", "https://hooks.il.example/one-too-many")


# --- queueing ----------------------------------------------------------------------------


def test_a_step_is_queued_only_for_the_parties_of_the_cases_audience(
    actor: Any, receiver: Receiver
) -> None:
    il, _ = _register(actor, "il.admin", receiver.url("/il"))
    us, _ = _register(actor, "mediator", receiver.url("/us"))
    # Jordan (an observer) and the donor are outside the case's audience.
    outside = [
        Webhook.objects.create(
            party=Party.objects.get(code=code),
            url=receiver.url(f"/{code}"),
            secret=services.new_secret(),
            created_at=timezone.now(),
        )
        for code in ("jo", "donor_a")
    ]
    case = act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    step = case.steps.order_by("-pk").first()
    assert step is not None
    queued = {
        d.webhook_id
        for d in Delivery.objects.filter(subject_type="cases.step", subject_id=str(step.pk))
    }
    assert queued == {il.pk, us.pk}
    dispatch.deliver_due(_later(1))
    assert sorted(r["path"] for r in receiver.requests) == ["/il", "/us"]
    assert not Delivery.objects.filter(webhook__in=outside).exists()


def test_an_inactive_webhook_gets_nothing(actor: Any) -> None:
    webhook, _ = _register(actor, "il.admin", "https://hooks.il.example/")
    services.deactivate_webhook(actor=actor("il.admin"), webhook=webhook)
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    assert not Delivery.objects.exists()


def test_a_step_that_fails_queues_nothing(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    with pytest.raises(PermissionDenied):
        act(actor=actor("observer"), case=_case(), action="acknowledge")
    assert not Delivery.objects.exists()


def _queue(**kwargs: Any) -> int:
    values: dict[str, Any] = {
        "subject_type": "tests.thing",
        "subject_id": 42,
        "event_type": "tests.happened",
        "payload": {"thing": {"n": 1}},
        "audience": ["il"],
        "at": timezone.now(),
    }
    return queueing.queue_delivery(**{**values, **kwargs})


def test_news_of_any_subject_goes_once_to_each_webhook_of_its_audience(actor: Any) -> None:
    il, _ = _register(actor, "il.admin", "https://hooks.il.example/")
    _register(actor, "sy.admin", "https://hooks.sy.example/")
    at = timezone.now()
    assert _queue(payload={"thing": {"n": 1}, "at": at}, audience=["il", "il"], at=at) == 1
    delivery = Delivery.objects.get()
    assert (
        delivery.webhook_id,
        delivery.subject_type,
        delivery.subject_id,
        delivery.event,
        delivery.state,
        delivery.next_attempt_at,
    ) == (il.pk, "tests.thing", "42", "tests.happened", "pending", at)
    assert json.loads(delivery.body) == {
        "at": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "delivery": str(delivery.public_id),
        "event": "tests.happened",
        "party": "il",
        "thing": {"n": 1},
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        _queue()  # the same subject again
    assert Delivery.objects.count() == 1


def test_news_for_every_member_goes_to_every_partys_webhooks(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    _register(actor, "sy.admin", "https://hooks.sy.example/")
    assert _queue(audience=[ALL_MEMBERS]) == 2
    assert sorted(json.loads(d.body)["party"] for d in Delivery.objects.all()) == ["il", "sy"]


@pytest.mark.parametrize("audience", [[], [""]])
def test_an_empty_audience_is_refused_not_taken_as_everyone(
    audience: list[str], actor: Any
) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    with pytest.raises(EmptyAudience):
        _queue(audience=audience)
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("key", sorted(queueing.RESERVED_KEYS))
def test_a_payload_may_not_set_what_notify_fills_in(key: str, actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    with pytest.raises(ValueError, match=f"the payload may not set \\['{key}'\\]"):
        _queue(payload={key: "mine"})
    assert not Delivery.objects.exists()


def test_an_audience_given_as_text_is_refused(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    with pytest.raises(TypeError, match="not a string"):
        _queue(audience="|il|")
    assert not Delivery.objects.exists()


# --- sending -----------------------------------------------------------------------------


def test_the_worker_posts_a_signed_payload_with_what_the_party_may_read(
    actor: Any, receiver: Receiver
) -> None:
    webhook, secret = _register(actor, "il.admin", receiver.url())
    case = act(actor=actor("mediator"), case=_case(), action="escalate", text="Decided (test).")
    assert dispatch.deliver_due(_later(1)) == 1
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert _verify(secret, request)
    assert not _verify("whsec_wrong", request)
    headers = request["headers"]
    assert abs(int(headers["X-Coordcell-Timestamp"]) - time.time()) < 60
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Coordcell-Event"] == "cases.escalated"
    payload = json.loads(request["body"])
    step = case.steps.order_by("-pk").first()
    assert step is not None
    assert payload == {
        "delivery": headers["X-Coordcell-Delivery"],
        "event": "cases.escalated",
        "party": "il",
        "case": {
            "id": str(case.public_id),
            "reference": case.reference,
            # Generated in every language (kind · place · local time), no party's words.
            "headline": Headlines().in_every_language(case.incident),
        },
        "action": "escalate",
        "state": case.state,
        "level": 1,
        "level_name": "cell_principals",
        "at": step.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "entry": {"hash": step.entry.hash},
    }
    assert case.summary not in request["body"].decode()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert str(delivery.public_id) == headers["X-Coordcell-Delivery"]
    listed = dispatch.deliver_due(_later(3600))
    assert listed == 0  # delivered once, never again
    assert len(receiver.requests) == 1
    assert webhook.deliveries.get().delivered_at is not None


def test_a_500_is_retried_with_backoff(actor: Any, receiver: Receiver) -> None:
    _webhook, secret = _register(actor, "il.admin", receiver.url())
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    receiver.script = [500, 503]
    now = _later(1)
    dispatch.deliver_due(now)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at == now + dispatch.backoff(1)
    assert dispatch.deliver_due(now + dt.timedelta(seconds=10)) == 0  # not due yet
    dispatch.deliver_due(now + dispatch.backoff(1))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 2, 503)
    assert delivery.next_attempt_at == now + dispatch.backoff(1) + dispatch.backoff(2)
    dispatch.deliver_due(now + dt.timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Coordcell-Delivery"] for r in receiver.requests}) == 1
    assert all(_verify(secret, r) for r in receiver.requests)


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [dispatch.backoff(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


@override_settings(WEBHOOK_MAX_ATTEMPTS=2)
def test_a_delivery_is_given_up_after_the_last_attempt(actor: Any, receiver: Receiver) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    receiver.script = [500, 500, 500]
    dispatch.deliver_due(_later(1))
    dispatch.deliver_due(_later(3600))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 2, "HTTP 500")
    assert dispatch.deliver_due(_later(7200)) == 0
    assert len(receiver.requests) == 2


def test_an_unreachable_endpoint_is_a_failed_attempt(actor: Any, loopback_allowed: None) -> None:
    _register(actor, "il.admin", "http://127.0.0.1:9/refused")  # discard port: nothing there
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    dispatch.deliver_due(_later(1))
    delivery = Delivery.objects.get()
    assert delivery.state == "pending"
    assert delivery.attempts == 1
    assert delivery.last_status is None
    assert delivery.last_error


def test_the_worker_sends_within_the_settings_deadline_to_the_allowed_networks(
    actor: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/in")
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    settings.WEBHOOK_TIMEOUT_SECONDS = 7
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    calls: list[tuple[Any, ...]] = []

    def post(url: str, body: bytes, headers: dict[str, str], **kwargs: Any) -> transport.Outcome:
        calls.append((url, headers["X-Coordcell-Event"], kwargs))
        return transport.Outcome(True, 204, "")

    monkeypatch.setattr(transport, "post", post)
    assert dispatch.deliver_due(_later(1)) == 1
    assert calls == [
        (
            "https://hooks.il.example/in",
            "cases.acknowledged",
            {"timeout": 7.0, "allowed": ["10.20.0.0/16"]},
        )
    ]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status) == ("delivered", 204)
    assert dispatch.lease() == dt.timedelta(seconds=67)


def test_a_redirect_is_a_failed_attempt(actor: Any, receiver: Receiver) -> None:
    _register(actor, "il.admin", receiver.url("/hook"))
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    receiver.script = [302]
    dispatch.deliver_due(_later(1))
    assert [r["path"] for r in receiver.requests] == ["/hook"]  # not /elsewhere
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status, delivery.last_error) == (
        "pending",
        302,
        "HTTP 302",
    )


def test_deactivating_cancels_what_was_not_sent(actor: Any, receiver: Receiver) -> None:
    webhook, _ = _register(actor, "il.admin", receiver.url())
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    services.deactivate_webhook(actor=actor("il.admin"), webhook=webhook)
    assert dispatch.deliver_due(_later(1)) == 0
    assert Delivery.objects.get().state == "cancelled"
    assert receiver.requests == []


# --- claims ------------------------------------------------------------------------------


def test_a_delivery_is_claimed_once(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    delivery = Delivery.objects.get()
    now = _later(1)
    first = dispatch.claim(delivery.pk, now)
    assert first is not None
    assert dispatch.claim(delivery.pk, now) is None
    assert dispatch.claim(delivery.pk, now + dt.timedelta(seconds=30)) is None  # lease holds
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.claim) == ("sending", 1, first)


def test_a_second_worker_never_sends_what_the_first_is_sending(
    actor: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    now = _later(1)
    real_send = dispatch.send
    seen: list[int] = []

    def send_while_another_worker_runs(delivery: Delivery) -> transport.Outcome:
        seen.append(dispatch.deliver_due(now))  # the other worker, mid-send
        return real_send(delivery)

    monkeypatch.setattr(dispatch, "send", send_while_another_worker_runs)
    assert dispatch.deliver_due(now) == 1
    assert seen == [0]
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().state == "delivered"


def test_a_delivery_left_sending_by_a_dead_worker_is_taken_again_after_the_lease(
    actor: Any, receiver: Receiver
) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    delivery = Delivery.objects.get()
    now = _later(1)
    stale = dispatch.claim(delivery.pk, now)  # the worker dies before sending
    assert stale is not None
    assert dispatch.deliver_due(now + dt.timedelta(seconds=30)) == 0
    assert dispatch.deliver_due(now + dispatch.lease() + dt.timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert delivery.claim != stale
    assert len(receiver.requests) == 1


def test_the_worker_job_is_registered() -> None:
    from coordcell.core.worker import registered_jobs

    assert "notify.webhooks" in [j.name for j in registered_jobs()]


# --- which hosts: no requests into the cell's own network ---------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/hook", []),
        ("http://localhost/hook", []),  # a name that resolves to loopback
        ("http://[::1]/hook", []),
        ("http://169.254.169.254/latest/meta-data/", []),  # the cloud metadata service
        ("http://10.1.2.3/hook", []),
        ("http://172.16.0.1/hook", []),
        ("https://192.168.1.1/hook", []),
        ("http://100.64.0.1/hook", []),  # shared address space (carrier-grade NAT)
        ("http://0.0.0.0/hook", []),
        ("http://224.0.0.1/hook", []),  # multicast
        ("http://240.0.0.1/hook", []),  # reserved
        ("http://[fe80::1]/hook", []),
        ("http://[fd00::1]/hook", []),
        ("http://[::ffff:127.0.0.1]/hook", []),  # IPv4 loopback dressed as IPv6
        ("http://[::ffff:10.1.2.3]/hook", []),
        ("http://2130706433/hook", []),  # 127.0.0.1 as one number
        ("http://internal.example/hook", []),
        ("http://mixed.example/hook", []),  # one public address and one private one
        ("http://10.1.2.3/hook", ["192.168.0.0/16"]),  # another network is allowed
        ("http://127.0.0.1/hook", ["10.0.0.0/8"]),
    ],
)
def test_a_host_with_an_internal_address_is_refused(
    url: str, allowed: list[str], api: Any, settings: Any, dns: dict[str, Answers]
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = allowed
    dns["internal.example"] = ["10.0.0.5"]
    dns["mixed.example"] = [PUBLIC, "172.16.0.1"]
    before = Entry.objects.count()
    response = api("il.admin").post(
        "/api/v1/webhooks/", {"url": url}, content_type="application/json"
    )
    assert response.status_code == 400
    [message] = response.json()["error"]["fields"]["url"]
    assert "internal address" in message or "cannot be found" in message
    assert not Webhook.objects.exists()
    assert Entry.objects.count() == before


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/hook", ["127.0.0.0/8"]),
        ("http://localhost/hook", ["127.0.0.0/8", "::1/128"]),
        ("http://10.1.2.3/hook", ["10.0.0.0/8"]),
        ("http://[::1]:8443/hook", ["::1"]),
        ("http://[::ffff:10.1.2.3]/hook", ["10.1.2.0/24"]),
        ("https://internal.example/hook", ["10.0.0.0/24"]),
        ("https://hooks.example/hook", []),  # a public address needs no allowing
    ],
)
def test_an_internal_address_in_the_allowed_networks_is_accepted(
    url: str, allowed: list[str], api: Any, settings: Any, dns: dict[str, Answers]
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = allowed
    dns["internal.example"] = ["10.0.0.5"]
    response = api("il.admin").post(
        "/api/v1/webhooks/", {"url": url}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert Webhook.objects.get().url == url


def test_a_host_that_does_not_resolve_is_refused_saying_so(api: Any) -> None:
    response = api("il.admin").post(
        "/api/v1/webhooks/",
        {"url": "https://nowhere.invalid/hook"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["url"] == [
        "The host nowhere.invalid cannot be found (its name does not resolve)."
    ]
    assert not Webhook.objects.exists()


def test_the_host_is_checked_again_at_each_send(
    actor: Any, receiver: Receiver, settings: Any
) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # the operators narrowed the list since
    dispatch.deliver_due(_later(1))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert delivery.last_error.startswith("refused: 127.0.0.1 resolves to 127.0.0.1")
    assert receiver.requests == []


def test_a_name_that_resolves_inside_after_registration_is_refused(
    actor: Any, receiver: Receiver, settings: Any, dns: dict[str, Answers]
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    port = receiver.server.server_address[1]
    _register(actor, "il.admin", f"http://rebind.example:{port}/hook")  # public, then …
    dns["rebind.example"] = ["127.0.0.1"]  # … the name is pointed at the server itself
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    dispatch.deliver_due(_later(1))
    assert Delivery.objects.get().last_error.startswith("refused: rebind.example")
    assert receiver.requests == []


# --- claims on PostgreSQL: every condition in the UPDATE's own WHERE ----------------------


def _outside_subqueries(sql: str) -> str:
    """``sql`` without its parenthesised sub-selects."""
    out, depth, i = [], 0, 0
    while i < len(sql):
        if depth == 0 and re.match(r"\(\s*SELECT\b", sql[i:], re.I):
            depth = 1
            i += 1
            continue
        if depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
        else:
            out.append(sql[i])
        i += 1
    return "".join(out)


def test_the_claim_updates_one_table_with_every_condition_in_its_own_where(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    delivery = Delivery.objects.get()
    with CaptureQueriesContext(connection) as queries:
        assert dispatch.claim(delivery.pk, _later(1)) is not None
    [update] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    outer = _outside_subqueries(update)
    assert 'UPDATE "notify_delivery" SET' in outer
    where = outer.split(" WHERE ", 1)[1]
    for column in ("id", "state", "next_attempt_at", "claimed_at"):
        assert f'"notify_delivery"."{column}"' in where, update
    assert " IN " not in where, update  # no `id IN (SELECT … JOIN …)`
    assert "EXISTS" in where  # the webhook's being active
    assert "notify_webhook" not in outer


def _pg_connect(autocommit: bool = True) -> Any:
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=autocommit,
        connect_timeout=5,
    )


def _race(update_sql: str, schema: str, pk: int, webhook_id: int) -> list[int]:
    """Run ``update_sql`` in two committing transactions at once, the second blocked on
    the first's row lock, on a scratch copy of the two tables; return both row counts."""
    with _pg_connect() as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        admin.execute(f'SET search_path TO "{schema}"')
        admin.execute("CREATE TABLE notify_webhook (id bigint PRIMARY KEY, active boolean)")
        admin.execute(
            "CREATE TABLE notify_delivery (id bigint PRIMARY KEY, webhook_id bigint,"
            " state varchar(12), attempts smallint, next_attempt_at timestamptz,"
            " claim uuid, claimed_at timestamptz)"
        )
        admin.execute("INSERT INTO notify_webhook VALUES (%s, true)", [webhook_id])
        admin.execute(
            "INSERT INTO notify_delivery VALUES (%s, %s, 'pending', 0, now() - interval '1 hour',"
            " NULL, NULL)",
            [pk, webhook_id],
        )
        first, second = _pg_connect(autocommit=False), _pg_connect()
        try:
            for conn in (first, second):
                conn.execute(f'SET search_path TO "{schema}"')
            first.commit()
            counts: list[int] = []
            counts.append(first.execute(update_sql).rowcount)  # claimed, not yet committed
            other = threading.Thread(
                target=lambda: counts.append(second.execute(update_sql).rowcount), daemon=True
            )
            other.start()
            pid = second.info.backend_pid
            for _ in range(500):  # until the second worker waits for the first's row lock
                waiting = admin.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
                ).fetchone()
                if waiting and waiting[0] == "Lock":
                    break
                time.sleep(0.01)
            else:
                pytest.fail("the second claim never waited for the first")
            first.commit()
            other.join(10)
            return counts
        finally:
            first.close()
            second.close()
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.parametrize("shape", ["claim", "join"])
def test_two_concurrent_claims_on_postgresql_take_a_delivery_once(shape: str, actor: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL race: runs in the suite's PostgreSQL pass (DATABASE_URL set)")
    _register(actor, "il.admin", "https://hooks.il.example/")
    act(actor=actor("sy.liaison"), case=_case(), action="acknowledge")
    delivery = Delivery.objects.get()
    now = _later(1)
    with CaptureQueriesContext(connection) as queries:
        if shape == "claim":
            dispatch.claim(delivery.pk, now)
        else:  # the shape this test guards against, to show that the race is real
            Delivery.objects.filter(dispatch.due(now), pk=delivery.pk, webhook__active=True).update(
                **dispatch.claim_values(uuid.uuid4(), now)
            )
    [update_sql] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    schema = f"claim_race_{os.getpid()}_{shape}"
    counts = _race(update_sql, schema, delivery.pk, delivery.webhook_id)
    assert counts == ([1, 0] if shape == "claim" else [1, 1])
