"""The log's signing keys, from the environment, a file, or made once in the data directory.

``COORDCELL_LOG_KEY`` (or ``COORDCELL_LOG_KEY_FILE``) holds a signed-note private key
(``PRIVATE+KEY+<origin>+<id>+<key>``); its name is the log's origin. Without one, the
key is created on first use in ``<data dir>/record-log.key`` (mode 0600) with the name
``COORDCELL_LOG_ORIGIN``. ``COORDCELL_LOG_KEY_NEXT`` adds a second key that signs every
checkpoint too, for a rotation (docs/record.md).

An exercise cell (``Head.exercise``: the demo, a drill's copy) never signs with those: its
key is made in ``<data dir>/record-exercise.key``, named ``<COORDCELL_LOG_ORIGIN>/exercise``,
so no checkpoint of a drill can pass for one of the live log.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from django.conf import settings

from coordcell.core.env import ConfigError
from coordcell.record.note import ALG_ED25519, NoteError, Signer, Verifier

__all__ = ["exercise_origin", "log_origin", "log_signers", "log_verifiers"]

KEY_FILE_NAME = "record-log.key"
EXERCISE_KEY_FILE_NAME = "record-exercise.key"
#: How an exercise log's origin ends.
EXERCISE_SUFFIX = "/exercise"


def _load(name: str, text: str) -> Signer:
    try:
        signer = Signer.from_skey(text.strip())
    except NoteError as exc:
        raise ConfigError(f"{name}: not a signed-note private key ({exc})") from None
    if signer.alg != ALG_ED25519:
        raise ConfigError(f"{name}: the log key must be an Ed25519 note key (type 0x01)")
    return signer


def _from_data_dir(file_name: str = KEY_FILE_NAME, origin: str | None = None) -> Signer:
    """Read the data directory's key, creating it atomically if no process has yet."""
    path = Path(settings.DATA_DIR) / file_name
    if not path.exists():
        signer = Signer.generate(origin or settings.LOG_ORIGIN)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".record-log-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(signer.skey + "\n")
            os.link(partial, path)  # fails if another process made one first: use that
        except FileExistsError:
            pass
        finally:
            os.unlink(partial)
    return _load(str(path), path.read_text(encoding="utf-8"))


def exercise_origin(origin: str) -> str:
    return origin if origin.endswith(EXERCISE_SUFFIX) else origin + EXERCISE_SUFFIX


def _is_exercise() -> bool:
    from django.db import DatabaseError

    from coordcell.record.models import Head

    try:
        return bool(Head.objects.filter(pk=1).values_list("exercise", flat=True).first())
    except DatabaseError:  # no database yet (a command's --help, an offline check)
        return False


@functools.cache
def log_signers() -> tuple[Signer, ...]:
    """The keys that sign checkpoints: the current one, then the next (during a rotation);
    an exercise cell's own key alone (see the module's docstring)."""
    if _is_exercise():
        return (_from_data_dir(EXERCISE_KEY_FILE_NAME, exercise_origin(settings.LOG_ORIGIN)),)
    current = _refuse_exercise_origin(
        _load("COORDCELL_LOG_KEY", settings.LOG_KEY) if settings.LOG_KEY else _from_data_dir()
    )
    if not settings.LOG_KEY_NEXT:
        return (current,)
    following = _load("COORDCELL_LOG_KEY_NEXT", settings.LOG_KEY_NEXT)
    if following.name != current.name:
        raise ConfigError(
            "COORDCELL_LOG_KEY_NEXT: its name must be the log's origin "
            f"{current.name!r}, not {following.name!r}"
        )
    return (current, following)


def _refuse_exercise_origin(signer: Signer) -> Signer:
    if signer.name.endswith(EXERCISE_SUFFIX):
        raise ConfigError(
            f"the log key's origin {signer.name!r} ends with {EXERCISE_SUFFIX!r}: that names "
            "an exercise log, and this cell is live"
        )
    return signer


def log_verifiers() -> tuple[Verifier, ...]:
    return tuple(s.verifier for s in log_signers())


def log_origin() -> str:
    """The log's origin line: the name of its key."""
    return log_signers()[0].name
