from django.urls import path

from coordcell.sharing import stix_views, views

app_name = "sharing"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("new/", views.new_item, name="new"),
    path("inbox/", views.inbox, name="inbox"),
    path("consent/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("consent/<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/widen/", views.widen, name="widen"),
    path("<uuid:public_id>/narrow/", views.narrow, name="narrow"),
    path("<uuid:public_id>/redact/", views.redact, name="redact"),
    path("<uuid:public_id>/tearline/", views.tearline, name="tearline"),
    path("<uuid:public_id>/releasability/", views.releasability, name="releasability"),
    path("<uuid:public_id>/files/", views.upload, name="upload"),
    path("<uuid:public_id>/files/<str:sha256>", views.download, name="download"),
    path("<uuid:public_id>/access/", views.access, name="access"),
    # STIX 2.1 download and upload (issue 14, docs/stix-taxii.md)
    path("stix/", stix_views.stix_page, name="stix"),
    path("stix/export/", stix_views.stix_download, name="stix-export"),
    path("stix/import/", stix_views.stix_upload, name="stix-import"),
]
