"""The app's own error pages: translated, in the app's layout, and never a traceback."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.integration.error_urls")]

SECRET = "Private title of another party"


def _client() -> Client:
    return Client(raise_request_exception=False)


def test_it_answers_a_failure_with_the_apps_page_and_no_details() -> None:
    response = _client().get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "<h1>Something went wrong</h1>" in html
    assert "/static/coordcell/coordcell.css" in html
    assert SECRET not in html
    assert "Traceback" not in html
    assert "Boom" not in html


@override_settings(DEBUG=False)
def test_it_answers_a_failure_in_arabic_right_to_left() -> None:
    response = _client().get("/boom/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>حدث خطأ</h1>" in html
    assert SECRET not in html


def test_it_answers_a_failure_of_the_api_in_the_apis_error_shape() -> None:
    response = _client().post("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "server_error", "message": "Something went wrong on the server."}
    }


def test_it_answers_a_missing_page_with_the_apps_page(client_for) -> None:
    response = client_for("il.liaison").get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'class="topbar"' in html


def test_it_answers_a_bad_request_with_the_apps_page() -> None:
    # A host name outside ALLOWED_HOSTS is refused with 400 before any view runs.
    response = _client().get("/accounts/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Bad request</h1>" in html
    assert "attacker.example" not in html


def test_it_answers_a_refusal_with_the_apps_page_and_its_reason(client_for) -> None:
    from coordcell.cases.models import Case

    case = Case.objects.order_by("pk").first()
    # The respondent may read the case but not correct the complainant's incident report.
    response = client_for("sy.liaison").get(f"/cases/{case.public_id}/incident/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Not allowed</h1>" in html
    assert "Only the party that reported an incident may correct it." in html
    assert 'class="topbar"' in html
