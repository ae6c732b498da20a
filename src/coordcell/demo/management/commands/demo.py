"""``coordcell demo``: set up everything and serve, on the embedded SQLite database."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from coordcell.accounts.models import User
from coordcell.agreements.services import (
    default_scenario,
    load_arrangement,
    resolve_scenario_path,
)
from coordcell.core.actor import Actor
from coordcell.core.errors import DomainError
from coordcell.demo.loader import DemoAccount, StoryFailed, load_demo_data, tell_story
from coordcell.record.models import Witness
from coordcell.record.note import ALG_COSIGNATURE_V1, Signer
from coordcell.record.services import declare_exercise, issue_checkpoint, register_witness
from coordcell.rules.scenario import ScenarioInvalid, read_scenario

#: How often the demo's witnesses (the parties ``witnesses`` names in the scenario's
#: demo.toml) look for a checkpoint.
WITNESS_INTERVAL_SECONDS = 5

#: A set-up child's status when Ctrl-C stopped it (128 + SIGINT, as ``coordcell.cli``'s).
_INTERRUPTED = 130


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM while the set-up child runs: leave through ``SystemExit`` (128 + 15), so the
    child is stopped with this process."""
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = (
        "Set up the demo (database, the default scenario, fictional demo accounts "
        "with API tokens) and serve it with the background worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--data-dir",
            default="coordcell-data",
            help="Where the database and demo accounts are kept.",
        )
        parser.add_argument(
            "--scenario",
            default=None,
            help="A shipped scenario's name or a scenario folder "
            "(default: the one scenarios/default.txt names).",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and print the accounts, then exit."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Server processes (default 1, with 16 threads each); more use more cores.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        if options["no_serve"]:
            self._set_up(options)
            return
        self._serve(options, self._set_up_in_a_child(options))

    def _set_up_in_a_child(self, options: Any) -> list[Path]:
        """``_set_up`` in a fork of this process; the witnesses' folders it made.

        Telling the story runs the rules engine's parallel kernels, which start numba's
        OpenMP threads, and gunicorn forks its workers from this process. A process forked
        from one whose OpenMP threads have started cannot run a parallel kernel: numba
        sends it SIGTERM and the kernel returns without computing (GNU OpenMP is not safe
        across fork). Each lodged incident would have stopped the worker that took it,
        with its distances unset, and gunicorn would have booted another. So this process,
        the arbiter, never runs a kernel: the set-up runs in a child and ends with it.
        """
        connections.close_all()  # the child opens its own
        sys.stdout.flush()
        sys.stderr.flush()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: set up, report, and end without returning
            os.close(read_end)
            status, outcome = 0, cast(dict[str, Any], {})
            try:
                outcome = {"witnesses": [str(f) for f in self._set_up(options)]}
            except CommandError as exc:
                status, outcome = 1, {"error": str(exc), "returncode": exc.returncode}
            except KeyboardInterrupt:
                status = _INTERRUPTED
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
                status = 1
            finally:
                # Each step on its own: whatever fails, the output and the outcome still go.
                for step in (sys.stdout.flush, sys.stderr.flush, connections.close_all):
                    with contextlib.suppress(BaseException):
                        step()
                with (
                    contextlib.suppress(BaseException),
                    os.fdopen(write_end, "w", encoding="utf-8") as pipe,
                ):
                    pipe.write(json.dumps(outcome))
                os._exit(status)
        os.close(write_end)
        # Stopped while the child sets up (SIGTERM, as a supervisor or CI's trap sends, or
        # Ctrl-C): the child is stopped and reaped too, so no set-up goes on writing the
        # data directory after the command has ended.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            with os.fdopen(read_end, encoding="utf-8") as pipe:
                told = pipe.read()
            _, wait_status = os.waitpid(pid, 0)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
        status = os.waitstatus_to_exitcode(wait_status)
        outcome = json.loads(told) if told else {}
        if "error" in outcome:
            raise CommandError(outcome["error"], returncode=outcome["returncode"])
        if status == _INTERRUPTED:
            raise KeyboardInterrupt
        if status < 0:  # ended by a signal (the kernel's OOM killer, say)
            self.stderr.write(f"The demo's set-up was ended by signal {-status}.")
            sys.exit(128 - status)
        if status != 0 or "witnesses" not in outcome:
            sys.exit(status or 1)
        return [Path(folder) for folder in outcome["witnesses"]]

    def _set_up(self, options: Any) -> list[Path]:
        """Migrate, load the scenario and the accounts, tell the story (once), print the
        accounts; the witnesses' folders."""
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        actor = Actor.console("demo")
        try:
            # The demo is an exercise cell: its own log key and origin, drills at any time.
            declare_exercise(actor=actor)
        except DomainError as exc:  # a live cell's data directory
            raise CommandError(f"{settings.DATA_DIR}: {exc}", returncode=2) from None
        scenario = options["scenario"] or default_scenario()
        if not scenario:
            raise CommandError("no default scenario is shipped; name one with --scenario")
        path = resolve_scenario_path(scenario)
        try:
            result = load_arrangement(actor=actor, path=path)
            demo = read_scenario(path).demo
        except ScenarioInvalid as exc:
            raise CommandError(f"{path}: invalid scenario:\n{exc}") from None
        except DomainError as exc:  # the data directory holds another arrangement
            raise CommandError(str(exc), returncode=2) from None
        if demo is None:
            raise CommandError(f"{path}: this scenario has no demo.toml")
        accounts_file = Path(settings.DATA_DIR) / "demo-accounts.json"
        known = self._known(accounts_file)
        accounts = load_demo_data(actor=actor, demo=demo, known=known)
        try:
            played = tell_story(demo=demo, version=result.version)
        except StoryFailed as exc:
            raise CommandError(f"{path}: {exc}") from None
        accounts_file.write_text(
            json.dumps(
                {
                    "notice": "Fictional exercise accounts of the coordcell demo.",
                    "url": f"http://{options['host']}:{options['port']}/",
                    "accounts": [
                        {
                            "username": a.username,
                            "password": a.password,
                            "token": a.token,
                            "party": a.party,
                            "roles": list(a.roles),
                            "full_name": a.full_name,
                        }
                        for a in accounts
                    ],
                },
                indent=2,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        accounts_file.chmod(0o600)
        witnesses = self._witnesses(accounts, demo.witnesses)
        # A checkpoint of everything so far, the story included: the witnesses cosign it
        # on their first round, seconds after the server answers.
        issue_checkpoint(force=True)
        self._print(options, result.version, accounts, accounts_file, time.monotonic() - started)
        if played:
            self.stdout.write(f"The demo's fictional story: {played} steps played now.")
        return witnesses

    def _known(self, accounts_file: Path) -> dict[str, dict[str, str]]:
        if not accounts_file.exists():
            return {}
        try:
            data = json.loads(accounts_file.read_text(encoding="utf-8"))
            return {a["username"]: a for a in data["accounts"]}
        except (ValueError, KeyError, TypeError):
            self.stderr.write(f"{accounts_file}: unreadable, new passwords will be made")
            return {}

    def _witnesses(self, accounts: list[DemoAccount], parties: Sequence[str]) -> list[Path]:
        """One witness per party the scenario names, each with its own key, state and token.

        In a real cell each runs on its party's own machine; the demo runs them beside the
        server. Each key is registered by that party's own administrator.
        """
        folders = []
        admins = {a.party: a for a in accounts if "cell_administrator" in a.roles}
        for party in parties:
            admin = admins.get(party)
            if admin is None:
                continue
            folder = Path(settings.DATA_DIR) / "witnesses" / party
            folder.mkdir(parents=True, exist_ok=True)
            key_file = folder / "witness.key"
            if key_file.exists():
                signer = Signer.from_skey(key_file.read_text(encoding="utf-8").strip())
            else:
                signer = Signer.generate(f"witness.{party}.demo", ALG_COSIGNATURE_V1)
                key_file.write_text(signer.skey + "\n", encoding="utf-8")
                key_file.chmod(0o600)
            if not Witness.objects.filter(vkey=signer.verifier.vkey).exists():
                user = User.objects.get(username=admin.username)
                register_witness(actor=Actor.from_user(user), vkey=signer.verifier.vkey)
            token_file = folder / "token"
            token_file.write_text(admin.token + "\n", encoding="utf-8")
            token_file.chmod(0o600)
            folders.append(folder)
        return folders

    def _print(self, options: Any, version: Any, accounts: Any, path: Path, seconds: float) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"coordcell demo ready in {seconds:.1f} s — {version.arrangement.key} "
                f"version {version.number}"
            )
        )
        out.write("Fictional exercise accounts (not real people):")
        out.write(f"  {'user name':<14} {'password':<14} {'party':<9} roles")
        for a in accounts:
            out.write(f"  {a.username:<14} {a.password:<14} {a.party:<9} {', '.join(a.roles)}")
        out.write(f"Passwords and API tokens: {path}")
        out.write(f"Open http://{options['host']}:{options['port']}/  (Ctrl-C stops)")

    def _serve(self, options: Any, witnesses: list[Path]) -> None:
        """Serve until Ctrl-C (or SIGTERM), with the worker and the witnesses beside.

        Ctrl-C reaches every process of the terminal's group. The helpers start with it
        ignored (a Ctrl-C while one is still starting cannot end it with a traceback), and
        gunicorn's workers ignore it too (``core.server``): gunicorn's arbiter, this
        process, stops its workers, then this stops the helpers with SIGTERM, which each
        handles by ending its current pass or round. No traceback, no SIGKILL.
        """
        from coordcell.core.server import run_server

        cli = [sys.executable, "-m", "coordcell.cli"]
        server = f"http://{options['host']}:{options['port']}"
        with _sigint_ignored():
            helpers = [subprocess.Popen([*cli, "worker"])]  # noqa: S603 (our own interpreter)
            for folder in witnesses:
                helpers.append(
                    subprocess.Popen(  # noqa: S603 (our own interpreter and files)
                        [
                            *cli,
                            "witness",
                            "--server",
                            server,
                            "--token-file",
                            str(folder / "token"),
                            "--key",
                            str(folder / "witness.key"),
                            "--state",
                            str(folder / "state"),
                            "--interval",
                            str(WITNESS_INTERVAL_SECONDS),
                        ],
                        stdout=subprocess.DEVNULL,
                    )
                )
        try:
            run_server(
                host=options["host"], port=options["port"], workers=options["workers"], threads=16
            )
        finally:
            # Stopping already: a second Ctrl-C must not interrupt the helpers' ending.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            for helper in helpers:
                helper.terminate()
            for helper in helpers:
                try:
                    helper.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    helper.kill()
                    helper.wait()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started inside inherit SIGINT ignored (an ignored signal survives exec)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
