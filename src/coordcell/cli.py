"""The ``coordcell`` console script: one entry point dispatching to management commands.

``coordcell``, ``coordcell --help`` and ``coordcell help`` list coordcell's own commands
(``COMMANDS``, the README's command table). ``verify``, ``keygen`` and ``witness`` run
without Django or a database (a party's own machine has neither); every other command is a
Django management command, coordcell's own or Django's (``migrate``, ``createsuperuser`` …).

Nothing here needs configuration: ``--help`` and the commands that use no database run
with none, and the commands that do use one find the demo's data directory (``coordcell-data``
in the working directory, unless ``COORDCELL_DATA_DIR`` says otherwise) and the secret key the
demo keeps there (see settings.py). The demo itself points the data directory at
``--data-dir`` and creates a secret key there, before Django starts, if none is configured.
"""

from __future__ import annotations

import os
import secrets
import sys
import textwrap
from pathlib import Path
from typing import Any

from coordcell.core.env import DEFAULT_DATA_DIR, DEMO_KEY_FILE

__all__ = [
    "ALIASES",
    "CHECK_WITH_SCENARIO",
    "COMMANDS",
    "EXIT_INTERRUPTED",
    "OFFLINE_TOOLS",
    "help_text",
    "main",
]

#: coordcell's commands as ``coordcell --help`` lists them: (synopsis, what it does). The
#: README's command table is the same list (tests/unit/test_docs.py compares them).
COMMANDS: tuple[tuple[str, str], ...] = (
    (
        "coordcell demo [--host H] [--port P] [--data-dir D] [--workers N]",
        "migrate, load the scenario and the fictional demo data, print the accounts, serve, "
        "run the worker and one witness per party",
    ),
    (
        "coordcell serve",
        "production server (gunicorn, several workers; configuration from the environment, "
        "COORDCELL_SECRET_KEY required)",
    ),
    (
        "coordcell worker [--once] [--now T]",
        "the restart-safe background loop (--now: on an exercise cell only)",
    ),
    (
        "coordcell exercise copy DIR",
        "copy this cell (SQLite) into DIR as an exercise cell for drills: its own log key "
        "and origin, webhooks paused; the live cell is only read",
    ),
    (
        "coordcell cell init [--base-url URL] [--reissue PARTY …]",
        "first run: a delegation for each party of the current arrangement that has none, "
        "and for each party nobody administers yet a one-time invitation link for its first "
        "cell administrator, printed once (idempotent; --reissue replaces a lost link)",
    ),
    (
        "coordcell scenario check PATH",
        "validate a scenario folder; every error with its file and field",
    ),
    (
        "coordcell scenario load NAME|PATH",
        "store a scenario as a new version of the database's one arrangement "
        "(unchanged files: no-op; another arrangement's key: refused)",
    ),
    (
        "coordcell check --scenario NAME|PATH INPUT [--format ucdp|acled|geojson] "
        "[--out F.jsonl|F.geojson] [--baseline POSITIONS.geojson]",
        "assess every row of a UCDP, ACLED or GeoJSON file against the arrangement: zones, "
        "distances to its lines, findings; one record per row and a summary (plain "
        "coordcell check stays Django's system check)",
    ),
    (
        "coordcell import ucdp|acled|geojson FILE [--scenario NAME] [--report F.csv|F.jsonl] "
        "[--chunk N]",
        "create an incident for every new row of an open-source file, attributed to its "
        "dataset and assessed under the current arrangement version; idempotent by source id "
        "(a second run creates nothing; a known id with other content is reported, not "
        "overwritten); rejected rows with their line; one record event per chunk",
    ),
    (
        "coordcell positions import|export|seal|reveal-file … --user U",
        "a party's declared positions as that account: import a GeoJSON file (every feature "
        "checked first, all or nothing), export them (--at DATE), seal the baseline, write "
        "a reveal file for `coordcell verify`",
    ),
    (
        "coordcell stix export|import FILE --user U …",
        "shared items as STIX 2.1 for MISP and OpenCTI, as that account: export what it "
        "reads (--since, --tlp, --tier), or import a bundle as its party's items (--tier, "
        "--tlp of unmarked objects, --counterpart, --rel; validated first, all or nothing)",
    ),
    (
        "coordcell economy export --format iati|hxl-projects|hxl-pledges --user U -o FILE "
        "[--donors pseudonyms|names]",
        "the economic zone's projects and money as that account reads them: IATI 2.03 "
        "activity XML, or the projects or the pledges as an HXL-tagged CSV; a confidential "
        "donor appears as its pseudonym",
    ),
    (
        "coordcell record export BUNDLE [--user U]",
        "write the entries a person may read, their salts, the tree's leaves and every "
        "checkpoint with its cosignatures",
    ),
    (
        "coordcell record check",
        "check the live record (hash chain, tree, checkpoints); names the first entry that fails",
    ),
    (
        "coordcell record checkpoint",
        "sign a checkpoint of the record now (the worker does it on its own)",
    ),
    (
        "coordcell verify BUNDLE [--log-key K] [--witness-key K …]",
        "verify a bundle offline, with no server or database; names the first entry or "
        "signature that fails (a position reveal file: its item against its commitment)",
    ),
    (
        "coordcell witness --server URL --token T --key F --state D [--interval S]",
        "a party's witness: check the log only grows, cosign its checkpoint; exit 3 with the "
        "evidence saved on a fork or rollback",
    ),
    (
        "coordcell keygen NAME FILE [--cosigner]",
        "make a log key or a witness key; prints its verifier key",
    ),
    (
        "coordcell <django command>",
        "anything else passes through to Django (migrate, createsuperuser, …; "
        "coordcell help --commands lists them all)",
    ),
)

#: Commands whose management command has another name: ``import`` is a Python keyword.
ALIASES = {"import": "importincidents"}
#: ``coordcell check --scenario …`` assesses observations; plain ``check`` stays Django's.
CHECK_WITH_SCENARIO = "checkobservations"
#: The tools that run without Django (a party's own machine has no server).
OFFLINE_TOOLS = ("verify", "keygen", "witness")

_HELP_FLAGS = ("-h", "--help")


def help_text(width: int = 92) -> str:
    """``coordcell --help``: coordcell's commands, one synopsis and description each."""
    lines = [
        "usage: coordcell COMMAND [ARGUMENTS]",
        "",
        "coordcell's commands (coordcell COMMAND --help shows a command's options):",
        "",
    ]
    for synopsis, description in COMMANDS:
        lines.append(f"  {synopsis}")
        lines += textwrap.wrap(
            description, width, initial_indent="      ", subsequent_indent="      "
        )
    lines += [
        "",
        *textwrap.wrap(
            "--help, verify, keygen, witness, scenario check and check --scenario need no "
            "configuration. Commands that use the database find the demo's data directory "
            f"(./{DEFAULT_DATA_DIR}, or COORDCELL_DATA_DIR) and its secret key; coordcell serve "
            "needs COORDCELL_SECRET_KEY. Every setting: docs/deployment.md.",
            width,
        ),
    ]
    return "\n".join(lines) + "\n"


def _option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _prepare_demo(argv: list[str]) -> None:
    default = os.environ.get("COORDCELL_DATA_DIR") or DEFAULT_DATA_DIR
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
        key_file = data_dir / DEMO_KEY_FILE
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        os.environ["COORDCELL_SECRET_KEY_FILE"] = str(key_file)


def _offline_tool(name: str) -> Any:
    """The entry point of one of ``OFFLINE_TOOLS``, or None."""
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


#: The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> None:
    """Run a coordcell or Django management command; Ctrl-C stops it without a traceback."""
    try:
        _main(list(sys.argv if argv is None else argv))
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(EXIT_INTERRUPTED)


def _main(args: list[str]) -> None:
    if args[1:] in ([], ["help"], ["-h"], ["--help"]):
        sys.stdout.write(help_text())
        sys.exit(0)
    offline = _offline_tool(args[1])
    if offline is not None:
        sys.exit(offline(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
    asks_help = any(a in _HELP_FLAGS for a in args[2:])
    if args[1] == "demo" and not asks_help:
        _prepare_demo(args[2:])
    if args[1] == "check" and any(a.split("=")[0] == "--scenario" for a in args[2:]):
        args[1] = CHECK_WITH_SCENARIO
    args[1] = ALIASES.get(args[1], args[1])
    if args[1] == "help" and len(args) > 2:  # `coordcell help import`
        args[2] = ALIASES.get(args[2], args[2])
    from django.core.management import execute_from_command_line

    args[0] = "coordcell"
    execute_from_command_line(args)


if __name__ == "__main__":  # `python -m coordcell.cli`
    main()
