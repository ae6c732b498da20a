from django.urls import path

from coordcell.cases import exchange_views, harm_views, roster_views, views

app_name = "cases"
urlpatterns = [
    path("", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.lodge, name="lodge"),
    path("inquiry/", views.inquiry, name="inquiry"),
    path("hotline/", views.hotline_console, name="hotline"),
    path("hotline/roster/", roster_views.roster_page, name="roster"),
    path(
        "hotline/roster/<uuid:public_id>/remove/", roster_views.roster_remove, name="roster_remove"
    ),
    path("hotline/handover/", roster_views.handover_page, name="handover"),
    path(
        "hotline/handover/<uuid:public_id>/acknowledge/",
        roster_views.handover_acknowledge,
        name="handover_acknowledge",
    ),
    path("hotline/checks/", roster_views.checks_page, name="checks"),
    path("hotline/checks/<uuid:public_id>/answer/", roster_views.check_answer, name="check_answer"),
    path("hotline/<uuid:public_id>/answer/", views.hotline_answer, name="hotline_answer"),
    path("hotline/<uuid:public_id>/", exchange_views.hotline_call, name="hotline_call"),
    path(
        "hotline/messages/<uuid:public_id>/relay/",
        exchange_views.hotline_relay,
        name="hotline_relay",
    ),
    path(
        "commitments/<uuid:public_id>/<str:outcome>/",
        exchange_views.commitment_close,
        name="commitment_close",
    ),
    path("scorecard/", views.scorecard_page, name="scorecard"),
    path("warnings/", exchange_views.warnings_page, name="warnings"),
    path("warnings/<uuid:public_id>/", exchange_views.warning_page, name="warning"),
    path("warnings/<uuid:public_id>/<str:step>/", exchange_views.warning_step, name="warning_step"),
    path("ledger/", exchange_views.ledger_page, name="ledger"),
    path("scorecard/release/", views.scorecard_release, name="scorecard_release"),
    path("<uuid:public_id>/", views.case_page, name="case"),
    path("<uuid:public_id>/chain.json", views.chain, name="chain"),
    path("<uuid:public_id>/version/", views.give_version, name="give_version"),
    path("<uuid:public_id>/casualties/", harm_views.give_casualties, name="give_casualties"),
    path("<uuid:public_id>/property/", harm_views.record_property, name="record_property"),
    path(
        "<uuid:public_id>/property/<uuid:record>/",
        harm_views.property_version,
        name="property_version",
    ),
    path("<uuid:public_id>/incident/", views.correct_incident, name="correct_incident"),
    path("<uuid:public_id>/extend/", views.extend, name="extend"),
    path(
        "<uuid:public_id>/remedies/<uuid:remedy>/<str:step>/",
        views.remedy_step,
        name="remedy_step",
    ),
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
