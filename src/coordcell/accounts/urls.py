from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from coordcell.accounts import views

app_name = "accounts"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    # The one-time link a cell administrator hands a new person: Django's own
    # token check (bound to the unusable password, so it works once), our template.
    path(
        "setup/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/setup_password.html",
            success_url=reverse_lazy("account_login"),
        ),
        name="setup",
    ),
]
