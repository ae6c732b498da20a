from django.urls import path

from coordcell.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.delegation_list, name="delegations"),
    path("new/", views.delegation_create, name="delegation_create"),
    path("<uuid:public_id>/", views.delegation_detail, name="delegation"),
    path("<uuid:public_id>/rename/", views.delegation_rename, name="delegation_rename"),
    path("<uuid:public_id>/close/", views.delegation_close, name="delegation_close"),
    path("<uuid:public_id>/reopen/", views.delegation_reopen, name="delegation_reopen"),
    path("<uuid:public_id>/members/add/", views.member_add, name="member_add"),
    path("<uuid:public_id>/people/new/", views.person_create, name="person_create"),
    path("memberships/<uuid:public_id>/end/", views.membership_end, name="membership_end"),
    path(
        "memberships/<uuid:public_id>/call-sign/",
        views.membership_call_sign,
        name="membership_call_sign",
    ),
]
