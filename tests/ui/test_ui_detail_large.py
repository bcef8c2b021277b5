"""A snapshot of hundreds of indices: its indices tab is built on first view, a batch of rows
per event-loop turn, and still ends up complete, in name order, with created versions that fit
their column. The repository is written by the project's writer in the 8.15 format."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from esnap_tui.config import parse_config
from esnap_tui.repository.writer import IndexToWrite, RepositoryWriter, SnapshotToWrite
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.widgets.detail import ROW_BATCH, VimTable
from esnap_tui.versions import Version, index_version_id_for
from tests.ui.workers import settle_workers

COUNT = 2 * ROW_BATCH + 50


def _write(path: Path) -> list[str]:
    created = Version.parse("7.17.5")
    names = [f"logs-{i:04d}" for i in range(COUNT)] + ["[bracketed]"]
    indices = [IndexToWrite(name, f"uuid{i:018d}", index_version_id_for(created))
               for i, name in enumerate(names)]
    RepositoryWriter(path, "8.15").add_snapshot(SnapshotToWrite(
        "wide", "wideuuid00000000000000", Version.parse("8.15.0"),
        start_time_ms=1_700_000_000_000, end_time_ms=1_700_000_060_000, indices=indices))
    return sorted(names)


async def test_hundreds_of_indices_fill_their_tab_completely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    names = _write(tmp_path / "repo")
    app = EsnapApp(parse_config(f"offline:\n  - {{name: w, path: {tmp_path / 'repo'}}}\n"))
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):
            await settle_workers(app)
            await pilot.pause()
        await pilot.press("tab", "tab", "enter")
        await settle_workers(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert not screen.query("#indices-table")  # not built before it is looked at
        await pilot.press("l")
        for _ in range(3):
            await settle_workers(app)
            await pilot.pause()
        table = screen.query_one("#indices-table", VimTable)
        assert app.focused is table
        assert [str(table.get_cell_at((i, 0))) for i in range(table.row_count)] == names
        created = {str(table.get_cell_at((i, 3))) for i in range(table.row_count)}
        assert created == {"7.17.5 (repository)"}
        column = table.ordered_columns[3]
        assert column.get_render_width(table) - 2 * table.cell_padding >= cell_len(
            "7.17.5 (repository)")
        assert screen.indices_shown()
