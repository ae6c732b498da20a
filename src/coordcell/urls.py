"""Top-level URLs: the UI, the API, accounts (allauth) and language switching."""

from django.contrib import admin
from django.urls import include, path

from coordcell.agreements.api import PlaceCollectionView, ZoneCollectionView
from coordcell.deconfliction.api import NoticeLayerView
from coordcell.parties.views import invitation, profile
from coordcell.positions.api import ExportView as PositionsExportView
from coordcell.reports.urls import public_urlpatterns as public_urls
from coordcell.situation import gis_urls

#: The API's GeoJSON layers without their trailing slash too: GIS clients (GDAL, QGIS)
#: open a URL exactly as given (issue 17). Not in the OpenAPI document twice.
_NO_SLASH = [
    path("v1/zones", ZoneCollectionView.as_view(schema=None), name="zones"),
    path("v1/places", PlaceCollectionView.as_view(schema=None), name="places"),
    path("v1/positions/export", PositionsExportView.as_view(schema=None), name="positions-export"),
    path("v1/notices/layer", NoticeLayerView.as_view(schema=None), name="notices-layer"),
]

urlpatterns = [
    # The GIS doors (OGC API - Features, exports) first: the API's own routes end in a
    # catch-all JSON 404.
    path("api/", include((gis_urls.api_urlpatterns, "gis-api"))),
    path("api/", include((_NO_SLASH, "no-slash"))),
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
    path("gis/", include("coordcell.situation.gis_urls")),
    path("arrangement/", include("coordcell.agreements.urls")),
    path("delegations/", include("coordcell.parties.urls")),
    path("record/", include("coordcell.record.urls")),
    path("cases/", include("coordcell.cases.urls")),
    path("verification/", include("coordcell.verification.urls")),
    path("positions/", include("coordcell.positions.urls")),
    path("notices/", include("coordcell.deconfliction.urls")),
    path("economy/", include("coordcell.economy.urls")),
    path("talks/", include("coordcell.talks.urls")),
    path("humanitarian/", include("coordcell.humanitarian.urls")),
    path("sharing/", include("coordcell.sharing.urls")),
    path("proposals/", include("coordcell.proposals.urls")),
    path("reports/", include("coordcell.reports.urls")),
    path("published/", include((public_urls, "published"))),
    path("", include("coordcell.ui.urls")),
]

# 403 and 404 use Django's views with the app's templates (403.html, 404.html).
handler400 = "coordcell.ui.errors.bad_request"
handler500 = "coordcell.ui.errors.server_error"
