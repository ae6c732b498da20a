from django.urls import path

from coordcell.economy import views

app_name = "economy"
urlpatterns = [
    path("", views.zone_page, name="zone"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("donor/", views.donor_page, name="donor"),
    path("projects/<uuid:public_id>/", views.project_page, name="project"),
]
