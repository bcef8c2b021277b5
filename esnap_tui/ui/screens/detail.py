"""One snapshot in full: summary, indices, data streams, feature states, shard failures.

The detail is loaded here, in a worker, only when the screen opens: listing thousands of
snapshots never pays for it. Sections are tabs so each fits an 80x24 terminal on its own.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from esnap_tui.models import IndexInSnapshot, SnapshotDetail
from esnap_tui.ui.bindings import DETAIL, bindings_for
from esnap_tui.ui.screens.extensions import SnapshotContext, screen_for
from esnap_tui.ui.services import describe_error
from esnap_tui.ui.widgets.detail import VimTable, index_rows, summary_table

TABS = ("summary", "indices", "data-streams", "feature-states", "failures")
TAB_TITLES = {
    "summary": "Summary",
    "indices": "Indices",
    "data-streams": "Data streams",
    "feature-states": "Feature states",
    "failures": "Failures",
}


class DetailScreen(Screen):
    BINDINGS = bindings_for(DETAIL)

    def __init__(self, context: SnapshotContext) -> None:
        super().__init__()
        self.context = context
        self.detail: SnapshotDetail | None = context.detail

    def compose(self) -> ComposeResult:
        ctx = self.context
        yield Static(
            f" esnap › {ctx.source.name} › {ctx.repository} › {ctx.snapshot.name}",
            id="title",
            markup=False,
        )
        with TabbedContent(id="detail-tabs"):
            with TabPane(TAB_TITLES["summary"], id="summary"), VerticalScroll(id="summary-scroll"):
                yield Static(id="summary-body")
            with TabPane(TAB_TITLES["indices"], id="indices"):
                yield VimTable(id="indices-table")
            with TabPane(TAB_TITLES["data-streams"], id="data-streams"):
                yield VimTable(id="data-streams-table")
            with TabPane(TAB_TITLES["feature-states"], id="feature-states"):
                yield VimTable(id="feature-states-table")
            with TabPane(TAB_TITLES["failures"], id="failures"):
                yield VimTable(id="failures-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        ctx = self.context
        self.query_one("#summary-body", Static).update(
            summary_table(ctx.snapshot, repository=ctx.repository, source=ctx.source.name)
        )
        self.query_one("#detail-tabs", TabbedContent).loading = True
        self.load_detail()

    @work(exclusive=True, group="detail-screen", exit_on_error=False)
    async def load_detail(self) -> None:
        """The REST (or offline) detail first; per-index created versions follow when the
        repository files are readable, without holding the rest of the screen back."""
        ctx = self.context
        tabs = self.query_one("#detail-tabs", TabbedContent)
        try:
            detail = self.detail or await ctx.source.snapshot(ctx.repository, ctx.snapshot.name)
        except Exception as error:
            kind, message = describe_error(error)
            tabs.loading = False
            self.query_one("#summary-body", Static).update(
                f"✗ could not load snapshot {ctx.snapshot.name}: {kind}\n{message}"
            )
            return
        self.detail = detail
        ctx.detail = detail
        self._fill(detail)
        tabs.loading = False
        self.query_one("#summary-scroll").focus()
        self.load_created_versions(detail)

    @work(exclusive=True, group="detail-created", exit_on_error=False)
    async def load_created_versions(self, detail: SnapshotDetail) -> None:
        ctx = self.context
        try:
            indices = await ctx.source.snapshot_indices(ctx.repository, ctx.snapshot.name)
        except Exception:  # created versions are a bonus; the detail stands without them
            return
        if indices:
            self._fill_indices(detail, indices)

    def _fill_indices(self, detail: SnapshotDetail, indices: list[IndexInSnapshot] | None) -> None:
        table = self.query_one("#indices-table", VimTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        created = {
            i.name: (f"{i.created} ({i.created_source})" if i.created else "unknown")
            for i in indices or []
        }
        table.add_columns("Index", "Shards", "Size", "Created" if indices else "")
        for row in index_rows(detail, created if indices else None):
            table.add_row(*(row if indices else (*row[:3], "")), key=row[0])
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def _fill(self, detail: SnapshotDetail) -> None:
        ctx = self.context
        self.query_one("#summary-body", Static).update(
            summary_table(detail, repository=ctx.repository, source=ctx.source.name)
        )
        tabs = self.query_one("#detail-tabs", TabbedContent)
        self._fill_indices(detail, None)
        self._title(tabs, "indices", len(detail.indices))

        streams = self.query_one("#data-streams-table", VimTable)
        streams.add_columns("Data stream", "Backing indices in snapshot")
        for name in sorted(detail.data_streams):
            backing = sum(1 for i in detail.indices if i.startswith(f".ds-{name}-"))
            streams.add_row(name, str(backing), key=name)
        self._title(tabs, "data-streams", len(detail.data_streams))

        features = self.query_one("#feature-states-table", VimTable)
        features.add_columns("Feature", "Indices")
        for state in detail.feature_states:
            features.add_row(state.feature_name, ", ".join(state.indices) or "—")
        self._title(tabs, "feature-states", len(detail.feature_states))

        failures = self.query_one("#failures-table", VimTable)
        failures.add_columns("Index", "Shard", "Status", "Node", "Reason")
        for failure in detail.failures:
            failures.add_row(
                failure.index,
                "—" if failure.shard_id is None else str(failure.shard_id),
                failure.status or "—",
                failure.node_id or "—",
                failure.reason,
            )
        self._title(tabs, "failures", len(detail.failures))

    @staticmethod
    def _title(tabs: TabbedContent, pane: str, count: int) -> None:
        tabs.get_tab(pane).label = f"{TAB_TITLES[pane]} {count}"

    # actions -----------------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        tabs = self.query_one("#detail-tabs", TabbedContent)
        position = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(position + delta) % len(TABS)]
        pane = tabs.active_pane
        if pane is not None:
            focusable = pane.query("VimTable, #summary-scroll")
            if focusable:
                focusable.first().focus()

    def action_next_tab(self) -> None:
        self._step(1)

    def action_prev_tab(self) -> None:
        self._step(-1)

    def action_back(self) -> None:
        self.dismiss()

    def snapshot_context(self) -> SnapshotContext:
        return self.context

    def action_compat(self) -> None:
        self.app.push_screen(screen_for("compat", self.snapshot_context()))

    def action_restore(self) -> None:
        self.app.push_screen(screen_for("restore", self.snapshot_context()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return not (self.context.read_only or self.context.source.read_only)
        return True
