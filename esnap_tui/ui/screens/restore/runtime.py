"""Timing and file places of restores run from the app, in one injectable object.

Why: the monitor paces its polls with a clock and a sleep. In real use they are the machine's;
in the demo the sandbox's clusters run a fixed clock that only moves when told, so the monitor
sleeps on that clock (it waits for real and moves it on); tests hand in their own to drive the
sandbox deterministically (``app.restore_runtime = RestoreRuntime(...)``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


@dataclass
class RestoreRuntime:
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] | None = None  # None: asyncio.sleep
    poll_interval: float = 2.0
    request_timeout: float = 30.0  # how long the restore call's answer is awaited
    audit_path: Path | None = None  # None: the XDG state dir
    export_dir: Path | None = None  # None: beside the audit log

    def monitor_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"interval": self.poll_interval, "clock": self.clock}
        if self.sleep is not None:
            options["sleep"] = self.sleep
        return options

    def exports(self) -> Path:
        if self.export_dir is not None:
            return self.export_dir
        from esnap_tui.restore.audit import default_audit_path

        return (self.audit_path or default_audit_path()).parent / "requests"


def runtime_for(app: Any, cluster: str | None = None) -> RestoreRuntime:
    """The app's runtime (tests set ``app.restore_runtime``); in the demo, paced on the
    sandbox cluster's own clock."""
    given = getattr(app, "restore_runtime", None)
    if isinstance(given, RestoreRuntime):
        return given
    runtime = RestoreRuntime()
    finder = getattr(app, "sandbox_clock", None)
    clock = finder(cluster) if finder is not None and cluster else None
    if clock is not None:
        runtime = replace(runtime, clock=lambda: clock.now_ms() / 1000, sleep=clock.sleep)
    return runtime
