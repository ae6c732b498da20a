"""Translatable labels of holding categories, changes and classifications."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "personnel": _("Personnel"),
    "brigades": _("Brigades"),
    "tanks": _("Tanks"),
    "artillery_pieces": _("Artillery pieces"),
    "artillery_range_km": _("Artillery range (km)"),
    "surface_to_air_missiles": _("Air-defence systems (surface-to-air missiles)"),
}
CHANGE_LABELS = {
    "baseline": _("Baseline"),
    "established": _("New site"),
    "moved": _("Moved"),
    "holdings": _("Holdings changed"),
    "vacated": _("Vacated"),
}
CLASSIFICATION_LABELS = {
    "baseline": _("Baseline"),
    "agreed": _("Agreed"),
    "disputed": _("Disputed"),
    "possible_violation": _("Possible violation"),
    "notified": _("Notified in advance"),
    "not_notified": _("Not notified in advance"),
}
DISPUTE_STATES = {"open": _("Open"), "revealed": _("Revealed"), "closed": _("Closed")}
