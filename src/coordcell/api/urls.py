"""URLs of the API, version 1, and its schema and docs."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from coordcell.api import alerts, cases, record, views, webhooks
from coordcell.api.check import CheckView

router = SimpleRouter(trailing_slash=True)
router.register("parties", views.PartyViewSet, basename="party")
router.register("delegations", views.DelegationViewSet, basename="delegation")
router.register("arrangements", views.ArrangementViewSet, basename="arrangement")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/clauses/", views.ClauseListView.as_view(), name="clauses"),
    path("v1/zones/", views.ZoneCollectionView.as_view(), name="zones"),
    path("v1/places/", views.PlaceCollectionView.as_view(), name="places"),
    path("v1/protocols/", views.ProtocolListView.as_view(), name="protocols"),
    path("v1/check", CheckView.as_view(), name="check"),
    path("v1/memberships/<str:id>/end/", views.MembershipEndView.as_view(), name="membership-end"),
    path("v1/incidents/", cases.IncidentListView.as_view(), name="incidents"),
    path("v1/incidents/<str:id>/", cases.IncidentDetailView.as_view(), name="incident"),
    path(
        "v1/incidents/<str:id>/accounts/",
        cases.IncidentAccountView.as_view(),
        name="incident-accounts",
    ),
    path(
        "v1/incidents/<str:id>/evidence/",
        cases.EvidenceUploadView.as_view(),
        name="incident-evidence",
    ),
    path(
        "v1/incidents/<str:id>/evidence/<str:sha256>",
        cases.EvidenceDownloadView.as_view(),
        name="incident-evidence-file",
    ),
    path("v1/cases/", cases.CaseListView.as_view(), name="cases"),
    path("v1/cases/<str:id>/", cases.CaseDetailView.as_view(), name="case"),
    path("v1/cases/<str:id>/actions/", cases.CaseActionView.as_view(), name="case-actions"),
    path("v1/cases/<str:id>/extend/", cases.CaseExtendView.as_view(), name="case-extend"),
    path("v1/cases/<str:id>/chain/", cases.CaseChainView.as_view(), name="case-chain"),
    path("v1/inbox/", cases.InboxView.as_view(), name="inbox"),
    path("v1/hotline/", cases.ActivationListView.as_view(), name="hotline"),
    path("v1/hotline/<str:id>/", cases.ActivationDetailView.as_view(), name="activation"),
    path(
        "v1/hotline/<str:id>/answer/",
        cases.ActivationAnswerView.as_view(),
        name="activation-answer",
    ),
    path(
        "v1/hotline/<str:id>/convert/",
        cases.ActivationConvertView.as_view(),
        name="activation-convert",
    ),
    path("v1/scorecard/", cases.ScorecardView.as_view(), name="scorecard"),
    path("v1/inbox/read/", cases.InboxReadView.as_view(), name="inbox-read"),
    path("v1/alerts/", alerts.AlertFeedView.as_view(), name="alerts"),
    path("v1/alerts/<str:id>", alerts.AlertDetailView.as_view(), name="alert"),
    path("v1/webhooks/", webhooks.WebhookListView.as_view(), name="webhooks"),
    path(
        "v1/webhooks/<str:id>/deactivate",
        webhooks.WebhookDeactivateView.as_view(),
        name="webhook-deactivate",
    ),
    path("v1/record/checkpoint", record.LatestCheckpointView.as_view(), name="record-checkpoint"),
    path(
        "v1/record/checkpoints/<int:size>",
        record.CheckpointView.as_view(),
        name="record-checkpoint-size",
    ),
    path(
        "v1/record/checkpoints/<int:size>/cosignatures",
        record.CosignatureView.as_view(),
        name="record-cosignatures",
    ),
    path("v1/record/consistency", record.ConsistencyView.as_view(), name="record-consistency"),
    path("v1/record/entries", record.EntryListView.as_view(), name="record-entries"),
    path(
        "v1/record/entries/<int:seq>/proof",
        record.EntryProofView.as_view(),
        name="record-entry-proof",
    ),
    path("v1/record/witnesses", record.WitnessListView.as_view(), name="record-witnesses"),
    path(
        "v1/record/witnesses/<str:id>/retire",
        record.WitnessRetireView.as_view(),
        name="record-witness-retire",
    ),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
