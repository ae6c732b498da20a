"""Record event types of the demo."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

STORY_TOLD = register(
    "demo.story_told",
    _("Demo story played"),
    "coordcell demo played its scenario's fictional story through the ordinary services, "
    "once per database; this entry is also how it knows not to play it again.",
)
