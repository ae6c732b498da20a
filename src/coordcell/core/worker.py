"""The background worker's loop: run every registered job, beat, sleep, repeat.

Jobs are functions registered with ``@job``; each must be idempotent and claim its
work with conditional updates, so that a worker killed mid-pass, restarted, or
running beside another one does nothing twice. The deadline and checkpoint jobs of
later features register here; the loop itself already runs and reports a heartbeat.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from coordcell.core.models import WorkerBeat

__all__ = ["Job", "job", "registered_jobs", "run_pass", "run_worker"]

log = logging.getLogger("coordcell.worker")


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[dt.datetime], int]


_JOBS: list[Job] = []


def job(name: str) -> Callable[[Callable[[dt.datetime], int]], Callable[[dt.datetime], int]]:
    """Register ``func(now) -> number of items handled`` as a worker job."""

    def decorate(func: Callable[[dt.datetime], int]) -> Callable[[dt.datetime], int]:
        if any(j.name == name for j in _JOBS):
            raise ValueError(f"worker job {name!r} registered twice")
        _JOBS.append(Job(name, func))
        return func

    return decorate


def registered_jobs() -> list[Job]:
    return list(_JOBS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_pass(now: dt.datetime, *, name: str, started_at: dt.datetime) -> dict[str, int]:
    """Run every job once at ``now``; a failing job is logged and does not stop the others."""
    handled: dict[str, int] = {}
    for registered in _JOBS:
        try:
            handled[registered.name] = registered.func(now)
        except Exception:
            log.exception("worker job %s failed; it will be retried next pass", registered.name)
            handled[registered.name] = -1
    beat, _created = WorkerBeat.objects.get_or_create(
        name=name, defaults={"started_at": started_at, "last_beat_at": timezone.now()}
    )
    WorkerBeat.objects.filter(pk=beat.pk).update(
        last_beat_at=timezone.now(), passes=beat.passes + 1
    )
    return handled


def run_worker(
    *,
    interval: float,
    once: bool = False,
    now: dt.datetime | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Loop until SIGTERM/SIGINT (or ``stop``); return the number of passes made."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    name = worker_name()
    started_at = timezone.now()
    passes = 0
    log.info("worker %s started (%d jobs, every %ss)", name, len(_JOBS), interval)
    while not stop.is_set():
        close_old_connections()
        try:
            run_pass(now or timezone.now(), name=name, started_at=started_at)
        except DatabaseError:
            # A locked or unreachable database is passing trouble: keep the worker
            # alive and try again next pass (jobs are idempotent).
            log.exception("worker pass failed; retrying in %ss", interval)
        close_old_connections()
        passes += 1
        if once:
            break
        stop.wait(interval)
    log.info("worker %s stopped after %d passes", name, passes)
    return passes
