from django.urls import path

from coordcell.deconfliction import access_views, views

app_name = "deconfliction"
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("new/", views.notice_new, name="new"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("notices.geojson", views.notices_geojson, name="geojson"),
    path("humanitarian/", views.humanitarian_page, name="humanitarian"),
    path("access/", access_views.access_list, name="access_list"),
    path("access/new/", access_views.access_new, name="access_new"),
    path("access/<uuid:public_id>/", access_views.access_page, name="access"),
    path(
        "access/<uuid:public_id>/acknowledge/",
        access_views.access_acknowledge,
        name="access_acknowledge",
    ),
    path("access/<uuid:public_id>/answer/", access_views.access_answer, name="access_answer"),
    path("<uuid:public_id>/", views.notice_page, name="notice"),
    path("<uuid:public_id>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
    path("<uuid:public_id>/withdraw/", views.notice_withdraw, name="withdraw"),
]
