"""Rendering of a snapshot's facts: shared by the detail pane and the detail screen.

Pure functions from models to Rich renderables, so the wide-screen preview and the full
screen say the same thing in the same words. State is always a symbol plus a word.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.widgets import DataTable

from esnap_tui.models import SnapshotDetail, SnapshotSummary
from esnap_tui.ui.bindings import LIST, bindings_for
from esnap_tui.ui.services import (
    format_bytes,
    format_duration,
    format_state,
    format_time_full,
)


class VimTable(DataTable):
    """A read-only row table with the catalogue's vim keys."""

    BINDINGS = bindings_for(LIST)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)

    def action_cursor_top(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_cursor_bottom(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


ROW_BATCH = 200  # rows added per event-loop turn (each turn stays well under 100 ms)


async def add_rows_in_batches(
    table: DataTable, rows: Sequence[tuple], keys: Sequence[str] | None = None,
    *, batch: int = ROW_BATCH,
) -> None:
    """Add ``rows`` a batch per event-loop turn.

    DataTable measures every cell of the rows added since its last idle, in one go on the UI
    thread: 3,000 index rows added at once froze the screen for hundreds of milliseconds.
    Yielding between batches lets it measure (and the screen repaint) a batch at a time.
    """
    for start in range(0, len(rows), batch):
        if start:
            await asyncio.sleep(0)
        chunk = rows[start:start + batch]
        for offset, row in enumerate(chunk):
            table.add_row(*row, key=None if keys is None else keys[start + offset])


def _version(snapshot: SnapshotSummary) -> str:
    return str(snapshot.version) if snapshot.version is not None else "unknown"


def summary_table(
    snapshot: SnapshotSummary, *, repository: str, source: str, compact: bool = False
) -> Table:
    """Key/value facts. ``compact`` leaves out what the list row already shows."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(key: str, value: str | Text) -> None:
        grid.add_row(key, value)

    row("Snapshot", snapshot.name)
    if not compact:
        row("Repository", f"{repository} ({source})")
    row("State", format_state(snapshot.state))
    row("Version", _version(snapshot))
    row("Started", format_time_full(snapshot.start_time_ms))
    row("Ended", format_time_full(snapshot.end_time_ms))
    row("Duration", format_duration(snapshot.duration_ms))
    detail = snapshot if isinstance(snapshot, SnapshotDetail) else None
    if detail is not None:
        if detail.total_shards is not None:
            row(
                "Shards",
                f"{detail.total_shards} total · {detail.successful_shards or 0} ok · "
                f"{detail.failed_shards or 0} failed",
            )
        row(
            "Contents",
            f"{len(detail.indices)} indices · {len(detail.data_streams)} data streams · "
            f"{len(detail.feature_states)} feature states",
        )
        if detail.include_global_state is not None:
            row("Global state", "included" if detail.include_global_state else "not included")
    elif snapshot.indices_count is not None:
        row("Indices", str(snapshot.indices_count))
    row("SLM policy", snapshot.slm_policy or "—")
    if detail is not None:
        if detail.metadata:
            row("Metadata", _metadata_text(detail.metadata, compact=compact))
        if detail.reason:
            row("Reason", detail.reason)
        if detail.failures:
            row("Failures", f"{len(detail.failures)} shard failure(s)")
    row("UUID", snapshot.uuid or "—")
    return grid


def _metadata_text(metadata: dict, *, compact: bool) -> str:
    parts = []
    for key, value in metadata.items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        parts.append(f"{key}={text}")
    joined = ", ".join(parts)
    if compact and len(joined) > 120:
        joined = joined[:119] + "…"
    return joined


def index_rows(detail: SnapshotDetail, created: dict[str, str] | None = None) -> list[tuple]:
    """(index, shards, size, created) rows, from ``index_details`` where present.

    The name is a ``Text``: a plain string cell would be parsed as console markup (slow for
    thousands of rows, and an index named ``[x]`` would lose its brackets)."""
    rows = []
    details_of = detail.index_details.get
    created_of = (created or {}).get
    for name in sorted(detail.indices):
        details = details_of(name)
        shards = str(details.shard_count) if details else "—"
        size = format_bytes(details.size_in_bytes) if details else "—"
        rows.append((Text(name, no_wrap=True), shards, size, created_of(name, "—")))
    return rows
