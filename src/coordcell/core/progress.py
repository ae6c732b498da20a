"""A progress line on standard error for long command-line work (no dependency).

On a terminal it redraws one line a few times a second; elsewhere (CI logs, pipes) it
writes a line every tenth of the work, or every 10 s when the total is unknown.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``with Progress(total, "rows") as bar: bar.advance(n)``."""

    def __init__(self, total: int | None, unit: str, stream: TextIO | None = None) -> None:
        self.total = total if total and total > 0 else None
        self.unit = unit
        self.stream = stream or sys.stderr
        self.done = 0
        self._tty = self.stream.isatty()
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._last_decile = -1

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.total is not None and exc[0] is None:
            self.total = self.done  # the count was an estimate (quoted line breaks)
        self._draw(final=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self._tty:
            if now - self._last_draw >= 0.2:
                self._draw()
        elif self.total:
            decile = self.done * 10 // self.total
            if decile != self._last_decile:
                self._last_decile = decile
                self._draw()
        elif now - self._last_draw >= 10:
            self._draw()

    def _line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * 30)
            bar = "#" * filled + "-" * (30 - filled)
            return (
                f"[{bar}] {share:4.0%} {self.done:,}/{self.total:,} {self.unit} "
                f"{rate:,.0f}/s {elapsed:.1f}s"
            )
        return f"{self.done:,} {self.unit} {rate:,.0f}/s {elapsed:.1f}s"

    def _draw(self, final: bool = False) -> None:
        self._last_draw = time.monotonic()
        if self._tty:
            self.stream.write("\r" + self._line() + ("\n" if final else ""))
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()
