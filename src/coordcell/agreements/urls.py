from django.urls import path

from coordcell.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.arrangement, name="arrangement"),
    path("sources/", views.sources, name="sources"),
]
