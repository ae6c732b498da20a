"""Signed webhooks: who registers them, what is queued for whom, and how the worker
sends, signs, retries and claims each delivery (against a local HTTP server)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from coordcell.cases.models import Case
from coordcell.cases.services import act
from coordcell.notify import services
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from tests.integration.api.conftest import AUTHS, NOT_FOUND

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


class Receiver:
    """A local HTTP endpoint that records each request and answers from a script."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/elsewhere"))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
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
    assert [w["id"] for w in listed.json()] == [created["id"]]
    assert "secret" not in listed.json()[0]
    assert secret.encode() not in listed.content
    deactivated = client.post(f"/api/v1/webhooks/{created['id']}/deactivate")
    assert deactivated.status_code == 200
    assert secret.encode() not in deactivated.content
    assert not Entry.objects.filter(canonical__contains=secret).exists()


def test_each_party_lists_only_its_own_webhooks(api: Any, actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    _register(actor, "sy.admin", "https://hooks.sy.example/")
    assert [w["party"] for w in api("il.liaison").get("/api/v1/webhooks/").json()] == ["il"]
    assert [w["party"] for w in api("sy.admin").get("/api/v1/webhooks/").json()] == ["sy"]
    for username in ("observer", "donor", "monitor", "mediator"):
        assert api(username).get("/api/v1/webhooks/").json() == []


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
    with pytest.raises(services.ValidationFailed):
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
    case = act(actor("sy.liaison"), _case(), "acknowledge")
    step = case.steps.order_by("-pk").first()
    queued = {d.webhook_id for d in Delivery.objects.filter(step=step)}
    assert queued == {il.pk, us.pk}
    services.deliver_due(_later(1))
    assert sorted(r["path"] for r in receiver.requests) == ["/il", "/us"]
    assert not Delivery.objects.filter(webhook__in=outside).exists()


def test_an_inactive_webhook_gets_nothing(actor: Any) -> None:
    webhook, _ = _register(actor, "il.admin", "https://hooks.il.example/")
    services.deactivate_webhook(actor=actor("il.admin"), webhook=webhook)
    act(actor("sy.liaison"), _case(), "acknowledge")
    assert not Delivery.objects.exists()


def test_a_step_that_fails_queues_nothing(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    with pytest.raises(services.PermissionDenied):
        act(actor("observer"), _case(), "acknowledge")
    assert not Delivery.objects.exists()


# --- sending -----------------------------------------------------------------------------


def test_the_worker_posts_a_signed_payload_with_what_the_party_may_read(
    actor: Any, receiver: Receiver
) -> None:
    webhook, secret = _register(actor, "il.admin", receiver.url())
    case = act(actor("mediator"), _case(), "escalate")
    assert services.deliver_due(_later(1)) == 1
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
        "case": {"id": str(case.public_id), "reference": case.reference},
        "action": "escalate",
        "state": case.state,
        "level": 1,
        "level_name": "cell_principals",
        "at": step.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "entry": {"seq": step.entry.seq, "hash": step.entry.hash},
    }
    assert case.summary not in request["body"].decode()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert str(delivery.public_id) == headers["X-Coordcell-Delivery"]
    listed = services.deliver_due(_later(3600))
    assert listed == 0  # delivered once, never again
    assert len(receiver.requests) == 1
    assert webhook.deliveries.get().delivered_at is not None


def test_a_500_is_retried_with_backoff(actor: Any, receiver: Receiver) -> None:
    _webhook, secret = _register(actor, "il.admin", receiver.url())
    act(actor("sy.liaison"), _case(), "acknowledge")
    receiver.script = [500, 503]
    now = _later(1)
    services.deliver_due(now)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at == now + services.backoff(1)
    assert services.deliver_due(now + dt.timedelta(seconds=10)) == 0  # not due yet
    services.deliver_due(now + services.backoff(1))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 2, 503)
    assert delivery.next_attempt_at == now + services.backoff(1) + services.backoff(2)
    services.deliver_due(now + dt.timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Coordcell-Delivery"] for r in receiver.requests}) == 1
    assert all(_verify(secret, r) for r in receiver.requests)


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [services.backoff(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


@override_settings(WEBHOOK_MAX_ATTEMPTS=2)
def test_a_delivery_is_given_up_after_the_last_attempt(actor: Any, receiver: Receiver) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor("sy.liaison"), _case(), "acknowledge")
    receiver.script = [500, 500, 500]
    services.deliver_due(_later(1))
    services.deliver_due(_later(3600))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 2, "HTTP 500")
    assert services.deliver_due(_later(7200)) == 0
    assert len(receiver.requests) == 2


def test_an_unreachable_endpoint_is_a_failed_attempt(actor: Any) -> None:
    _register(actor, "il.admin", "http://127.0.0.1:9/refused")  # discard port: nothing there
    act(actor("sy.liaison"), _case(), "acknowledge")
    services.deliver_due(_later(1))
    delivery = Delivery.objects.get()
    assert delivery.state == "pending"
    assert delivery.attempts == 1
    assert delivery.last_status is None
    assert delivery.last_error


def test_a_redirect_is_not_followed(actor: Any, receiver: Receiver) -> None:
    _register(actor, "il.admin", receiver.url("/hook"))
    act(actor("sy.liaison"), _case(), "acknowledge")
    receiver.script = [302]
    services.deliver_due(_later(1))
    assert [r["path"] for r in receiver.requests] == ["/hook"]  # not /elsewhere
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status) == ("pending", 302)


def test_no_proxy_from_the_environment_is_used(
    actor: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    _register(actor, "il.admin", receiver.url())
    act(actor("sy.liaison"), _case(), "acknowledge")
    services.deliver_due(_later(1))
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().state == "delivered"


def test_deactivating_cancels_what_was_not_sent(actor: Any, receiver: Receiver) -> None:
    webhook, _ = _register(actor, "il.admin", receiver.url())
    act(actor("sy.liaison"), _case(), "acknowledge")
    services.deactivate_webhook(actor=actor("il.admin"), webhook=webhook)
    assert services.deliver_due(_later(1)) == 0
    assert Delivery.objects.get().state == "cancelled"
    assert receiver.requests == []


# --- claims ------------------------------------------------------------------------------


def test_a_delivery_is_claimed_once(actor: Any) -> None:
    _register(actor, "il.admin", "https://hooks.il.example/")
    act(actor("sy.liaison"), _case(), "acknowledge")
    delivery = Delivery.objects.get()
    now = _later(1)
    first = services.claim(delivery.pk, now)
    assert first is not None
    assert services.claim(delivery.pk, now) is None
    assert services.claim(delivery.pk, now + dt.timedelta(seconds=30)) is None  # lease holds
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.claim) == ("sending", 1, first)


def test_a_second_worker_never_sends_what_the_first_is_sending(
    actor: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor("sy.liaison"), _case(), "acknowledge")
    now = _later(1)
    real_send = services.send
    seen: list[int] = []

    def send_while_another_worker_runs(delivery: Delivery) -> services.Outcome:
        seen.append(services.deliver_due(now))  # the other worker, mid-send
        return real_send(delivery)

    monkeypatch.setattr(services, "send", send_while_another_worker_runs)
    assert services.deliver_due(now) == 1
    assert seen == [0]
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().state == "delivered"


def test_a_delivery_left_sending_by_a_dead_worker_is_taken_again_after_the_lease(
    actor: Any, receiver: Receiver
) -> None:
    _register(actor, "il.admin", receiver.url())
    act(actor("sy.liaison"), _case(), "acknowledge")
    delivery = Delivery.objects.get()
    now = _later(1)
    stale = services.claim(delivery.pk, now)  # the worker dies before sending
    assert stale is not None
    assert services.deliver_due(now + dt.timedelta(seconds=30)) == 0
    assert services.deliver_due(now + services._lease() + dt.timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert delivery.claim != stale
    assert len(receiver.requests) == 1


def test_the_worker_job_is_registered() -> None:
    from coordcell.core.worker import registered_jobs

    assert "notify.webhooks" in [j.name for j in registered_jobs()]
