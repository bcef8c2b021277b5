"""Find snapshots containing an index: the question no other snapshot tool answers.

Type an index name or pattern (``logs-2024.05.*``, ``a,b``, ``-excluded``); every reachable
repository of every source is searched concurrently and answers as it finishes, grouped per
repository with the newest successful snapshot first. Readable repository files answer from
their catalogue; otherwise the REST listing is read, bounded by
``services.FIND_MAX_REST_SNAPSHOTS``. One failing repository adds its own error row.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from esnap_tui.models import SnapshotSummary
from esnap_tui.ui.bindings import MODAL, bindings_for
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.extensions import SnapshotContext
from esnap_tui.ui.services import (
    KIND_LABELS,
    FindResult,
    RepoRef,
    Services,
    Source,
    describe_error,
    format_state,
    format_time,
)
from esnap_tui.ui.widgets.detail import VimTable


class FindIndexScreen(Screen):
    BINDINGS = bindings_for(MODAL)

    def __init__(self, services: Services, *, read_only: bool = False, pattern: str = "") -> None:
        super().__init__()
        self.services = services
        self.read_only = read_only
        self.initial = pattern
        self.targets: dict[str, tuple[Source, str, SnapshotSummary]] = {}
        self.searched = 0
        self.to_search = 0

    def compose(self) -> ComposeResult:
        yield Static(" esnap › find snapshots containing an index", id="title", markup=False)
        with Vertical(id="find-pane", classes="pane") as pane:
            pane.border_title = "Index name or pattern"
            yield Input(value=self.initial, placeholder="e.g. logs-2024.05.01  or  metrics-*",
                        id="find-input")
            yield VimTable(id="find-results")
            yield Static(id="find-message", classes="pane-message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#find-results", VimTable)
        table.add_column("Repository", key="repo")
        table.add_column("Snapshot", key="name", width=28)
        table.add_column("State", key="state")
        table.add_column("Started (UTC)", key="start")
        table.add_column("Matching indices", key="indices")
        self.query_one("#find-message", Static).update(
            "Enter searches every repository of every reachable cluster and offline source."
        )
        self.query_one("#find-input", Input).focus()
        if self.initial:
            self.search(self.initial)

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.search(event.value.strip())

    @work(exclusive=True, group="find", exit_on_error=False)
    async def search(self, pattern: str) -> None:
        table = self.query_one("#find-results", VimTable)
        message = self.query_one("#find-message", Static)
        pane = self.query_one("#find-pane")
        table.clear()
        self.targets.clear()
        message.update(f"Searching for {pattern}…")
        table.loading = True
        repos = await self._all_repositories()
        self.to_search = len(repos)
        self.searched = 0
        pane.border_subtitle = f"0 of {self.to_search} repositories"
        found = 0
        first = True

        async def one(source: Source, repo: str) -> tuple[Source, str, FindResult]:
            try:
                return source, repo, await source.find_index(repo, pattern)
            except Exception as error:
                kind, text = describe_error(error)
                label = KIND_LABELS.get(kind, kind)
                return source, repo, FindResult(source.key, repo, error=f"{label}: {text}")

        for next_done in asyncio.as_completed([one(s, r) for s, r in repos]):
            source, repo, result = await next_done
            self.searched += 1
            pane.border_subtitle = f"{self.searched} of {self.to_search} repositories"
            if first:
                table.loading = False
                first = False
            found += self._add_result(source, repo, result)
        table.loading = False
        if not repos:
            message.update("No reachable repository to search.")
        elif found:
            message.update(
                f"{found} snapshot(s) contain {pattern}. Enter opens one; newest successful first."
            )
            table.focus()
        else:
            message.update(f"No snapshot in {len(repos)} repositories contains {pattern}.")

    async def _all_repositories(self) -> list[tuple[Source, str]]:
        async def of(source: Source) -> list[tuple[Source, str]]:
            if source.state.ok is None:
                await source.connect()
            if not source.state.ok:
                return []
            try:
                refs: list[RepoRef] = await source.repositories()
            except Exception:
                return []
            return [(source, ref.name) for ref in refs]

        lists = await asyncio.gather(*(of(s) for s in self.services.sources))
        return [pair for sub in lists for pair in sub]

    def _add_result(self, source: Source, repo: str, result: FindResult) -> int:
        table = self.query_one("#find-results", VimTable)
        where = f"{source.name}/{repo}"
        if result.error:
            table.add_row(where, f"✗ {result.error}", "", "", "", key=f"error:{where}")
            return 0
        for summary, indices in result.matches:
            key = f"{source.key}\t{repo}\t{summary.name}"
            self.targets[key] = (source, repo, summary)
            shown = ", ".join(indices[:3]) + (f" +{len(indices) - 3}" if len(indices) > 3 else "")
            table.add_row(
                where, Text(summary.name, no_wrap=True, overflow="ellipsis"),
                format_state(summary.state),
                format_time(summary.start_time_ms), shown, key=key,
            )
        if result.truncated:
            table.add_row(
                where, f"… searched the newest {result.scanned} only", "", "", "",
                key=f"truncated:{where}",
            )
        return len(result.matches)

    @on(DataTable.RowSelected, "#find-results")
    def _open(self, event: DataTable.RowSelected) -> None:
        target = self.targets.get(str(event.row_key.value))
        if target is None:
            return
        source, repo, summary = target
        context = SnapshotContext(self.services, source, repo, summary, read_only=self.read_only)
        self.app.push_screen(DetailScreen(context))

    def action_close(self) -> None:
        self.dismiss()
