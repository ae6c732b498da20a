"""The project's URLs plus an API view that writes and then fails, for the retry tests."""

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from coordcell import urls as project
from coordcell.core.models import WorkerBeat

calls: list[str] = []


def write_then_fail(request):
    """Writes a row, then fails half the time: a retry must find nothing of the first try."""
    calls.append(request.headers.get("Idempotency-Key", ""))
    WorkerBeat.objects.create(
        name=f"idempotency-test-{len(calls)}",
        started_at=timezone.now(),
        last_beat_at=timezone.now(),
    )
    if request.GET.get("fail") == "yes":
        raise RuntimeError("failed after writing")
    return JsonResponse({"written": WorkerBeat.objects.filter(name__startswith="idem").count()})


urlpatterns = [path("api/v1/test-write/", write_then_fail), *project.urlpatterns]
handler400 = project.handler400
handler500 = project.handler500
