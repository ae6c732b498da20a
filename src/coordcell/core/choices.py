"""ChoiceSet: a status or kind vocabulary with translatable labels and UI colours.

Modelled on NetBox's ``ChoiceSet``: constants on the class, ``CHOICES`` as
``(value, label[, colour])`` tuples, usable directly as a model field's ``choices``.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["ChoiceSet"]


class ChoiceSet:
    """Subclass and set ``CHOICES``; read ``.choices``, ``.values()``, ``.label(v)``."""

    CHOICES: ClassVar[list[tuple[Any, ...]]] = []

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        return [(c[0], c[1]) for c in cls.CHOICES]

    @classmethod
    def values(cls) -> list[str]:
        return [c[0] for c in cls.CHOICES]

    @classmethod
    def label(cls, value: str) -> Any:
        for choice in cls.CHOICES:
            if choice[0] == value:
                return choice[1]
        return value

    @classmethod
    def colour(cls, value: str) -> str:
        for choice in cls.CHOICES:
            if choice[0] == value and len(choice) > 2:
                return str(choice[2])
        return "grey"
