from django.urls import path

from coordcell.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.timeline_page, name="timeline"),
    path("steps/<uuid:public_id>/", views.step_page, name="step"),
    path("inspections/", views.inspections_page, name="inspections"),
    path("inspections/report/", views.report_new, name="report_new"),
    path("inspections/reports/<uuid:public_id>/", views.report_page, name="report"),
    path("denials/", views.denials_page, name="denials"),
]
