"""Delegation pages: the list, one delegation with its members, and the forms to manage them.

Reads go through ``parties.selectors`` (a delegation the actor may not see answers
404, like a missing one); writes go through ``parties.services``. Manage actions
check up front that the actor may manage the delegation (403 otherwise), so that a
refused request never reaches form validation and never tells more than "no".
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from coordcell.accounts import totp
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.parties import selectors, services
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.forms import (
    DOMAIN_ALIASES,
    AddMemberForm,
    CallSignForm,
    CreatePersonForm,
    DelegationCreateForm,
    DelegationNamesForm,
    InvitationForm,
)
from coordcell.parties.models import Delegation, Membership

LANGUAGE_LABELS = [
    ("en", "ltr", gettext_lazy("English")),
    ("ar", "rtl", gettext_lazy("Arabic")),
    ("he", "rtl", gettext_lazy("Hebrew")),
]

# Three forms share the delegation page: distinct element ids, unprefixed field names.
NAMES_ID, MEMBER_ID, PERSON_ID = "names_%s", "member_%s", "person_%s"


def _managed_delegation(actor: Actor, public_id: object) -> Delegation:
    """The delegation if the actor may manage it; NotFound if hidden, else PermissionDenied."""
    delegation = selectors.access_delegation(actor, public_id)
    if not selectors.may_manage(actor, delegation):
        raise PermissionDenied()
    return delegation


def _managed_membership(actor: Actor, public_id: object) -> Membership:
    membership = selectors.access_membership(actor, public_id)
    if not selectors.may_manage(actor, membership.delegation):
        raise PermissionDenied()
    return membership


# The list -------------------------------------------------------------------------


def _render_list(
    request: HttpRequest, form: DelegationCreateForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request)
    delegations = selectors.list_delegations(actor).annotate(
        member_count=Count("memberships", filter=Q(memberships__active=True))
    )
    groups: list[dict[str, Any]] = []
    for delegation in delegations:
        if not groups or groups[-1]["party"].pk != delegation.party_id:
            party = delegation.party
            groups.append(
                {
                    "party": party,
                    "kind_label": PartyKindChoices.label(party.kind),
                    "kind_colour": PartyKindChoices.colour(party.kind),
                    "delegations": [],
                }
            )
        groups[-1]["delegations"].append(delegation)
    if form is None and selectors.list_manageable_parties(actor).exists():
        form = DelegationCreateForm(actor=actor)
    return render(
        request, "parties/delegation_list.html", {"groups": groups, "form": form}, status=status
    )


@member_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    """The delegations the actor may know of, by party; a creation form for administrators."""
    return _render_list(request)


@member_required
@require_POST
def delegation_create(request: HttpRequest) -> HttpResponse:
    """Create a delegation of a party the actor manages."""
    actor = actor_for(request)
    if not selectors.list_manageable_parties(actor).exists():
        raise PermissionDenied()
    form = DelegationCreateForm(request.POST, actor=actor)
    if form.is_valid():
        party = selectors.access_party(actor, form.cleaned_data["party"])
        try:
            delegation = services.create_delegation(
                actor=actor,
                party=party,
                names=form.names(),
                fictional=form.cleaned_data["fictional"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, DOMAIN_ALIASES)
        else:
            messages.success(request, _("The delegation has been created."))
            return redirect("parties:delegation", public_id=delegation.public_id)
    return _render_list(request, form, status=400)


# One delegation ---------------------------------------------------------------------


def _render_detail(
    request: HttpRequest, delegation: Delegation, status: int = 200, **extra: Any
) -> HttpResponse:
    actor = actor_for(request)
    context: dict[str, Any] = {
        "delegation": delegation,
        "kind_label": PartyKindChoices.label(delegation.party.kind),
        "kind_colour": PartyKindChoices.colour(delegation.party.kind),
        "names": [
            (code, direction, label, delegation.names.get(code, ""))
            for code, direction, label in LANGUAGE_LABELS
        ],
        "members": selectors.list_members(actor, delegation),
        "may_manage": selectors.may_manage(actor, delegation),
        # Real names and user names only for the party's own people; everyone else
        # (the mediator included) reads call signs.
        "knows_names": selectors.may_know_names(actor, delegation.party_id),
    }
    if context["may_manage"]:
        context.update(
            names_form=DelegationNamesForm(
                initial=DelegationNamesForm.initial_from(delegation.names), auto_id=NAMES_ID
            ),
            member_form=AddMemberForm(auto_id=MEMBER_ID),
            person_form=CreatePersonForm(auto_id=PERSON_ID),
        )
    context.update(extra)
    return render(request, "parties/delegation_detail.html", context, status=status)


@member_required
def delegation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A delegation's names and members; the forms to manage it for those who may."""
    delegation = selectors.access_delegation(actor_for(request), public_id)
    return _render_detail(request, delegation)


@member_required
@require_POST
def delegation_rename(request: HttpRequest, public_id: str) -> HttpResponse:
    """Change a delegation's names."""
    actor = actor_for(request)
    delegation = _managed_delegation(actor, public_id)
    form = DelegationNamesForm(request.POST, auto_id=NAMES_ID)
    if form.is_valid():
        try:
            services.update_delegation(
                actor=actor, delegation=delegation, names=form.names(), active=delegation.active
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, DOMAIN_ALIASES)
        else:
            messages.success(request, _("The delegation's names have been saved."))
            return redirect("parties:delegation", public_id=delegation.public_id)
    return _render_detail(request, delegation, status=400, names_form=form)


def _set_active(request: HttpRequest, public_id: str, *, active: bool) -> HttpResponse:
    actor = actor_for(request)
    delegation = _managed_delegation(actor, public_id)
    try:
        services.update_delegation(
            actor=actor, delegation=delegation, names=delegation.names, active=active
        )
    except ValidationFailed as exc:
        messages.error(request, str(exc))
        return redirect("parties:delegation", public_id=delegation.public_id)
    if active:
        messages.success(request, _("The delegation has been reopened."))
    else:
        messages.success(request, _("The delegation has been closed."))
    return redirect("parties:delegation", public_id=delegation.public_id)


@member_required
@require_POST
def delegation_close(request: HttpRequest, public_id: str) -> HttpResponse:
    """Close a delegation: its members keep their rows but act for it no longer."""
    return _set_active(request, public_id, active=False)


@member_required
@require_POST
def delegation_reopen(request: HttpRequest, public_id: str) -> HttpResponse:
    """Reopen a closed delegation."""
    return _set_active(request, public_id, active=True)


@member_required
@require_POST
def member_add(request: HttpRequest, public_id: str) -> HttpResponse:
    """Give an existing person a role in the delegation."""
    actor = actor_for(request)
    delegation = _managed_delegation(actor, public_id)
    form = AddMemberForm(request.POST, auto_id=MEMBER_ID)
    if form.is_valid():
        try:
            services.add_member(
                actor=actor,
                delegation=delegation,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                call_sign=form.cleaned_data["call_sign"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, DOMAIN_ALIASES)
        else:
            messages.success(request, _("The person has been added."))
            return redirect("parties:delegation", public_id=delegation.public_id)
    return _render_detail(request, delegation, status=400, member_form=form)


@member_required
@require_POST
def person_create(request: HttpRequest, public_id: str) -> HttpResponse:
    """Create a login for a new person; show the one-time password-setup link once."""
    actor = actor_for(request)
    delegation = _managed_delegation(actor, public_id)
    form = CreatePersonForm(request.POST, auto_id=PERSON_ID)
    if form.is_valid():
        try:
            user, _membership = services.create_person(
                actor=actor, delegation=delegation, **form.cleaned_data
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, DOMAIN_ALIASES)
        else:
            setup_path = reverse(
                "accounts:setup",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": services.password_setup_token(user),
                },
            )
            # Rendered, not redirected: the link is a credential and is never stored
            # anywhere it could be shown again (a session message would be).
            return _render_detail(
                request,
                delegation,
                new_person=user,
                setup_link=request.build_absolute_uri(setup_path),
            )
    return _render_detail(request, delegation, status=400, person_form=form)


@member_required
def membership_end(request: HttpRequest, public_id: str) -> HttpResponse:
    """Ask to confirm (GET), then end a person's role in a delegation (POST)."""
    actor = actor_for(request)
    membership = _managed_membership(actor, public_id)
    error = ""
    if request.method == "POST":
        try:
            services.end_membership(actor=actor, membership=membership)
        except ValidationFailed as exc:
            error = str(exc)
        else:
            messages.success(request, _("The membership has ended."))
            return redirect("parties:delegation", public_id=membership.delegation.public_id)
    context = {"membership": membership, "error": error}
    return render(request, "parties/membership_end.html", context, status=400 if error else 200)


@member_required
def membership_call_sign(request: HttpRequest, public_id: str) -> HttpResponse:
    """Give a role a new call sign (the party's own administrators; recorded)."""
    actor = actor_for(request)
    membership = _managed_membership(actor, public_id)
    if request.method == "POST":
        form = CallSignForm(request.POST)
        if form.is_valid():
            try:
                services.set_call_sign(
                    actor=actor, membership=membership, call_sign=form.cleaned_data["call_sign"]
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, DOMAIN_ALIASES)
            else:
                messages.success(request, _("The call sign has been changed."))
                return redirect("parties:delegation", public_id=membership.delegation.public_id)
        status = 400
    else:
        form, status = CallSignForm(initial={"call_sign": membership.call_sign}), 200
    context = {"membership": membership, "form": form}
    return render(request, "parties/membership_call_sign.html", context, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Who the person is in the cell, and where to manage their sign-in factors.

    Open to anyone signed in, member or not: it is where a person without a
    membership can see that they have none, and still reach the password and
    second-factor pages.
    """
    actor = actor_for(request)
    party = selectors.access_party(actor, actor.party_code) if actor.party_code else None
    memberships = selectors.list_memberships_of(actor, request.user)
    context = {
        "party": party,
        "role_labels": [str(RoleChoices.label(r)) for r in sorted(actor.roles)],
        "memberships": memberships,
        "totp_active": Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists(),
    }
    return render(request, "parties/profile.html", context)


# A first administrator's invitation ----------------------------------------------------

#: The session keeps the TOTP secret shown on an invitation page (by invitation) until the
#: account is created with it, so that a form sent back with an error keeps the code the
#: person already scanned.
TOTP_SESSION_KEY = "coordcell.invitation_totp"


def _totp_secret(request: HttpRequest, key: str) -> str:
    secrets_by_invitation = request.session.get(TOTP_SESSION_KEY, {})
    secret = secrets_by_invitation.get(key)
    if not secret:
        secret = totp.new_secret()
        request.session[TOTP_SESSION_KEY] = {**secrets_by_invitation, key: secret}
    return str(secret)


def _unusable(request: HttpRequest, state: str) -> HttpResponse:
    """The page of a link that does not work: 404 for one that never existed, 410 for one
    that was used or expired. Never a form, never an error page."""
    status = 404 if state == "unknown" else 410
    return render(request, "parties/invitation_unusable.html", {"state": state}, status=status)


@never_cache
@sensitive_post_parameters("password1", "password2", "code")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page a first administrator's one-time link opens (``coordcell cell init``).

    The person chooses a user name and password and, when the cell requires a second
    factor, scans a TOTP code and proves it; the account is created with all of it at once
    (``services.accept_invitation``), then they sign in as anyone does.
    """
    try:
        invite = selectors.find_invitation(token)
    except selectors.InvitationUnusable as exc:
        return _unusable(request, exc.state)
    context: dict[str, Any] = {"invitation": invite, "party": invite.party}
    if request.user.is_authenticated:
        return render(request, "parties/invitation.html", {**context, "signed_in": True})
    require_code = bool(settings.REQUIRE_MFA)
    secret = _totp_secret(request, str(invite.public_id)) if require_code else None
    status = 200
    if request.method == "POST":
        form = InvitationForm(request.POST, require_code=require_code)
        if form.is_valid():
            try:
                user = services.accept_invitation(
                    token=token,
                    username=form.cleaned_data["username"],
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    totp_secret=secret,
                    totp_code=form.cleaned_data.get("code", ""),
                )
            except selectors.InvitationUnusable as exc:
                return _unusable(request, exc.state)
            except ValidationFailed as exc:
                add_domain_errors(form, exc, InvitationForm.ALIASES)
            else:
                request.session.pop(TOTP_SESSION_KEY, None)
                messages.success(
                    request,
                    _(
                        "Your account %(username)s is ready. Sign in with your password and "
                        "the code from your authenticator app."
                    )
                    % {"username": user.username},
                )
                return redirect("account_login")
        status = 400
    else:
        form = InvitationForm(require_code=require_code)
    if secret:
        label = _("%(party)s administrator") % {"party": invite.party.name}
        context["totp_url"], context["totp_qr"] = totp.qr_code_data_uri(label, secret)
        context["totp_secret"] = secret
    context["form"] = form
    return render(request, "parties/invitation.html", context, status=status)
