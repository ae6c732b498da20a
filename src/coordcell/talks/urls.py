from django.urls import path

from coordcell.talks import views

app_name = "talks"
urlpatterns = [
    path("", views.board, name="board"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<uuid:public_id>/", views.meeting_page, name="meeting"),
    path("meetings/<uuid:public_id>/attendees/", views.participants, name="participants"),
    path("meetings/<uuid:public_id>/agenda/", views.agenda_add, name="agenda_add"),
    path(
        "meetings/<uuid:public_id>/agenda/<int:position>/close/",
        views.agenda_close,
        name="agenda_close",
    ),
    path("meetings/<uuid:public_id>/minutes/", views.minutes_draft, name="minutes_draft"),
    path(
        "meetings/<uuid:public_id>/minutes/translation/",
        views.minutes_translate,
        name="minutes_translate",
    ),
    path(
        "meetings/<uuid:public_id>/minutes/translation/<str:language>/",
        views.minutes_advance,
        name="minutes_advance",
    ),
    path(
        "meetings/<uuid:public_id>/minutes/circulate/",
        views.minutes_circulate,
        name="minutes_circulate",
    ),
    path(
        "meetings/<uuid:public_id>/minutes/approve/", views.minutes_approve, name="minutes_approve"
    ),
    path("meetings/<uuid:public_id>/summary/", views.summary, name="summary"),
    path("meetings/<uuid:public_id>/notes/", views.notes, name="notes"),
    path("meetings/<uuid:public_id>/media/", views.media, name="media"),
    path("meetings/<uuid:public_id>/held/", views.held, name="held"),
    path("meetings/<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("requests/", views.request_new, name="request_new"),
    path("requests/<uuid:public_id>/answer/", views.request_answer, name="request_answer"),
    path("lexicon/", views.lexicon, name="lexicon"),
    path("lexicon/propose/", views.lexicon_propose, name="lexicon_propose"),
    path("lexicon/<uuid:public_id>/", views.lexicon_decide, name="lexicon_decide"),
    path("calendar.ics", views.calendar_export, name="calendar"),
    path("calendar/", views.subscriptions, name="subscriptions"),
    path("calendar/<int:pk>/revoke/", views.subscription_revoke, name="subscription_revoke"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="feed"),
]
