"""The story's steps of declared positions (issue 13): fictional positions of each party,
the sealed baseline, a dispute about one post and its reveal, checked against the root.

Played by ``demo.loader.tell_story`` like its other steps, each by the person it names
through the service the page for it calls. The positions are FICTIONAL (an exercise):
their coordinates live here, in named sets the scenario's ``demo.toml`` refers to; which
party declares a set is the step's ``by`` (data). The dates are the positions' declared
dates of establishment, not the record's: every entry is written when the step runs.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils.translation import gettext as _

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.positions import selectors, services
from coordcell.rules import positions_commit
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "SETS", "play"]

PLAYS = (
    StoryDo.DECLARE_POSITIONS,
    StoryDo.SEAL_POSITIONS,
    StoryDo.DISPUTE_POSITION,
    StoryDo.REVEAL_POSITION,
)

#: (name, kind, longitude, latitude, established, holdings) — all fictional.
Post = tuple[str, str, float, float, str, dict[str, int]]

#: Named sets of fictional positions. ``southern_west`` and ``southern_east`` lie in the
#: areas of limitation on either side of the southern-Syria scenario's lines;
#: ``southern_new_posts`` are nine posts established after December 2024, eight in the
#: Area of Separation and one just outside it; ``sinai_*`` are a few for the Sinai one.
SETS: dict[str, list[Post]] = {
    "southern_west": [
        (
            "Cedar base (fictional exercise)",
            "base",
            35.76,
            33.0,
            "2015-05-01",
            {"personnel": 450, "tanks": 12, "artillery_pieces": 6},
        ),
        (
            "Fig ridge post (fictional exercise)",
            "outpost",
            35.79,
            32.87,
            "2018-09-15",
            {"personnel": 60},
        ),
        (
            "Olive observation post (fictional exercise)",
            "observation_post",
            35.77,
            33.15,
            "2020-03-01",
            {"personnel": 12},
        ),
        (
            "Thyme battery (fictional exercise)",
            "artillery_position",
            35.69,
            33.0,
            "2017-07-01",
            {"personnel": 80, "artillery_pieces": 12},
        ),
    ],
    "southern_east": [
        (
            "Basalt base (fictional exercise)",
            "base",
            35.95,
            33.0,
            "2012-04-01",
            {"personnel": 520, "tanks": 20, "artillery_pieces": 8},
        ),
        (
            "Wadi checkpoint (fictional exercise)",
            "checkpoint",
            35.93,
            32.86,
            "2019-11-01",
            {"personnel": 30},
        ),
        (
            "Tell observation post (fictional exercise)",
            "observation_post",
            35.96,
            33.15,
            "2021-06-01",
            {"personnel": 10},
        ),
        (
            "Plain battery (fictional exercise)",
            "artillery_position",
            36.07,
            33.0,
            "2016-02-01",
            {"personnel": 90, "artillery_pieces": 18},
        ),
    ],
    "southern_new_posts": [
        (
            "New post 1 (fictional exercise)",
            "outpost",
            35.816,
            32.8,
            "2024-12-10",
            {"personnel": 30},
        ),
        (
            "New post 2 (fictional exercise)",
            "outpost",
            35.847,
            32.865,
            "2024-12-12",
            {"personnel": 25},
        ),
        (
            "New post 3 (fictional exercise)",
            "observation_post",
            35.885,
            32.93,
            "2024-12-15",
            {"personnel": 12},
        ),
        (
            "New post 4 (fictional exercise)",
            "outpost",
            35.868,
            32.995,
            "2025-01-20",
            {"personnel": 40, "tanks": 2},
        ),
        (
            "New post 5 (fictional exercise)",
            "checkpoint",
            35.858,
            33.06,
            "2025-02-03",
            {"personnel": 20},
        ),
        (
            "New post 6 (fictional exercise)",
            "outpost",
            35.85,
            33.125,
            "2025-03-18",
            {"personnel": 35},
        ),
        (
            "New post 7 (fictional exercise)",
            "observation_post",
            35.857,
            33.19,
            "2025-05-05",
            {"personnel": 10},
        ),
        (
            "New post 8 (fictional exercise)",
            "outpost",
            35.82,
            33.255,
            "2025-08-30",
            {"personnel": 45, "tanks": 3},
        ),
        (
            "New post 9 (fictional exercise)",
            "checkpoint",
            35.79,
            33.15,
            "2025-11-20",
            {"personnel": 15},
        ),
    ],
    "sinai_canal": [
        (
            "Canal base (fictional exercise)",
            "base",
            32.6,
            30.45,
            "1979-05-01",
            {"personnel": 900, "tanks": 40},
        ),
        (
            "Pass observation post (fictional exercise)",
            "observation_post",
            32.9,
            30.1,
            "1979-06-01",
            {"personnel": 15},
        ),
    ],
}


def _actor(username: str) -> Actor:
    return Actor.from_user(User.objects.get(username=username))


def _declare(actor: Actor, name: str) -> None:
    posts = SETS.get(name)
    if posts is None:
        raise ValidationFailed({"positions": [_("Unknown set of demo positions.")]})
    for title, kind, lon, lat, established, holdings in posts:
        services.declare_position(
            actor=actor,
            name=title,
            kind=kind,
            geometry={"type": "Point", "coordinates": [lon, lat]},
            established=dt.date.fromisoformat(established),
            holdings=[{"category": k, "count": v} for k, v in holdings.items()],
        )


def _nearest(items: list[Any], lon: float, lat: float) -> Any:
    def distance(item: Any) -> float:
        x, y = item.content["point"]
        return math.hypot((x - lon) * math.cos(math.radians(lat)), y - lat)

    return min(items, key=distance)


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps the disputes by their keys."""
    actor = _actor(step.by)
    if step.do == StoryDo.DECLARE_POSITIONS:
        _declare(actor, step.positions)
    elif step.do == StoryDo.SEAL_POSITIONS:
        services.seal_baseline(actor=actor)
    elif step.do == StoryDo.DISPUTE_POSITION:
        made[f"position_dispute:{step.key}"] = services.open_dispute(
            actor=actor, against=step.respondent, claim=step.summary, geometry=step.geometry
        )
    elif step.do == StoryDo.REVEAL_POSITION:
        dispute = made[f"position_dispute:{step.dispute}"]
        items = list(
            selectors.list_changes(actor).filter(
                position__party=dispute.against, commitment__isnull=False
            )
        )
        if not items or (not step.geometry and not dispute.geometry):
            raise ValidationFailed({"dispute": [_("Nothing sealed to reveal.")]})
        import json

        lon, lat = json.loads(dispute.geometry)["coordinates"]
        found = services.reveal(actor=actor, dispute=dispute, change=_nearest(items, lon, lat))
        if positions_commit.verify_reveal(found.bundle):  # the demo shows a reveal that holds
            raise ValidationFailed({"dispute": [_("The reveal does not verify.")]})
