"""Record event types of webhooks: a party registers or deactivates an endpoint."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

WEBHOOK_REGISTERED = register(
    "notify.webhook_registered",
    _("Webhook registered"),
    "A party's cell administrator registered a webhook endpoint for the party's case steps.",
)
WEBHOOK_DEACTIVATED = register(
    "notify.webhook_deactivated",
    _("Webhook deactivated"),
    "A party's cell administrator deactivated one of the party's webhook endpoints.",
)
