"""Free text at the edge and on the way out: the control characters a stored text must
not hold, and the characters an XML document cannot carry.

A C0 or C1 control character (tab and line breaks aside) in a title or a name is never
meant, prints as nothing, and breaks the XML exports (KML); services refuse it with
:func:`control_message`. Rows stored before that check are written through
:func:`xml_safe`, so an old row never breaks an export.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

__all__ = ["control_message", "has_control", "xml_safe"]

#: C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: What XML 1.0 cannot carry: C0 controls but tab and line breaks, lone surrogates,
#: U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character other than tab and line breaks."""
    return _CONTROL.search(text) is not None


def control_message() -> str:
    """The message for a refused control character, in the active language."""
    return _("Remove the control characters (other than tab and line breaks) from the text.")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)
