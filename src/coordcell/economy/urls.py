from django.urls import path

from coordcell.economy import views

app_name = "economy"
urlpatterns = [
    path("", views.zone_page, name="zone"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("donor/", views.donor_page, name="donor"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<uuid:public_id>/", views.project_page, name="project"),
    path("projects/<uuid:public_id>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "projects/<uuid:public_id>/milestones/<uuid:milestone_id>/status/",
        views.milestone_status,
        name="milestone_status",
    ),
    path("projects/<uuid:public_id>/pledges/", views.pledge_add, name="pledge_add"),
    path("projects/<uuid:public_id>/commitments/", views.commitment_add, name="commitment_add"),
    path("projects/<uuid:public_id>/tranches/", views.tranche_add, name="tranche_add"),
]
