from django.urls import path

from coordcell.deconfliction import views

app_name = "deconfliction"
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("new/", views.notice_new, name="new"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("notices.geojson", views.notices_geojson, name="geojson"),
    path("humanitarian/", views.humanitarian_page, name="humanitarian"),
    path("<uuid:public_id>/", views.notice_page, name="notice"),
    path("<uuid:public_id>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
]
