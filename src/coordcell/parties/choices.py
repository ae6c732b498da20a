"""Party kinds and roles: defined in ``core.roles`` (every layer reads them), named here too."""

from coordcell.core.roles import PartyKindChoices, RoleChoices

__all__ = ["PartyKindChoices", "RoleChoices"]
