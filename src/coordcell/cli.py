"""The ``coordcell`` console script: one entry point dispatching to management commands.

``coordcell demo``, ``serve``, ``worker``, ``scenario`` and ``record`` are coordcell's own
commands; ``verify``, ``keygen`` and ``witness`` run without Django or a database (a party's
own machine has neither); anything else (``migrate``, ``createsuperuser``, ``shell`` …)
passes through to Django.
The demo needs no configuration: before Django starts, it points the data directory
at ``--data-dir`` and creates a secret key there if none is configured.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _prepare_demo(argv: list[str]) -> None:
    default = os.environ.get("COORDCELL_DATA_DIR") or "coordcell-data"
    data_dir = Path(_option(argv, "--data-dir") or default).expanduser().resolve()
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ["COORDCELL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("COORDCELL_DEMO", "1")
    # Checkpoints as events arrive, so that the demo's witnesses cosign them promptly.
    os.environ.setdefault("COORDCELL_CHECKPOINT_EVENTS", "1")
    os.environ.setdefault("COORDCELL_WORKER_INTERVAL", "5")
    host = _option(argv, "--host")
    if host and "COORDCELL_ALLOWED_HOSTS" not in os.environ:
        os.environ["COORDCELL_ALLOWED_HOSTS"] = f"127.0.0.1,localhost,{host}"
    if not os.environ.get("COORDCELL_SECRET_KEY") and not os.environ.get(
        "COORDCELL_SECRET_KEY_FILE"
    ):
        key_file = data_dir / "secret-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        os.environ["COORDCELL_SECRET_KEY_FILE"] = str(key_file)


def _offline_tool(name: str) -> Any:
    """The tools that run without Django (a party's own machine has no server)."""
    if name == "verify":
        from coordcell.record.offline import verify_main

        return verify_main
    if name == "keygen":
        from coordcell.record.offline import keygen_main

        return keygen_main
    if name == "witness":
        from coordcell.record.witness import main as witness_main

        return witness_main
    return None


def main(argv: list[str] | None = None) -> None:
    """Run a coordcell or Django management command."""
    args = list(sys.argv if argv is None else argv)
    offline = _offline_tool(args[1] if len(args) > 1 else "")
    if offline is not None:
        sys.exit(offline(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
    if len(args) > 1 and args[1] == "demo":
        _prepare_demo(args[2:])
    if (
        len(args) > 1
        and args[1] == "check"
        and any(a == "--scenario" or a.startswith("--scenario=") for a in args[2:])
    ):
        # `coordcell check --scenario …` assesses observations; plain `coordcell check`
        # stays Django's system check.
        args[1] = "checkobservations"
    if len(args) > 1 and args[1] == "import":
        # `coordcell import ucdp|acled|geojson FILE`: `import` is a Python keyword, so
        # the command's module is `importincidents`.
        args[1] = "importincidents"
    from django.core.management import execute_from_command_line

    args[0] = "coordcell"
    execute_from_command_line(args)


if __name__ == "__main__":  # `python -m coordcell.cli`
    main()
