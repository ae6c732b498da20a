"""The rules engine for a stored arrangement version, built once per process and reused.

Building an engine projects the zones and compiles their grid index (about a second),
so engines are cached by the version's content hash. Findings are translated here:
the template is looked up in the active language's catalogue, and the activity and
zone in its parameters are given their names in that language.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from coordcell.agreements.choices import ActivityChoices
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.models import localized_now
from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.engine import MESSAGES, Engine

__all__ = ["engine_for", "explain"]

_CACHE: OrderedDict[str, Engine] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 4


def engine_for(version: ArrangementVersion) -> Engine:
    """The engine of ``version`` (its ``content`` is loaded if it was deferred)."""
    with _LOCK:
        engine = _CACHE.get(version.content_hash)
        if engine is not None:
            _CACHE.move_to_end(version.content_hash)
            return engine
    content = ArrangementVersion.objects.values_list("content", flat=True).get(pk=version.pk)
    engine = Engine(
        arrangement_from_content(content),
        version=f"{version.arrangement.key} v{version.number}",
    )
    with _LOCK:
        _CACHE[version.content_hash] = engine
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return engine


#: Unicode's first-strong isolate and its closing pop: they keep an id, a name or a number
#: in its own direction inside a sentence of the other direction (a plain-text ``<bdi>``).
FSI, PDI = "\u2068", "\u2069"


def explain(
    code: str, raw_params: Mapping[str, Any], engine: Engine, *, isolate: bool = False
) -> str:
    """A finding's or problem's explanation (message ``code``) in the active language.

    With ``isolate``, each filled-in value sits between FSI and PDI, so that clause ids,
    zone names and coordinates keep their order in a right-to-left page.
    """
    params: dict[str, Any] = dict(raw_params)
    if "activity" in params:
        params["activity"] = str(ActivityChoices.label(params["activity"]))
    if "zone" in params:
        zone = next((z for z in engine.arrangement.zones if z.id == params["zone"]), None)
        if zone is not None:
            params["zone"] = localized_now(dict(zone.name))
    if isolate:
        params = {key: f"{FSI}{value}{PDI}" for key, value in params.items()}
    return gettext(MESSAGES[code]) % params
