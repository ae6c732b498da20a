"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.urls import path

from coordcell import urls as project


class Boom(Exception):
    """Carries text that must never reach the answer."""


def page_boom(request):
    raise Boom("Private title of another party's incident (fictional)")


def api_boom(request):
    raise Boom("Private title of another party's incident (fictional)")


urlpatterns = [
    path("boom/", page_boom),
    path("api/v1/boom/", api_boom),
    *project.urlpatterns,
]
handler400 = getattr(project, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(project, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(project, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(project, "handler500", "django.views.defaults.server_error")
