from django.urls import path

from coordcell.humanitarian import views

app_name = "humanitarian"
urlpatterns = [
    path("", views.file_list, name="files"),
    path("new/", views.file_new, name="new"),
    path("<uuid:public_id>/", views.file_page, name="file"),
    path("<uuid:public_id>/version/", views.file_version, name="version"),
    path("<uuid:public_id>/status/", views.file_status, name="status"),
    path("<uuid:public_id>/notified/", views.file_notified, name="notified"),
    path("<uuid:public_id>/access/", views.file_access, name="access"),
    path("<uuid:public_id>/share/", views.file_share, name="share"),
    path("<uuid:public_id>/request/", views.file_request, name="request"),
    path("<uuid:public_id>/link/", views.file_link, name="link"),
]
