"""SVG snapshots of the restore wizard's five steps and the monitor, in the demo (fixed sandbox
clock) at 80x24 and 120x40: restoring customers and orders-2026 from prod-eu's nightly into the
dr-eu cluster. Update deliberately with ``--snapshot-update`` and look at the report first.

The review step shows the target's URL, so each test pins the demo clusters to ports of its own
(derived from the test's name): the pictures stay byte-identical from run to run.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

import pytest

import esnap_tui.sandbox as sandbox_module
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.restore.runtime import RestoreRuntime
from tests.ui.workers import settle_workers

SIZES = [(80, 24), (120, 40)]
DEMO_CLUSTERS = ("prod-eu", "analytics", "legacy", "search7", "opensearch", "dr-eu")

OPEN = ("tab", "j", "tab", "R")  # nightly-backups, its newest snapshot, restore
# down from the filter into the list, then customers and orders-2026
WHAT = ("down",) * 6 + ("space",) + ("down",) * 3 + ("space",)
WHERE = ("ctrl+n", "enter") + ("down",) * 5 + ("enter",)  # target: dr-eu
CHECKS = ("ctrl+n",)  # dr-eu lacks nightly-backups: a blocker with a fix
REVIEW = ("enter", "ctrl+n")  # apply "use prod-nightly", then review
GO = ("ctrl+n",)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path
                 ) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    # below the ephemeral range (32768+), where other sandboxes pick their ports
    base = 12000 + zlib.crc32(request.node.name.encode()) % 20000
    ports = {name: base + i for i, name in enumerate(DEMO_CLUSTERS)}
    real = sandbox_module.Sandbox

    def pinned(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("ports", ports)
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox_module, "Sandbox", pinned)


async def settle(pilot) -> None:
    from textual.widgets import DataTable

    app = pilot.app
    for _ in range(3):
        await settle_workers(app)
        await pilot.pause()
    for _ in range(200):  # tables size their scrollbars only once measured
        tables = [t for screen in app.screen_stack for t in screen.query(DataTable)]
        if not any(t._require_update_dimensions for t in tables):
            return
        await pilot.pause()


def keys(*groups: tuple[str, ...]):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for group in groups:
            for key in group:
                await pilot.press(key)
                await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_step_1_what(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys(OPEN, WHAT))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_step_2_where(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys(OPEN, WHAT, WHERE))


# step 2 over SSH with NO_COLOR (the ansi theme): the open target list (▶ on the cursor, ● on
# the chosen target) and the focused rename preview (▶ on its cursor row)
WITHOUT_COLOUR = {
    "target-list": ("ctrl+n", "enter", "down", "down"),
    "preview": ("ctrl+n", "tab", "tab", "tab", "tab", "down"),
}


@pytest.mark.parametrize("case", WITHOUT_COLOUR)
def test_step_2_where_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch,
                                     case: str) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=(80, 24),
                        run_before=keys(OPEN, WHAT, WITHOUT_COLOUR[case]))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_step_3_checks(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys(OPEN, WHAT, WHERE, CHECKS))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_step_4_review(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys(OPEN, WHAT, WHERE, CHECKS, REVIEW))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_step_5_go(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EsnapApp(None, demo="demo"), terminal_size=size,
                        run_before=keys(OPEN, WHAT, WHERE, CHECKS, REVIEW, GO))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_monitor(snap_compare, size: tuple[int, int]) -> None:
    app = EsnapApp(None, demo="demo")
    never = asyncio.Event()

    async def held(seconds: float) -> None:  # only "r" polls: the picture is one instant
        await never.wait()

    async def run_before(pilot) -> None:
        await keys(OPEN, WHAT, WHERE, CHECKS, REVIEW, GO)(pilot)
        clock = app.sandbox_clock("dr-eu")
        app.restore_runtime = RestoreRuntime(  # type: ignore[attr-defined]
            clock=lambda: clock.now_ms() / 1000, sleep=held)
        await pilot.press("enter")  # go: the restore starts, the monitor polls once
        for _ in range(100):
            if getattr(app.screen, "last", None) is not None:
                break
            await pilot.pause()
        clock.advance(30_000)  # half a minute later
        await pilot.press("r")
        for _ in range(100):
            last = getattr(app.screen, "last", None)
            if last is not None and last.recovered_bytes:
                break
            await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
