from django.urls import path

from coordcell.proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("<uuid:public_id>/", views.proposal_page, name="proposal"),
    path("<uuid:public_id>/versions/", views.version_add, name="version_add"),
    path("<uuid:public_id>/versions/<int:number>/position/", views.stance_add, name="stance_add"),
    path("<uuid:public_id>/commitments/", views.commitment_add, name="commitment_add"),
    path("commitments/", views.commitment_list, name="commitments"),
    path("commitments/pam.csv", views.pam_export, name="pam"),
    path("commitments/<uuid:public_id>/", views.commitment_page, name="commitment"),
    path(
        "commitments/<uuid:public_id>/indicators/<uuid:indicator_id>/verify/",
        views.indicator_verify,
        name="verify",
    ),
    path("commitments/<uuid:public_id>/extensions/", views.extension_add, name="extension_add"),
    path(
        "commitments/<uuid:public_id>/extensions/<uuid:extension_id>/agree/",
        views.extension_agree,
        name="extension_agree",
    ),
    path("commitments/<uuid:public_id>/assessments/", views.assessment_add, name="assess"),
]
