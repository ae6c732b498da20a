from django.urls import path

from coordcell.situation import views

app_name = "situation"
urlpatterns = [
    path("", views.situation_map, name="map"),
    path("basemap.json", views.basemap, name="basemap"),
    path("incidents.json", views.incidents, name="incidents"),
    path("projects.json", views.projects, name="projects"),
    path("denials.json", views.denials, name="denials"),
    path("mgrs.json", views.mgrs, name="mgrs"),
    path("places.json", views.gazetteer, name="gazetteer"),
]
