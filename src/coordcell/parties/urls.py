from django.urls import path

from coordcell.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.delegation_list, name="delegations"),
    path("<uuid:public_id>/", views.delegation_detail, name="delegation"),
]
