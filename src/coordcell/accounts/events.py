"""Record event types of the accounts app."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

USER_CREATED = register(
    "accounts.user_created", _("Account created"), "A login was created for a person."
)
API_TOKEN_CREATED = register(
    "accounts.api_token_created", _("API token created"), "A person created an API token."
)
API_TOKEN_REVOKED = register(
    "accounts.api_token_revoked", _("API token revoked"), "A person revoked an API token."
)
