"""Top-level URLs: the UI, the API, accounts (allauth) and language switching."""

from django.contrib import admin
from django.urls import include, path

from coordcell.parties.views import invitation, profile

urlpatterns = [
    path("api/", include("coordcell.api.urls")),
    # One's own profile lists one's memberships, which the parties app owns.
    path("accounts/profile/", profile, name="profile"),
    # A first administrator's one-time link (coordcell cell init); under /accounts/ like
    # the other pages someone without a second factor yet must reach.
    path("accounts/invitation/<str:token>/", invitation, name="invitation"),
    path("accounts/", include("coordcell.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("map/", include("coordcell.situation.urls")),
    path("arrangement/", include("coordcell.agreements.urls")),
    path("delegations/", include("coordcell.parties.urls")),
    path("record/", include("coordcell.record.urls")),
    path("cases/", include("coordcell.cases.urls")),
    path("verification/", include("coordcell.verification.urls")),
    path("positions/", include("coordcell.positions.urls")),
    path("notices/", include("coordcell.deconfliction.urls")),
    path("economy/", include("coordcell.economy.urls")),
    path("humanitarian/", include("coordcell.humanitarian.urls")),
    path("sharing/", include("coordcell.sharing.urls")),
    path("", include("coordcell.ui.urls")),
]

# 403 and 404 use Django's views with the app's templates (403.html, 404.html).
handler400 = "coordcell.ui.errors.bad_request"
handler500 = "coordcell.ui.errors.server_error"
