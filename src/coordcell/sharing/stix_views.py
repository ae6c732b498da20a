"""The STIX page of the sharing pages: download what one reads as a STIX 2.1 bundle,
upload a bundle to share its items (docs/stix-taxii.md).

Reads through ``sharing.stix_selectors``, writes through ``sharing.stix_services`` (the
same calls as the API and the console command)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.core.http import actor_for, member_required
from coordcell.interop import stix
from coordcell.sharing import services, stix_selectors, stix_services
from coordcell.sharing.choices import Surface, TierChoices, TlpChoices

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


class StixUploadForm(forms.Form):
    """A STIX 2.1 bundle and the audience its items are shared with."""

    file = forms.FileField(label=gettext_lazy("STIX 2.1 bundle (JSON)"))
    tier = forms.ChoiceField(
        label=gettext_lazy("Audience of the items"), choices=TierChoices.choices()
    )
    tlp = forms.ChoiceField(
        label=gettext_lazy("TLP of objects without a TLP marking"),
        choices=[("", "—"), *TlpChoices.choices()],
        required=False,
    )
    counterpart = forms.CharField(
        label=gettext_lazy("The other party (bilateral)"), required=False, max_length=40
    )
    releasability = forms.CharField(
        label=gettext_lazy("Releasable to (party codes, * for the public)"),
        required=False,
        max_length=400,
    )


def _page(request: HttpRequest, form: StixUploadForm, status: int = 200) -> HttpResponse:
    return render(request, "sharing/stix.html", {"form": form}, status=status)


@member_required
def stix_page(request: HttpRequest) -> HttpResponse:
    """Download and upload, with what each does."""
    return _page(request, StixUploadForm())


@member_required
def stix_download(request: HttpRequest) -> HttpResponse:
    """The items the reader may read, as one STIX 2.1 bundle (each logged as an export)."""
    actor = actor_for(request)
    items = list(stix_selectors.export_items(actor))
    document = stix_selectors.export_document(actor, items)
    for item in items:
        services.log_access(actor=actor, item=item, surface=Surface.EXPORT)
    response = HttpResponse(json.dumps(document, ensure_ascii=False), content_type=STIX_MEDIA_TYPE)
    response["Content-Disposition"] = 'attachment; filename="coordcell-stix.json"'
    return response


@require_POST
@member_required
def stix_upload(request: HttpRequest) -> HttpResponse:
    """Share a bundle's items as the reader's party's (validated first, all or nothing)."""
    actor = actor_for(request)
    form = StixUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > stix.MAX_BUNDLE_BYTES:
        form.add_error("file", _("The bundle is too large."))
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        result = stix_services.import_bundle(
            actor=actor,
            document=upload.read(),
            tier=data["tier"],
            tlp=data["tlp"],
            counterpart=data["counterpart"],
            releasability=[c for c in data["releasability"].replace(",", " ").split() if c],
        )
    except ValidationFailed as exc:
        for key, problems in exc.fields.items():
            for problem in problems:
                form.add_error(None, f"{key}: {problem}" if key else problem)
        return _page(request, form, status=400)
    except (PermissionDenied, Conflict) as exc:
        form.add_error(None, str(exc.message))
        return _page(request, form, status=403)
    messages.success(
        request,
        _("%(created)s item(s) shared, %(skipped)s already imported.")
        % {"created": len(result.created), "skipped": len(result.skipped)},
    )
    return redirect("sharing:feed")
