"""The app over offline repositories written by real Elasticsearch releases (no cluster).

Pilot drives the keys a user presses; assertions read what the panes show.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList

from esnap_tui.config import parse_config
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.find import FindIndexScreen
from esnap_tui.ui.screens.help import HelpScreen
from esnap_tui.ui.screens.main import MainScreen
from esnap_tui.ui.widgets.detail import VimTable
from esnap_tui.ui.widgets.panes import PaneList, SnapshotTable
from tests.ui.workers import settle_workers


@pytest.fixture
def offline_app(real_repositories: Path, monkeypatch: pytest.MonkeyPatch) -> EsnapApp:
    monkeypatch.delenv("NO_COLOR", raising=False)
    config = parse_config(
        f"""
offline:
  - name: es710
    path: {real_repositories / "ES_7_10_Double"}
  - name: es68
    path: {real_repositories / "ES_6_8_Single"}
  - name: gone
    path: {real_repositories / "no-such-repository"}
keymap:
  find-index: F
"""
    )
    return EsnapApp(config)


async def settle(app: EsnapApp, pilot) -> None:
    await settle_workers(app)
    await pilot.pause()


async def wait_until(pilot, predicate, tries: int = 500) -> None:
    """Let the app process messages until ``predicate`` holds (no wall-clock sleeps)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause()
    raise AssertionError("condition never became true")


def source_lines(main: MainScreen) -> list[str]:
    sources = main.query_one("#sources", PaneList)
    return [str(o.prompt) for o in sources.options]


def snapshot_names(main: MainScreen) -> list[str]:
    table = main.query_one("#snapshots", SnapshotTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_a_missing_repository_shows_its_own_error_while_the_others_work(
    offline_app: EsnapApp,
) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await settle(offline_app, pilot)
        main = offline_app.main_screen
        lines = source_lines(main)
        assert lines[0].startswith("✓ es710") and "2 snapshots" in lines[0]
        assert lines[1].startswith("✓ es68")
        assert lines[2].startswith("✗ gone")
        assert snapshot_names(main) == ["global_state_snapshot_2", "global_state_snapshot"]
        # move to the broken source: its pane explains, nothing else is blanked
        await pilot.press("j", "j")
        await settle(offline_app, pilot)
        message = str(main.query_one("#repos-message").render())
        assert "gone" in message and "no-such-repository" in message
        await pilot.press("k", "k")
        await settle(offline_app, pilot)
        assert snapshot_names(main) == ["global_state_snapshot_2", "global_state_snapshot"]


async def test_keys_move_between_panes_and_open_a_snapshot_detail(offline_app: EsnapApp) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await settle(offline_app, pilot)
        main = offline_app.main_screen
        assert offline_app.focused is main.query_one("#sources")
        await pilot.press("tab")
        assert offline_app.focused is main.query_one("#repos")
        await pilot.press("l")
        assert offline_app.focused is main.query_one("#snapshots")
        await pilot.press("j")
        assert main.selected_snapshot().name == "global_state_snapshot"
        await pilot.press("g")
        assert main.selected_snapshot().name == "global_state_snapshot_2"
        await pilot.press("enter")
        await settle(offline_app, pilot)
        screen = offline_app.screen
        assert isinstance(screen, DetailScreen)
        assert screen.detail is not None and screen.detail.name == "global_state_snapshot_2"
        await pilot.press("l")  # next tab: built on first view, created versions read after
        await settle(offline_app, pilot)
        table = screen.query_one("#indices-table", VimTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][::3] == ["posts_2024_01_01",
                                                             "7.10.2 (repository)"]
        await pilot.press("escape")
        await pilot.pause()
        assert offline_app.screen is main
        await pilot.press("shift+tab", "h")
        assert offline_app.focused is main.query_one("#sources")


async def test_filter_narrows_the_list_and_escape_restores_it(offline_app: EsnapApp) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await settle(offline_app, pilot)
        main = offline_app.main_screen
        await pilot.press("slash", *"snapshot_2")
        await settle(offline_app, pilot)
        assert snapshot_names(main) == ["global_state_snapshot_2"]
        assert "filter: snapshot_2" in str(main.query_one("#snapshots-pane").border_subtitle)
        await pilot.press("enter")
        assert offline_app.focused is main.query_one("#snapshots")
        await pilot.press("escape")
        await settle(offline_app, pilot)
        assert snapshot_names(main) == ["global_state_snapshot_2", "global_state_snapshot"]
        await pilot.press("slash", *"failed")
        await settle(offline_app, pilot)
        assert snapshot_names(main) == []
        assert "No snapshots match" in str(main.query_one("#snapshots-message").render())


async def test_sort_cycles_the_order(offline_app: EsnapApp) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await settle(offline_app, pilot)
        main = offline_app.main_screen
        await pilot.press("s", "s")  # newest first -> oldest first -> name A-Z
        await settle(offline_app, pilot)
        assert "name A→Z" in str(main.query_one("#snapshots-pane").border_title)
        assert snapshot_names(main) == ["global_state_snapshot", "global_state_snapshot_2"]


async def test_find_index_searches_every_repository_with_a_remapped_key(
    offline_app: EsnapApp,
) -> None:
    async with offline_app.run_test(size=(100, 30)) as pilot:
        await settle(offline_app, pilot)
        await pilot.press("f")  # remapped to F by the keymap: f does nothing now
        assert not isinstance(offline_app.screen, FindIndexScreen)
        await pilot.press("F")
        assert isinstance(offline_app.screen, FindIndexScreen)
        await pilot.press(*"posts_2023*", "enter")
        await settle(offline_app, pilot)
        table = offline_app.screen.query_one("#find-results", VimTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        found = sorted((r[0], r[1]) for r in rows)
        assert found == [("es68/es68", "global_state_snapshot"),
                         ("es710/es710", "global_state_snapshot")]
        assert all(r[4] == "posts_2023_02_25" for r in rows)
        await pilot.press("enter")
        await settle(offline_app, pilot)
        assert isinstance(offline_app.screen, DetailScreen)


async def test_help_is_generated_from_the_bindings_and_closes_with_escape(
    offline_app: EsnapApp,
) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await settle(offline_app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(offline_app.screen, HelpScreen)
        table = offline_app.screen.query_one("#help-table", VimTable)
        ids = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"quit", "find-index", "filter", "sort", "refresh", "restore"} <= ids
        keys = {str(table.get_row_at(i)[2]): str(table.get_row_at(i)[0])
                for i in range(table.row_count)}
        assert keys["find-index"] == "F"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(offline_app.screen, MainScreen)


async def test_read_only_hides_restore_and_the_palette_jumps_to_a_source(
    real_repositories: Path,
) -> None:
    config = parse_config(
        f"offline:\n  - {{name: a, path: {real_repositories / 'ES_7_10_Single'}}}\n"
        f"  - {{name: b, path: {real_repositories / 'ES_6_8_Single'}}}\n"
    )
    app = EsnapApp(config, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        assert main.check_action("restore", ()) is False
        await pilot.press("R")
        await pilot.pause()
        assert app.screen is main
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"offline: b")
        palette = app.screen
        await wait_until(pilot, lambda: palette.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert main.current_source is not None and main.current_source.name == "b"


async def test_no_color_runs_on_the_ansi_theme_and_states_stay_readable(
    real_repositories: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    config = parse_config(
        f"offline:\n  - {{name: a, path: {real_repositories / 'ES_7_10_Single'}}}\n"
    )
    app = EsnapApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == "esnap-ansi"
        table = app.main_screen.query_one("#snapshots", SnapshotTable)
        assert str(table.get_row_at(0)[1]) == "✓ SUCCESS"  # a word and a symbol, not a colour
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
