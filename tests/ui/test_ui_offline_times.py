"""Offline repositories whose catalogue predates 7.14 list no start times.

A small repository gets them from its snapshot blobs in a worker (the list sorts newest first
by them); a large one says in the pane footer that times load on selection, and a snapshot's
row shows its time once it was opened. Real 5.6/6.8/7.10 repositories, and a 7.10-format one
with 201 snapshots written by the project's writer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from esnap_tui.config import parse_config
from esnap_tui.repository.reader import RepositoryReader
from esnap_tui.repository.writer import IndexToWrite, RepositoryWriter, SnapshotToWrite
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.main import TIMES_HINT, TIMES_HINT_SHORT, MainScreen
from esnap_tui.ui.services import format_time, times_fill_limit
from esnap_tui.ui.widgets.panes import SnapshotTable
from esnap_tui.versions import Version, index_version_id_for
from tests.ui.workers import settle_workers


def offline(*repos: tuple[str, Path]) -> EsnapApp:
    lines = "".join(f"  - {{name: {name}, path: {path}}}\n" for name, path in repos)
    return EsnapApp(parse_config(f"offline:\n{lines}"))


async def settle(app: EsnapApp, pilot) -> None:
    for _ in range(3):  # filling times restarts the listing once: let that finish too
        await settle_workers(app)
        await pilot.pause()


def rows(main: MainScreen) -> list[tuple[str, str]]:
    """(name, started) of every row on screen."""
    table = main.query_one("#snapshots", SnapshotTable)
    return [(str(table.get_cell_at((i, 0))), str(table.get_cell_at((i, 2))))
            for i in range(table.row_count)]


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


async def test_a_small_old_repository_gets_its_times_and_sorts_newest_first(
    real_repositories: Path,
) -> None:
    path = real_repositories / "ES_7_10_Double"
    reader = RepositoryReader(path)
    assert all(s.start_time_ms is None for s in reader.snapshots())  # the catalogue has none
    started = {s.name: reader.snapshot(s.name).start_time_ms for s in reader.snapshots()}
    newest_first = sorted(started, key=lambda name: started[name], reverse=True)

    app = offline(("double", path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        assert rows(main) == [(name, format_time(started[name])) for name in newest_first]
        subtitle = str(main.query_one("#snapshots-pane").border_subtitle)
        assert "times" not in subtitle and subtitle.startswith("all 2")
        await pilot.press("s")  # oldest first: the filled times order it the other way round
        await settle(app, pilot)
        assert [name for name, _ in rows(main)] == newest_first[::-1]


@pytest.mark.parametrize("fixture", ["ES_5_6_Updates_Deletes", "ES_6_8_Single",
                                     "ES_7_10_BWC_Check"])
async def test_every_pre_7_14_fixture_shows_start_times(
    real_repositories: Path, fixture: str
) -> None:
    app = offline(("old", real_repositories / fixture))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        listed = rows(app.main_screen)
        assert listed and all(started != "—" for _, started in listed)


def _write_large_old_repository(path: Path, count: int) -> None:
    version = Version.parse("7.10.2")
    index = IndexToWrite("logs", "Zq3yLq7lQvO0b0uAqJ6Z4w", index_version_id_for(version))
    hour = 3_600_000
    RepositoryWriter(path, "7.10").add_snapshots(
        SnapshotToWrite(f"hourly-{i:03d}", f"u{i:021d}", version,
                        start_time_ms=1_700_000_000_000 + i * hour,
                        end_time_ms=1_700_000_000_000 + i * hour + 5_000, indices=[index])
        for i in range(count)
    )


async def test_a_large_old_repository_says_times_load_on_selection(tmp_path: Path) -> None:
    count = times_fill_limit() + 1
    _write_large_old_repository(tmp_path / "repo", count)
    app = offline(("big", tmp_path / "repo"))
    async with app.run_test(size=(80, 24)) as pilot:  # narrow: no preview loads details
        await settle(app, pilot)
        main = app.main_screen
        subtitle = str(main.query_one("#snapshots-pane").border_subtitle)
        assert subtitle.startswith(TIMES_HINT_SHORT) and f"of {count}" in subtitle
        await pilot.resize_terminal(160, 40)
        await settle(app, pilot)
        subtitle = str(main.query_one("#snapshots-pane").border_subtitle)
        assert subtitle.startswith(TIMES_HINT) and f"of {count}" in subtitle
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert all(started == "—" for _, started in rows(main))

        await pilot.press("tab", "tab", "enter")  # select the first snapshot: its blob is read
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        opened = app.screen.context.snapshot.name
        await pilot.press("escape")
        await settle(app, pilot)
        listed = dict(rows(main))
        assert listed[opened] != "—"
        assert sum(1 for started in listed.values() if started != "—") == 1
