"""The API's JSON body parser: strict, so that bad bodies are a 400, never a 500 or a row.

``StrictJSONParser`` is the API's only default parser (``REST_FRAMEWORK`` in settings). On
top of JSON itself it refuses, with ``parse_error`` in the single error shape:

- a body nested more than ``MAX_DEPTH`` (32) arrays and objects deep (Python's own parser
  gives up near 1,000 with a RecursionError, and nothing the API takes needs more than 8);
- a NUL character or a lone UTF-16 surrogate in any string or member name (PostgreSQL
  cannot store the first in text or JSON, and neither can be written out as UTF-8);
- a number that is not finite: the ``NaN``, ``Infinity`` and ``-Infinity`` literals, and
  numbers such as ``1e400`` that only fit as infinity;
- (a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused unread by Django, and
  answered 413 ``too_large`` by ``api.errors``).

``loads_strict`` and ``check_json`` are the same rules for code that reads a body itself
(``POST /api/v1/check``, in ``agreements.api``). The module sits in ``core`` so that an
app's API module may use it without importing the ``api`` package.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

__all__ = ["MAX_DEPTH", "StrictJSONParser", "check_json", "loads_strict"]

#: Arrays and objects inside one another, the outermost counting as 1.
MAX_DEPTH = 32

#: A NUL, or a surrogate code point: json.loads pairs escaped surrogates into one
#: character, so any surrogate left in a string stands alone.
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


class _NotFinite(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _constant(literal: str) -> float:
    raise _NotFinite(literal)


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotFinite(literal if len(literal) <= 40 else literal[:37] + "...")
    return value


def loads_strict(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a JSON text by the rules above; ``ParseError`` with a message otherwise.

    The common case stays near the speed of ``json.loads``: the depth is measured on the
    text by regular expressions, and the parsed value is walked only when the text has an
    escape that may stand for a NUL or a surrogate (a raw one cannot pass the decoder).
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(_("The JSON body is not UTF-8 text.")) from None
    else:
        text = data
    too_deep = _deeper_than(text, max_depth)
    hooks: dict[str, Any] = {"parse_constant": _constant}
    if _LONG_NUMBER.search(text):  # only such a literal can overflow to infinity
        hooks["parse_float"] = _float
    try:
        value = json.loads(text, **hooks)
    except _NotFinite as exc:
        raise ParseError(
            _("The JSON body has a number that is not finite (%(number)s).")
            % {"number": exc.literal}
        ) from None
    except RecursionError:
        raise _too_deep(max_depth) from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4,300 digits
        raise ParseError(_("JSON parse error - %(reason)s") % {"reason": str(exc)}) from None
    if too_deep:
        raise _too_deep(max_depth)
    if not isinstance(data, bytes) or _ESCAPE.search(text):
        check_json(value, max_depth=max_depth)
    return value


#: A JSON string literal (unrolled, so the regular expression engine does not backtrack).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
#: Everything but brackets, once strings are taken out.
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
#: An escape that may be a NUL or a surrogate (a pair of surrogates is fine; the walk
#: tells them apart).
_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
#: A number literal long enough, or with an exponent large enough, to overflow a float.
_LONG_NUMBER = re.compile(r"\d{300}|[eE]\+?0*[1-9]\d\d")


def _deeper_than(text: str, limit: int) -> bool:
    """Whether a JSON text nests arrays and objects more than ``limit`` deep (counted on
    the brackets outside strings, at C speed: no recursion, whatever the depth)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def check_json(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse (``ParseError``) a parsed JSON value that is too deep or has unsafe strings.

    Walks the value without recursion, so any depth is safe to check.
    """
    if isinstance(value, str):
        _check_string(value, "$", member=False)
        return
    stack: list[tuple[Any, str, int]] = [(value, "$", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            raise _too_deep(max_depth)
        items: Any
        if isinstance(node, Mapping):
            items = []
            for key, item in node.items():
                _check_string(key, path, member=True)
                items.append((_member_path(path, key), item))
        elif isinstance(node, list):
            items = ((f"{path}[{i}]", item) for i, item in enumerate(node))
        else:
            continue
        for item_path, item in items:
            if isinstance(item, str):
                _check_string(item, item_path, member=False)
            elif isinstance(item, Mapping | list):
                stack.append((item, item_path, depth + 1))


def _too_deep(limit: int) -> ParseError:
    return ParseError(
        _("The JSON body is nested more than %(limit)s levels deep.") % {"limit": limit}
    )


def _check_string(text: str, path: str, *, member: bool) -> None:
    found = _UNSAFE.search(text)
    if found is None:
        return
    char = found.group()
    if char == "\x00":
        message = (
            _("The JSON body has a NUL character in a member name at %(path)s.")
            if member
            else _("The JSON body has a NUL character in a string at %(path)s.")
        )
        raise ParseError(message % {"path": path})
    message = (
        _("The JSON body has a lone surrogate (U+%(code)s) in a member name at %(path)s.")
        if member
        else _("The JSON body has a lone surrogate (U+%(code)s) in a string at %(path)s.")
    )
    raise ParseError(message % {"code": f"{ord(char):04X}", "path": path})


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def _member_path(path: str, key: str) -> str:
    if _NAME.fullmatch(key):
        return f"{path}.{key}"
    shown = key if len(key) <= 40 else key[:37] + "..."
    return f"{path}[{json.dumps(shown)}]"


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with the limits above. (DRF reads the body through Django's
    ``request.body``, which refuses one above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before
    reading it; ``api.errors`` answers that with 413 ``too_large``.)"""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return None
        return loads_strict(stream.read())
