from django.urls import path

from coordcell.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("publications/", views.publications, name="publications"),
    path("publications/<uuid:public_id>/extend/", views.sign_extension, name="extend"),
    path("<uuid:public_id>/<str:language>/", views.rendition_html, name="html"),
    path("<uuid:public_id>/<str:language>.pdf", views.rendition_pdf, name="pdf"),
]

#: The public page of what was published (no login), mounted at /published/.
public_urlpatterns = [
    path("", views.published, name="published"),
    path("published.csv", views.published_csv, name="published_csv"),
    path("published.hxl.csv", views.published_csv, {"hxl": True}, name="published_hxl"),
]
