"""Garbage collection on the app's terms: no full collection while the user waits.

CPython's collector stops every thread while it runs, and a full (generation 2) collection
walks every container object in the process. In ``esnap`` that was 70-190 ms at a time, several
times while a 10,000-snapshot repository listed or a 3,000-index snapshot opened: the longest
freezes the screen had (``benchmarks/ui_first_paint.py`` prints the longest pause).

So, once the app is up: what exists then (modules, classes, the app itself, all alive for the
whole run) is frozen out of collection, young collections stay automatic (a few ms each), and
full collections run only when the user has been idle a moment with nothing loading, or when
one is overdue. Cyclic garbage waits for the next idle moment; nothing is leaked.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

MANUAL = 1_000_000_000  # generation-2 threshold that automatic collection never reaches
IDLE_AFTER = 1.0  # seconds without a key or click before a full collection may run
CHECK_EVERY = 2.0  # how often the app asks
MIN_GAP = 10.0  # no two idle collections closer than this (the heap rarely changes faster)
OVERDUE = 120.0  # a full collection runs after this long even if the user never pauses


class QuietCollector:
    """Freezes the start-up heap and runs full collections only at quiet moments."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._saved: tuple[int, int, int] | None = None
        self.last_full = clock()
        self.full_collections = 0

    @property
    def installed(self) -> bool:
        return self._saved is not None

    def install(self) -> None:
        """Freeze what is alive now and take generation-2 collections out of automatic."""
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.freeze()
        young, middle, _ = self._saved
        gc.set_threshold(young, middle, MANUAL)
        self.last_full = self._clock()

    def uninstall(self) -> None:
        """Give the process its own collector settings back (the app has exited)."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        gc.unfreeze()
        self._saved = None

    def due(self, idle_for: float, busy: bool) -> bool:
        """Whether a full collection should run now."""
        since = self._clock() - self.last_full
        if since >= OVERDUE:
            return True
        return not busy and idle_for >= IDLE_AFTER and since >= MIN_GAP

    def collect_if_due(self, idle_for: float, busy: bool) -> bool:
        """Run a full collection when ``due``; True when one ran."""
        if self._saved is None or not self.due(idle_for, busy):
            return False
        gc.collect()
        self.last_full = self._clock()
        self.full_collections += 1
        return True
