"""Django admin is a read-only window: it lists, and never writes past the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

pytestmark = pytest.mark.django_db

MODELS = sorted(
    f"{m._meta.app_label}/{m._meta.model_name}"
    for m in admin.site._registry
    if m._meta.app_label in {"core", "accounts", "record", "parties", "agreements"}
)


@pytest.fixture
def superuser(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="root-password-123")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_a_superuser_can_list_but_not_add(superuser, model: str) -> None:
    assert superuser.get(f"/admin/{model}/").status_code == 200
    assert superuser.get(f"/admin/{model}/add/").status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_members_of_the_cell_are_not_admin_users(client_for, model: str) -> None:
    response = client_for("il.admin").get(f"/admin/{model}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_every_domain_model_is_registered() -> None:
    assert {
        "parties/party",
        "parties/delegation",
        "record/entry",
        "agreements/arrangementversion",
    } <= set(MODELS)
