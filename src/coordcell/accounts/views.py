"""Account pages: one's own API tokens.

Tokens are written only through ``accounts.services``; a token that is not the
caller's answers 404, like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.accounts import selectors, services
from coordcell.accounts.forms import ApiTokenForm
from coordcell.accounts.models import ApiToken
from coordcell.accounts.second_factor import lacks_required_second_factor
from coordcell.core.errors import ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required


def _render_tokens(
    request: HttpRequest,
    form: ApiTokenForm,
    *,
    clear: str = "",
    created: ApiToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": selectors.list_tokens(actor_for(request)),
        "clear": clear,
        "created": created,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@member_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List one's tokens; POST creates one and shows its clear text this once.

    The page is under ``/accounts/``, which the second-factor gate leaves open for
    enrolment, so it applies the rule itself: no second factor, no token.
    """
    if lacks_required_second_factor(request.user):
        messages.info(request, _("Set up a second factor before you create an API token."))
        return redirect("mfa_activate_totp")
    if request.method != "POST":
        return _render_tokens(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, clear = services.create_api_token(
                actor=actor_for(request), name=form.cleaned_data["name"]
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            # Rendered, not redirected: the clear token must never be stored to be
            # shown on a later request.
            return _render_tokens(request, ApiTokenForm(), clear=clear, created=token)
    return _render_tokens(request, form, status=400)


@member_required
@require_POST
def token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    """Revoke one of one's own tokens."""
    actor = actor_for(request)
    token = selectors.access_token(actor, public_id)
    try:
        services.revoke_api_token(actor=actor, token=token)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The token has been revoked."))
    return redirect("accounts:tokens")
