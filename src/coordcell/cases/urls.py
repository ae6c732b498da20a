from django.urls import path

from coordcell.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.lodge, name="lodge"),
    path("hotline/", views.hotline_console, name="hotline"),
    path("hotline/<uuid:public_id>/answer/", views.hotline_answer, name="hotline_answer"),
    path("scorecard/", views.scorecard_page, name="scorecard"),
    path("<uuid:public_id>/", views.case_page, name="case"),
    path("<uuid:public_id>/chain.json", views.chain, name="chain"),
    path("<uuid:public_id>/version/", views.give_version, name="give_version"),
    path("<uuid:public_id>/incident/", views.correct_incident, name="correct_incident"),
    path("<uuid:public_id>/extend/", views.extend, name="extend"),
    path("<uuid:public_id>/precedence/", views.precedence, name="precedence"),
    path(
        "<uuid:public_id>/extension/<str:decision>/",
        views.extension_decision,
        name="extension_decision",
    ),
    path("<uuid:public_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<uuid:public_id>/evidence/<str:sha256>/", views.evidence_file, name="evidence_file"),
    path(
        "<uuid:public_id>/evidence/<str:sha256>/original/",
        views.evidence_original,
        name="evidence_original",
    ),
    path("<uuid:public_id>/<str:action>/", views.take_step, name="step"),
]
