"""How far a bundle export or import has got, and a text progress bar for the commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass
class BundleProgress:
    """Updated in place as files are written or read; `stage` says what is under way."""

    stage: str = "starting"
    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0

    def line(self, width: int = 30) -> str:
        """`[#############.................]  45%  12.3 / 27.0 MB  3 of 7 files  blobs`"""
        if self.bytes_total:
            share = min(1.0, self.bytes_done / self.bytes_total)
        else:
            share = 1.0 if self.stage == "done" else 0.0
        bar = "#" * round(share * width)
        return (
            f"[{bar:.<{width}}] {share:4.0%}  {self.bytes_done / 1e6:.1f} /"
            f" {self.bytes_total / 1e6:.1f} MB  {self.files_done} of {self.files_total} files"
            f"  {self.stage}"
        )


ProgressCallback = Callable[[BundleProgress], None]


def no_progress(progress: BundleProgress) -> None:
    """A callback for callers that show nothing."""


class TextBar:
    """A progress callback that redraws `BundleProgress.line()` on one line of `stream`, at most
    every `every` seconds; `finish()` draws the last state and ends the line."""

    def __init__(self, stream: TextIO, every: float = 0.2) -> None:
        self._stream, self._every = stream, every
        self._drawn_at = float("-inf")
        self._last: BundleProgress | None = None

    def __call__(self, progress: BundleProgress) -> None:
        self._last = progress
        if time.monotonic() - self._drawn_at >= self._every:
            self._draw(progress)

    def finish(self) -> None:
        if self._last is not None:
            self._draw(self._last)
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, progress: BundleProgress) -> None:
        self._drawn_at = time.monotonic()
        self._stream.write(f"\r{progress.line()}")
        self._stream.flush()
