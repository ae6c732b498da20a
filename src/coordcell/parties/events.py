"""Record event types of the parties app."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

PARTY_REGISTERED = register(
    "parties.party_registered", _("Party registered"), "A party was added to the cell."
)
PARTY_RENAMED = register(
    "parties.party_renamed", _("Party renamed"), "A party's names or kind changed."
)
DELEGATION_CREATED = register(
    "parties.delegation_created", _("Delegation created"), "A party set up a delegation."
)
DELEGATION_UPDATED = register(
    "parties.delegation_updated",
    _("Delegation updated"),
    "A delegation was renamed, closed or reopened.",
)
MEMBER_ADDED = register(
    "parties.member_added", _("Member added"), "A person was given a role in a delegation."
)
MEMBERSHIP_ENDED = register(
    "parties.membership_ended", _("Membership ended"), "A person's role in a delegation ended."
)
CALL_SIGN_CHANGED = register(
    "parties.call_sign_changed",
    _("Call sign changed"),
    "A party's administrator gave one of its people's roles a new call sign.",
)
INVITATION_ISSUED = register(
    "parties.invitation_issued",
    _("Invitation issued"),
    "The console issued a one-time invitation for a party's first cell administrator "
    "(replacing any earlier one that was not used).",
)
INVITATION_ACCEPTED = register(
    "parties.invitation_accepted",
    _("Invitation accepted"),
    "A party's first cell administrator accepted their invitation: their account and role.",
)
