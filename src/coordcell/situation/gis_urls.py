"""URLs of the GIS doors: the OGC API – Features and the exports under ``/api/``
(``api_urlpatterns``, namespace ``gis-api``), and the operators' page under ``/gis/``.

Every GIS path opens as given, with or without a trailing slash: GDAL opens a URL as
typed, and a missing slash would meet the API's JSON 404. The API's existing GeoJSON
layers get a no-slash alias in ``coordcell/urls.py`` for the same reason.
"""

from django.urls import re_path

from coordcell.situation import gis_views, ogc

_ID = r"(?P<collection>[a-z_]+)"

api_urlpatterns = [
    re_path(r"^features/?$", ogc.LandingView.as_view(), name="landing"),
    re_path(r"^features/conformance/?$", ogc.ConformanceView.as_view(), name="conformance"),
    re_path(r"^features/collections/?$", ogc.CollectionsView.as_view(), name="collections"),
    re_path(rf"^features/collections/{_ID}/?$", ogc.CollectionView.as_view(), name="collection"),
    re_path(rf"^features/collections/{_ID}/items/?$", ogc.ItemsView.as_view(), name="items"),
    re_path(
        rf"^features/collections/{_ID}/items/(?P<fid>[^/]+)/?$",
        ogc.ItemView.as_view(),
        name="item",
    ),
    re_path(r"^exports/layers\.gpkg$", gis_views.AllLayersView.as_view(), name="export-all"),
    re_path(
        rf"^exports/{_ID}\.(?P<fmt>geojson|kml|gpkg)$",
        gis_views.LayerExportView.as_view(),
        name="export",
    ),
]

app_name = "gis"
urlpatterns = [
    re_path(r"^$", gis_views.exports_page, name="exports"),
]
