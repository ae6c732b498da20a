from django.urls import path

from coordcell.situation import views

app_name = "situation"
urlpatterns = [
    path("", views.situation_map, name="map"),
    path("basemap.json", views.basemap, name="basemap"),
]
