"""Follow one restore: overall and per-index bytes, files, stage, throughput and ETA, then the
verification.

Why it can be left at any time: the numbers come from the cluster (``_recovery``), not from this
screen, so leaving (or losing SSH) loses nothing; ``w`` finds the restore again. Polling is the
restore layer's ``RestoreMonitor``: one request at a time, the next after an interval, backing
off while the cluster does not answer; ``r`` asks once more now (it waits its turn).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from esnap_tui.restore.monitor import RestoreProgress
from esnap_tui.ui.bindings import MONITOR, bindings_for
from esnap_tui.ui.screens.restore.render import index_row, progress_line, verification_content
from esnap_tui.ui.screens.restore.runtime import runtime_for
from esnap_tui.ui.services import (
    ClusterSource,
    RestorePreparation,
    Services,
    attach_restore_monitor,
    describe_error,
    format_time,
    new_restore_monitor,
)

COLUMNS = ("index", "from", "stage", "done", "bytes", "files", "shards")


class RestoreMonitorScreen(Screen):
    BINDINGS = bindings_for(MONITOR)
    DEFAULT_CSS = """
    RestoreMonitorScreen #monitor-body { height: 1fr; padding: 0 1; }
    RestoreMonitorScreen #monitor-origin { height: auto; color: $text-muted; }
    RestoreMonitorScreen #monitor-line { height: auto; margin: 1 0 0 0; }
    RestoreMonitorScreen #monitor-bar { height: 1; margin: 0 0 1 0; }
    RestoreMonitorScreen #monitor-bar Bar { width: 1fr; }
    RestoreMonitorScreen #monitor-table { height: 1fr; }
    RestoreMonitorScreen #monitor-verify { height: auto; max-height: 8; }
    """

    def __init__(self, services: Services, cluster: str, repository: str | None,
                 snapshot: str, *, origin: str, factory: Any) -> None:
        super().__init__()
        self.services = services
        self.cluster = cluster
        self.repository = repository
        self.snapshot = snapshot
        self.origin = origin
        self._factory = factory  # async (options) -> RestoreMonitor
        self.monitor: Any = None
        self.last: RestoreProgress | None = None

    @classmethod
    def started(cls, services: Services, prep: RestorePreparation, result: Any
                ) -> RestoreMonitorScreen:
        """For a restore this app just started."""
        plan = prep.plan

        async def factory(options: dict[str, Any]) -> Any:
            return await new_restore_monitor(services, prep, result, **options)

        origin = f"✓ {result.message}"
        return cls(services, plan.target_cluster, plan.repository_on_target, plan.snapshot,
                   origin=origin, factory=factory)

    @classmethod
    def attached(cls, services: Services, source: ClusterSource, restore: Any
                 ) -> RestoreMonitorScreen:
        """For a restore found in flight (started by anyone, maybe long ago)."""

        async def factory(options: dict[str, Any]) -> Any:
            return await attach_restore_monitor(source, restore, **options)

        when = format_time(restore.started_ms) if restore.started_ms else "an unknown time"
        origin = f"re-attached: restore found in flight, started {when} UTC (by anyone)"
        return cls(services, source.name, restore.repository, restore.snapshot,
                   origin=origin, factory=factory)

    def compose(self) -> ComposeResult:
        repo = f"{self.repository}:" if self.repository else ""
        yield Static(f" esnap › restore › {repo}{self.snapshot} → {self.cluster}", id="title",
                     markup=False)
        with Vertical(id="monitor-body"):
            yield Static(self.origin, id="monitor-origin", markup=False)
            yield Static("… asking the cluster", id="monitor-line", markup=False)
            yield ProgressBar(total=100, show_eta=False, id="monitor-bar")
            yield DataTable(id="monitor-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="monitor-verify")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#monitor-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        self.follow()

    @work(exclusive=True, group="restore-monitor", exit_on_error=False)
    async def follow(self) -> None:
        runtime = runtime_for(self.app, self.cluster)
        try:
            self.monitor = await self._factory(runtime.monitor_options())
            if self.monitor is None:
                self.query_one("#monitor-line", Static).update(
                    "nothing to follow: this restore creates no index")
                return
            async for progress in self.monitor:
                self.show(progress)
        except Exception as error:
            kind, message = describe_error(error)
            self.query_one("#monitor-line", Static).update(
                f"✗ stopped following: {kind}: {message} (the restore goes on; press r)")

    def action_poll_now(self) -> None:
        if self.monitor is None:
            self.follow()
            return
        if self.last is not None and self.last.verification is not None:
            return
        self.poll_once()

    @work(exclusive=True, group="restore-monitor-poll", exit_on_error=False)
    async def poll_once(self) -> None:
        progress = await self.monitor.poll()
        if self.last is None or self.last.verification is None:
            self.show(progress)

    def show(self, progress: RestoreProgress) -> None:
        self.last = progress
        line = progress_line(progress)
        if progress.error:
            line += f"\n! last poll failed: {progress.error} (numbers are from before)"
        self.query_one("#monitor-line", Static).update(line)
        self.query_one("#monitor-bar", ProgressBar).update(progress=round(progress.percent, 1))
        table = self.query_one("#monitor-table", DataTable)
        for index in progress.indices:
            row = index_row(index)
            if index.name in table.rows:
                for column, value in zip(COLUMNS, row, strict=True):
                    table.update_cell(index.name, column, value, update_width=True)
            else:
                table.add_row(*row, key=index.name)
        if progress.verification is not None:
            self.query_one("#monitor-verify", Static).update(verification_content(progress))
            ok = progress.verification.ok
            self.notify(
                f"restore of {self.snapshot} into {self.cluster}: "
                + ("done and verified" if ok else "finished with problems"),
                severity="information" if ok else "error", timeout=10,
            )
            self.app.bell()
        elif progress.done:
            self.query_one("#monitor-verify", Static).update(Content("… verifying"))

    def action_leave(self) -> None:
        if self.last is None or self.last.verification is None:
            self.notify("The restore goes on in the cluster; press w to watch it again.")
        self.dismiss()
