"""SVG snapshots of the demo (fixed sandbox clock): main screen, snapshot detail and help at
80x24 and 120x40. Update deliberately with ``pytest tests/ui/test_snapshots.py
--snapshot-update`` and look at the report before committing new pictures."""

from __future__ import annotations

import pytest

from esnap_tui.ui.app import EsnapApp
from tests.ui.workers import settle_workers

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _colour_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # NO_COLOR would switch to the ANSI theme and change every picture
    monkeypatch.delenv("NO_COLOR", raising=False)


async def tables_measured(pilot, tries: int = 200) -> None:
    """DataTable measures new rows on idle and only then sizes its scrollbars: wait for every
    table on screen to have done so, or the scrollbar thumbs differ from run to run."""
    from textual.widgets import DataTable

    for _ in range(tries):
        tables = [t for screen in pilot.app.screen_stack for t in screen.query(DataTable)]
        if not any(t._require_update_dimensions for t in tables):
            return
        await pilot.pause()
    raise AssertionError("tables never finished measuring")


def keys_then_settle(*keys: str):
    """A ``run_before`` that waits for the demo to load, presses ``keys``, and waits again."""

    async def run_before(pilot) -> None:
        app = pilot.app
        for _ in range(3):
            await settle_workers(app)
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle_workers(app)
            await pilot.pause()
        await tables_measured(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys_then_settle())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_detail(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys_then_settle("tab", "tab", "j", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys_then_settle("question_mark"))
