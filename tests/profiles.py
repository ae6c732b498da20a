"""Hypothesis profiles, chosen with ``HYPOTHESIS_PROFILE`` (loaded by tests/conftest.py).

- ``everyday`` (the default): what the README's test command runs, so that the whole
  suite stays quick on two cores. Each run draws new random examples (no fixed seed), and
  Hypothesis's example database replays any failure it found before, so repeated runs
  keep widening what has been tried.
- ``thorough``: the expensive properties with more examples. CI's PostgreSQL pass runs
  with it (.ci/run), so every CI run tries as many as the suite used to on every run.

No property runs under a deadline: a loaded two-core machine makes timings meaningless.
"""

from __future__ import annotations

import os

from hypothesis import settings

__all__ = ["PROFILE", "examples"]

settings.register_profile("everyday", deadline=None)
settings.register_profile("thorough", deadline=None)

#: The profile in force (an unknown name is an error when it is loaded).
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "everyday")
settings.load_profile(PROFILE)


def examples(everyday: int, *, thorough: int) -> int:
    """How many examples a property draws under the profile in force."""
    return thorough if PROFILE == "thorough" else everyday
