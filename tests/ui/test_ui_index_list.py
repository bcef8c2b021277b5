"""A snapshot of more indices than a DataTable fills without a freeze: its indices tab is a
virtual IndexList. Every index is there in name order with its created version, the columns
fit their widest value, and the cursor (marked "▶", not only coloured) follows the keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from esnap_tui.config import parse_config
from esnap_tui.repository.writer import IndexToWrite, RepositoryWriter, SnapshotToWrite
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.detail import LARGE_INDEX_LIST, DetailScreen
from esnap_tui.ui.widgets.index_list import IndexList
from esnap_tui.versions import Version, index_version_id_for
from tests.ui.workers import settle_workers

COUNT = LARGE_INDEX_LIST + 1


def _write(path: Path) -> list[str]:
    created = Version.parse("7.17.5")
    names = [f"logs-{i:05d}" for i in range(COUNT - 1)] + ["[bracketed]"]
    indices = [IndexToWrite(name, f"uuid{i:018d}", index_version_id_for(created))
               for i, name in enumerate(names)]
    RepositoryWriter(path, "8.15").add_snapshot(SnapshotToWrite(
        "wide", "wideuuid00000000000000", Version.parse("8.15.0"),
        start_time_ms=1_700_000_000_000, end_time_ms=1_700_000_060_000, indices=indices))
    return sorted(names)


async def _settle(app: EsnapApp, pilot) -> None:
    for _ in range(3):
        await settle_workers(app)
        await pilot.pause()


def _line(widget: IndexList, y: int) -> str:
    return widget.render_line(y).text


async def test_a_large_snapshot_lists_every_index_with_a_cursor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    names = _write(tmp_path / "repo")
    app = EsnapApp(parse_config(f"offline:\n  - {{name: w, path: {tmp_path / 'repo'}}}\n"))
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(app, pilot)
        await pilot.press("tab", "tab", "enter")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await pilot.press("l")
        await _settle(app, pilot)
        widget = screen.query_one("#indices-table", IndexList)
        assert app.focused is widget
        assert screen.indices_shown()
        assert [row[0] for row in widget.rows] == names
        assert {row[3] for row in widget.rows} == {"7.17.5 (repository)"}
        assert widget.widths[3] >= cell_len("7.17.5 (repository)")

        header = _line(widget, 0)
        assert header.split() == ["Index", "Shards", "Size", "Created"]
        first = _line(widget, 1)
        assert first.startswith("▶ [bracketed]") and "7.17.5 (repository)" in first
        assert _line(widget, 2).startswith("  logs-00000")

        await pilot.press("j", "down")
        assert widget.cursor == 2
        assert _line(widget, 3).startswith(f"▶ {names[2]}")
        await pilot.press("k")
        assert widget.cursor == 1
        await pilot.press("G")
        assert widget.cursor == COUNT - 1
        bottom = widget.scrollable_content_region.height - 1
        assert _line(widget, bottom).startswith(f"▶ {names[-1]}")  # scrolled into view
        assert _line(widget, 0).split()[0] == "Index"  # the header stays on top
        await pilot.press("g")
        assert widget.cursor == 0 and widget.scroll_y == 0
        await pilot.press("pagedown")
        page = widget.scrollable_content_region.height - 1
        assert widget.cursor == page
        await pilot.press("pageup")
        assert widget.cursor == 0
