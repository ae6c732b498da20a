"""Typed readers for configuration from the environment.

Each helper names the variable in its error, so a missing or malformed setting stops
start-up with a message an operator can act on rather than a traceback deep in Django.
Secrets may also come from a file named by ``<NAME>_FILE`` (Docker and systemd
credentials put them there), which keeps them out of the process environment.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "DEFAULT_DATA_DIR",
    "DEMO_KEY_FILE",
    "SERVING_NEEDS_KEY",
    "ConfigError",
    "DatabaseConfig",
    "env_bool",
    "env_int",
    "env_list",
    "env_path",
    "env_secret",
    "env_str",
    "parse_database_url",
    "parse_networks",
    "read_secret_file",
]

#: The data directory when ``COORDCELL_DATA_DIR`` is not set, in the working directory: the
#: demo's, and so the one every other command finds beside a demo.
DEFAULT_DATA_DIR = "coordcell-data"

#: The secret key ``coordcell demo`` makes in its data directory when none is configured.
DEMO_KEY_FILE = "secret-key"

#: Why ``coordcell serve`` (and coordcell.wsgi, coordcell.asgi) will not start.
SERVING_NEEDS_KEY = (
    "COORDCELL_SECRET_KEY (or COORDCELL_SECRET_KEY_FILE) is required to serve: it signs "
    "sessions, CSRF tokens and password-reset links (see docs/deployment.md)"
)


class ConfigError(Exception):
    """A setting is missing or malformed. The message names the variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable as text; without a default, a missing one is an error."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name} is required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, optionally no smaller than ``minimum``."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    """Return the variable as an absolute path."""
    raw = os.environ.get(name, "").strip()
    return (Path(raw) if raw else default).expanduser().resolve()


def env_secret(name: str, default: str | None = None) -> str:
    """Return a secret from ``NAME`` or from the file named by ``NAME_FILE``.

    Setting both is an error: silently preferring one would hide a mistake.
    """
    direct = os.environ.get(name, "")
    file_name = os.environ.get(f"{name}_FILE", "")
    if direct and file_name:
        raise ConfigError(f"set either {name} or {name}_FILE, not both")
    if file_name:
        return read_secret_file(Path(file_name), f"{name}_FILE")
    if direct:
        return direct
    if default is None:
        raise ConfigError(f"{name} (or {name}_FILE) is required but not set")
    return default


def read_secret_file(path: Path, name: str | None = None) -> str:
    """The secret held in ``path`` (surrounding whitespace stripped); an unreadable or
    empty file is an error that names it (and ``name``, the variable that points at it)."""
    prefix = f"{name}: " if name else ""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{prefix}cannot read {path}: {exc.strerror}") from None
    if not value:
        raise ConfigError(f"{prefix}{path} is empty")
    return value


@dataclass(frozen=True)
class DatabaseConfig:
    """What Django needs to connect to PostgreSQL, read from a ``DATABASE_URL``."""

    name: str
    user: str
    password: str
    host: str
    port: str
    options: dict[str, str]


def parse_database_url(name: str, url: str) -> DatabaseConfig:
    """Parse ``postgres://user:password@host:port/dbname?sslmode=…``.

    Only PostgreSQL is accepted here: SQLite is the default when no URL is set, and
    other engines are not supported. The variable's name goes into every error.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ConfigError(
            f"{name} must start with postgres:// or postgresql:// "
            f"(leave it unset for the embedded SQLite database); got scheme {parts.scheme!r}"
        )
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name:
        raise ConfigError(f"{name} must name a database, e.g. postgres://user@host:5432/coordcell")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{name} has a malformed port") from None
    options: dict[str, str] = {}
    for pair in filter(None, parts.query.split("&")):
        key, _, value = pair.partition("=")
        options[unquote(key)] = unquote(value)
    return DatabaseConfig(
        name=db_name,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=parts.hostname or "",
        port=str(port or ""),
        options=options,
    )


def parse_networks(name: str, items: Iterable[str]) -> list[str]:
    """Validate IP networks in CIDR notation read from the variable ``name``; return them
    normalised.

    A bare address is a network of one; host bits set after the prefix are an error (it is
    unclear which network was meant). The message names the variable.
    """
    result = []
    for item in items:
        try:
            result.append(str(ipaddress.ip_network(item, strict=True)))
        except ValueError as exc:
            raise ConfigError(
                f"{name} must be comma-separated networks in CIDR notation "
                f"(e.g. 10.20.0.0/16,fd00:20::/48); {item!r} is not one: {exc}"
            ) from None
    return result
