"""URLs of the API, version 1, and its schema and docs."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from coordcell.api import views
from coordcell.api.check import CheckView

router = SimpleRouter(trailing_slash=True)
router.register("parties", views.PartyViewSet, basename="party")
router.register("delegations", views.DelegationViewSet, basename="delegation")
router.register("arrangements", views.ArrangementViewSet, basename="arrangement")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/clauses/", views.ClauseListView.as_view(), name="clauses"),
    path("v1/zones/", views.ZoneCollectionView.as_view(), name="zones"),
    path("v1/places/", views.PlaceCollectionView.as_view(), name="places"),
    path("v1/protocols/", views.ProtocolListView.as_view(), name="protocols"),
    path("v1/check", CheckView.as_view(), name="check"),
    path("v1/memberships/<str:id>/end/", views.MembershipEndView.as_view(), name="membership-end"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
