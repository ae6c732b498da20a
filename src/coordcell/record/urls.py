from django.urls import path

from coordcell.record import views

app_name = "record"
urlpatterns = [
    path("", views.record_page, name="record"),
    path("witnesses/", views.witness_register, name="witness_register"),
    path("witnesses/<uuid:public_id>/retire/", views.witness_retire, name="witness_retire"),
]
