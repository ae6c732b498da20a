from django.urls import path

from coordcell.ui import views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
]
