"""SVG snapshots of the compatibility view over the demo (fixed sandbox clock), at 80x24 and
120x40: the legacy cluster's ``before-decommission`` snapshot (5.6 and 6.x indices) checked
against a typed 7.17.0, with the cursor on an incompatible index; the target picker; the way
forward; and the view without colour (NO_COLOR). Update deliberately with ``pytest
tests/ui/test_snapshots_compat.py --snapshot-update`` and look at the report first."""

from __future__ import annotations

import pytest

from esnap_tui.ui.app import EsnapApp
from tests.ui.workers import settle_workers

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _colour_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


async def tables_measured(pilot, tries: int = 200) -> None:
    """Wait until every DataTable has measured its rows (scrollbars differ otherwise); the
    same wait as ``test_snapshots.py``."""
    from textual.widgets import DataTable

    for _ in range(tries):
        tables = [t for screen in pilot.app.screen_stack for t in screen.query(DataTable)]
        if not any(t._require_update_dimensions for t in tables):
            return
        await pilot.pause()
    raise AssertionError("tables never finished measuring")


async def _settle(pilot) -> None:
    for _ in range(3):
        await settle_workers(pilot.app)
        await pilot.pause()


def compat_view(*then: str, version: str | None = "7.17.0"):
    """Open the demo, ``c`` on the first snapshot of the first repository (legacy-archive:
    before-decommission), type ``version`` with licence "not known", then press ``then``."""

    async def run_before(pilot) -> None:
        await _settle(pilot)
        for key in ("tab", "tab", "c"):
            await pilot.press(key)
            await _settle(pilot)
        if version is not None:
            await pilot.press("tab", *version, "enter")
            await pilot.pause()
            await pilot.press("enter")
            await _settle(pilot)
        for key in then:
            await pilot.press(key)
            await _settle(pilot)
        await tables_measured(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compat_view(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=compat_view("G"))


def test_compat_problems_only(snap_compare) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=(80, 24),
                        run_before=compat_view("p"))


def test_compat_target_picker(snap_compare) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=(80, 24),
                        run_before=compat_view(version=None))


def test_compat_way_forward(snap_compare) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=(80, 24),
                        run_before=compat_view("G", "enter"))


def test_compat_way_forward_with_estimate(snap_compare) -> None:
    """analytics (8.15) snapshot into prod-eu (9.1, enterprise): its 7.17 ``reports`` index
    needs a bridge through 8.19 and a reindex; the estimate and its assumptions show."""

    async def run_before(pilot) -> None:
        await _settle(pilot)
        for key in ("j", "tab", "tab", "c", "enter", "p", "enter"):
            await pilot.press(key)
            await _settle(pilot)
        await tables_measured(pilot)

    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=(120, 40),
                        run_before=run_before)


def test_compat_view_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=(80, 24),
                        run_before=compat_view("G"))
