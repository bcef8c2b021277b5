"""One snapshot in full: summary, indices, data streams, feature states, shard failures.

The detail is loaded here, in a worker, only when the screen opens: listing thousands of
snapshots never pays for it. Sections are tabs so each fits an 80x24 terminal on its own.

Why tabs are built on first view: every widget costs style matching and layout when the screen
is pushed, and that cost lands in one event-loop turn (the screen froze for 100-200 ms with
four tables built up front). Only the summary exists at first; a tab's table is mounted and
filled when the tab is first shown, a large one a batch of rows per turn. Above
``LARGE_INDEX_LIST`` indices the tab is an ``IndexList`` instead of a table: a DataTable re-lays
out and redraws per batch, and 3,000 rows still froze the screen for 200-400 ms.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static, TabbedContent, TabPane

from esnap_tui.models import IndexInSnapshot, SnapshotDetail
from esnap_tui.ui.bindings import DETAIL, bindings_for
from esnap_tui.ui.screens.extensions import SnapshotContext, open_restore, screen_for
from esnap_tui.ui.services import describe_error
from esnap_tui.ui.widgets.detail import (
    ROW_BATCH,
    VimTable,
    add_rows_in_batches,
    index_rows,
    summary_table,
)
from esnap_tui.ui.widgets.index_list import IndexList, measure_columns

TABS = ("summary", "indices", "data-streams", "feature-states", "failures")
TAB_TITLES = {
    "summary": "Summary",
    "indices": "Indices",
    "data-streams": "Data streams",
    "feature-states": "Feature states",
    "failures": "Failures",
}
INDEX_HEADERS = ("Index", "Shards", "Size", "Created")
LARGE_INDEX_LIST = 1000  # more indices than this are shown by a virtual IndexList
SPINNER_DELAY = 0.15  # a detail that arrives sooner (cached, local) shows no spinner at all


class DetailScreen(Screen):
    BINDINGS = bindings_for(DETAIL)
    AUTO_FOCUS = "#summary-scroll"

    def __init__(self, context: SnapshotContext) -> None:
        super().__init__()
        self.context = context
        self.detail: SnapshotDetail | None = context.detail
        self._built: set[str] = set()  # panes whose table is mounted
        self._created: dict[str, str] | None = None  # index -> created version, once known
        self._created_done = False  # the created versions were looked up (found or not)
        self._spinner: Timer | None = None

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
            for pane in TABS[1:]:
                yield TabPane(TAB_TITLES[pane], id=pane)  # its table is built on first view
        yield Footer(compact=True)

    def on_mount(self) -> None:
        ctx = self.context
        self.query_one("#summary-body", Static).update(
            summary_table(ctx.snapshot, repository=ctx.repository, source=ctx.source.name)
        )
        self._spinner = self.set_timer(SPINNER_DELAY, self._show_spinner)
        self.load_detail()

    def _show_spinner(self) -> None:
        if self.detail is None:
            self.query_one("#detail-tabs", TabbedContent).loading = True

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
        self.query_one("#detail-tabs", TabbedContent).loading = False

    @work(exclusive=True, group="detail-screen", exit_on_error=False)
    async def load_detail(self) -> None:
        """The REST (or offline) detail first; per-index created versions follow when the
        repository files are readable, without holding the rest of the screen back."""
        ctx = self.context
        try:
            detail = self.detail or await ctx.source.snapshot(ctx.repository, ctx.snapshot.name)
        except Exception as error:
            kind, message = describe_error(error)
            self._stop_spinner()
            self.query_one("#summary-body", Static).update(
                f"✗ could not load snapshot {ctx.snapshot.name}: {kind}\n{message}"
            )
            return
        self.detail = detail
        ctx.detail = detail
        self._stop_spinner()
        self._fill(detail)

    @work(exclusive=True, group="detail-created", exit_on_error=False)
    async def load_created_versions(self, detail: SnapshotDetail) -> None:
        """Started once the index rows are in, not when the screen opens: the index metadata
        is read in the reader's child process, but its answer (thousands of indices) is
        rebuilt in this process, and that should not compete with building the screen."""
        ctx = self.context
        try:
            indices = await ctx.source.snapshot_indices(ctx.repository, ctx.snapshot.name)
        except Exception:  # created versions are a bonus; the detail stands without them
            indices = None
        self._created = _created_texts(indices) if indices else None
        self._created_done = True
        table = self._indices_widget()
        if table is not None and table.row_count:
            await self._update_created()

    def _indices_widget(self) -> VimTable | IndexList | None:
        found = self.query("#indices-table")
        widget = found.first() if found else None
        return widget if isinstance(widget, VimTable | IndexList) else None

    # tabs, built on first view -----------------------------------------------------------

    @on(TabbedContent.TabActivated, "#detail-tabs")
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id
        if pane is None or pane == "summary" or pane in self._built:
            return
        self._built.add(pane)
        if pane == "indices" and self.detail is None:
            return  # its size picks the widget: mounted when the detail arrives (``_fill``)
        table = self._table_for(pane, self.detail)
        await event.pane.mount(table)
        if self.detail is not None:
            self._populate(pane, self.detail)
        if self.query_one("#detail-tabs", TabbedContent).active == pane:
            table.focus()

    @staticmethod
    def _table_for(pane: str, detail: SnapshotDetail | None) -> Widget:
        if pane == "indices" and detail is not None and len(detail.indices) > LARGE_INDEX_LIST:
            return IndexList(INDEX_HEADERS, id="indices-table")
        return VimTable(id=f"{pane}-table")

    def _populate(self, pane: str, detail: SnapshotDetail) -> None:
        if pane == "indices" and isinstance(self._indices_widget(), IndexList):
            self.fill_indices(detail)
            return
        table = self.query_one(f"#{pane}-table", VimTable)
        if pane == "indices":
            table.add_column("Index", key="index")
            table.add_column("Shards", key="shards")
            table.add_column("Size", key="size")
            table.add_column("Created", key="created")
            self.fill_indices(detail)
        elif pane == "data-streams":
            table.add_columns("Data stream", "Backing indices in snapshot")
            for name in sorted(detail.data_streams):
                backing = sum(1 for i in detail.indices if i.startswith(f".ds-{name}-"))
                table.add_row(name, str(backing), key=name)
        elif pane == "feature-states":
            table.add_columns("Feature", "Indices")
            for state in detail.feature_states:
                table.add_row(state.feature_name, ", ".join(state.indices) or "—")
        elif pane == "failures":
            table.add_columns("Index", "Shard", "Status", "Node", "Reason")
            for failure in detail.failures:
                table.add_row(
                    failure.index,
                    "—" if failure.shard_id is None else str(failure.shard_id),
                    failure.status or "—",
                    failure.node_id or "—",
                    failure.reason,
                )

    @work(exclusive=True, group="detail-indices", exit_on_error=False)
    async def fill_indices(self, detail: SnapshotDetail) -> None:
        """Index rows, sorted and formatted off the UI thread when there are many: the tab's
        first frame is painted meanwhile, before any row (built inline, the first frame carried
        the first batch and took twice as long). An ``IndexList`` gets them all at once, with
        column widths measured in the thread too."""
        widget = self._indices_widget()
        if isinstance(widget, IndexList):
            created, done = self._created, self._created_done
            pending = "—" if done else "…"

            def build() -> tuple[list[tuple[str, ...]], list[int]]:
                rows = [(str(r[0]), r[1], r[2], r[3] if created is not None else pending)
                        for r in index_rows(detail, created)]
                return rows, measure_columns(INDEX_HEADERS, rows)

            rows, widths = await asyncio.to_thread(build)
            widget.set_rows(rows, widths)
            if not self._created_done:
                self.load_created_versions(detail)
            elif not done:
                await self._update_created()  # the versions arrived while the rows were built
            return
        if len(detail.indices) > ROW_BATCH:
            rows = await asyncio.to_thread(index_rows, detail, self._created)
        else:
            rows = index_rows(detail, self._created)
        created, done = self._created, self._created_done
        pending = "—" if done else "…"
        rows = [(*row[:3], row[3] if created is not None else pending) for row in rows]
        table = self.query_one("#indices-table", VimTable)
        await add_rows_in_batches(table, rows, [str(row[0]) for row in rows])
        if not self._created_done:
            self.load_created_versions(detail)
        elif not done:
            await self._update_created()  # the versions arrived while the rows went in

    async def _update_created(self) -> None:
        """Put the created versions (or "—" when unknown) into rows already shown, a batch
        per turn; widths are not re-measured per cell (3,000 of them froze a frame)."""
        widget = self._indices_widget()
        if isinstance(widget, IndexList):
            texts = self._created
            widget.set_column(3, [texts.get(row[0], "unknown") if texts else "—"
                                  for row in widget.rows])
            return
        table = self.query_one("#indices-table", VimTable)
        if "created" not in table.columns:
            return
        created = self._created or {}
        keys = [row.key for row in table.ordered_rows]
        measured: set[str] = set()  # one cell per distinct value is enough to size the column
        for start in range(0, len(keys), ROW_BATCH):
            if start:
                await asyncio.sleep(0)
            for key in keys[start:start + ROW_BATCH]:
                value = created.get(str(key.value), "unknown") if self._created else "—"
                table.update_cell(key, "created", value, update_width=value not in measured)
                measured.add(value)

    def indices_shown(self) -> bool:
        """The indices table holds a row for every index of the snapshot (benchmarks ask)."""
        table = self._indices_widget()
        if self.detail is None or table is None:
            return False
        return table.row_count == len(self.detail.indices)

    def _fill(self, detail: SnapshotDetail) -> None:
        ctx = self.context
        self.query_one("#summary-body", Static).update(
            summary_table(detail, repository=ctx.repository, source=ctx.source.name)
        )
        tabs = self.query_one("#detail-tabs", TabbedContent)
        self._title(tabs, "indices", len(detail.indices))
        self._title(tabs, "data-streams", len(detail.data_streams))
        self._title(tabs, "feature-states", len(detail.feature_states))
        self._title(tabs, "failures", len(detail.failures))
        for pane in TABS[1:]:
            if pane == "indices" and pane in self._built and self._indices_widget() is None:
                table = self._table_for(pane, detail)  # its tab was opened before the detail
                self.query_one(f"#{pane}", TabPane).mount(table)
                if tabs.active == pane:
                    table.focus()
            if pane in self._built:
                self._populate(pane, detail)

    @staticmethod
    def _title(tabs: TabbedContent, pane: str, count: int) -> None:
        tabs.get_tab(pane).label = f"{TAB_TITLES[pane]} {count}"

    # actions -----------------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        tabs = self.query_one("#detail-tabs", TabbedContent)
        position = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(position + delta) % len(TABS)]
        pane = tabs.active_pane
        if pane is not None:  # a tab seen for the first time focuses its table once built
            focusable = pane.query("VimTable, IndexList, #summary-scroll")
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
        open_restore(self, self.snapshot_context())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # As on the main screen: a read-only or offline source is a fine place to restore
        # FROM (the wizard offers only writable targets); only global --read-only hides R.
        if action == "restore":
            return not self.context.read_only
        return True


def _created_texts(indices: list[IndexInSnapshot]) -> dict[str, str]:
    return {
        i.name: (f"{i.created} ({i.created_source})" if i.created else "unknown") for i in indices
    }
