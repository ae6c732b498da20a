from django.urls import path

from coordcell.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.lodge, name="lodge"),
    path("<uuid:public_id>/", views.case_page, name="case"),
    path("<uuid:public_id>/chain.json", views.chain, name="chain"),
    path("<uuid:public_id>/version/", views.give_version, name="give_version"),
    path("<uuid:public_id>/<str:action>/", views.take_step, name="step"),
]
