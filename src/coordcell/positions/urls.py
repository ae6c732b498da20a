from django.urls import path

from coordcell.positions import views

app_name = "positions"
urlpatterns = [
    path("", views.position_list, name="list"),
    path("new/", views.declare, name="declare"),
    path("import/", views.import_page, name="import"),
    path("export.geojson", views.export, name="export"),
    path("sealed/", views.sealed, name="sealed"),
    path("sealed/seal/", views.seal, name="seal"),
    path("totals/", views.totals, name="totals"),
    path("disputes/<uuid:public_id>/", views.dispute_page, name="dispute"),
    path("disputes/<uuid:public_id>/consent/", views.dispute_consent, name="consent"),
    path("disputes/<uuid:public_id>/reveal/", views.dispute_reveal, name="reveal"),
    path("reveals/<uuid:public_id>/file.json", views.reveal_file, name="reveal_file"),
    path("changes/<uuid:public_id>/agree/", views.agree, name="agree"),
    path("<uuid:public_id>/", views.position_detail, name="detail"),
]
