"""The log's signing keys, from the environment, a file, or made once in the data directory.

``COORDCELL_LOG_KEY`` (or ``COORDCELL_LOG_KEY_FILE``) holds a signed-note private key
(``PRIVATE+KEY+<origin>+<id>+<key>``); its name is the log's origin. Without one, the
key is created on first use in ``<data dir>/record-log.key`` (mode 0600) with the name
``COORDCELL_LOG_ORIGIN``. ``COORDCELL_LOG_KEY_NEXT`` adds a second key that signs every
checkpoint too, for a rotation (docs/record.md).
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from django.conf import settings

from coordcell.core.env import ConfigError
from coordcell.record.note import ALG_ED25519, NoteError, Signer, Verifier

__all__ = ["log_origin", "log_signers", "log_verifiers"]

KEY_FILE_NAME = "record-log.key"


def _load(name: str, text: str) -> Signer:
    try:
        signer = Signer.from_skey(text.strip())
    except NoteError as exc:
        raise ConfigError(f"{name}: not a signed-note private key ({exc})") from None
    if signer.alg != ALG_ED25519:
        raise ConfigError(f"{name}: the log key must be an Ed25519 note key (type 0x01)")
    return signer


def _from_data_dir() -> Signer:
    """Read the data directory's key, creating it atomically if no process has yet."""
    path = Path(settings.DATA_DIR) / KEY_FILE_NAME
    if not path.exists():
        signer = Signer.generate(settings.LOG_ORIGIN)
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


@functools.cache
def log_signers() -> tuple[Signer, ...]:
    """The keys that sign checkpoints: the current one, then the next (during a rotation)."""
    current = _load("COORDCELL_LOG_KEY", settings.LOG_KEY) if settings.LOG_KEY else _from_data_dir()
    if not settings.LOG_KEY_NEXT:
        return (current,)
    following = _load("COORDCELL_LOG_KEY_NEXT", settings.LOG_KEY_NEXT)
    if following.name != current.name:
        raise ConfigError(
            "COORDCELL_LOG_KEY_NEXT: its name must be the log's origin "
            f"{current.name!r}, not {following.name!r}"
        )
    return (current, following)


def log_verifiers() -> tuple[Verifier, ...]:
    return tuple(s.verifier for s in log_signers())


def log_origin() -> str:
    """The log's origin line: the name of its key."""
    return log_signers()[0].name
