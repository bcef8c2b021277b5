"""Restores in flight and the monitor screen, against the sandbox over real HTTP.

A restore started by someone else (a plain HTTP call, as curl or Kibana would) is announced when
esnap starts, listed by ``w`` and watched to its verification; leaving the monitor loses nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from textual.widgets import DataTable, OptionList, Static

from esnap_tui.config import ClusterConfig, EsnapConfig
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.restore.inflight import RestoresInFlightScreen
from esnap_tui.ui.screens.restore.monitor import RestoreMonitorScreen
from esnap_tui.ui.screens.restore.runtime import RestoreRuntime
from tests.restore_sandbox import SCENARIO, VirtualTime
from tests.ui.workers import settle_workers


@pytest.fixture
async def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[
    tuple[Sandbox, EsnapConfig]
]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    async with Sandbox(Scenario.from_dict(json.loads(json.dumps(SCENARIO))),
                       fixed_clock=True) as sandbox:
        nine = sandbox.clusters["nine"].cluster
        nine.state.persistent_settings["indices.recovery.max_bytes_per_sec"] = "2mb"
        clusters = [ClusterConfig(name=name, urls=[c.url]) for name, c in sandbox.clusters.items()]
        yield sandbox, EsnapConfig(clusters=clusters, offline=[])


async def restore_by_someone_else(sandbox: Sandbox) -> None:
    url = sandbox.clusters["nine"].url + "/_snapshot/backups/snap/_restore"
    body = {"indices": "logs-*", "rename_pattern": "logs-(.+)", "rename_replacement": "other-$1"}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        assert response.status == 200, await response.text()


class HeldTime:
    """The monitor's sleep never returns: only ``r`` (poll now) asks the cluster again."""

    def __init__(self, time: VirtualTime) -> None:
        self.clock = time.clock
        self._never = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        await self._never.wait()


async def wait_until(pilot, condition: Callable[[], bool], tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never became true")


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_a_restore_started_by_someone_else_is_announced_listed_and_watched(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    await restore_by_someone_else(sandbox)
    nine = sandbox.clusters["nine"].cluster
    time = VirtualTime(nine)
    nine.clock.advance(1500)  # well under way when esnap starts
    app = EsnapApp(config)
    app.restore_runtime = RestoreRuntime(clock=time.clock, sleep=time.sleep,  # type: ignore[attr-defined]
                                         poll_interval=1.0, audit_path=tmp_path / "a.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await settle_workers(app)
            await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Restore in flight: nine: backups:snap → other-a, other-b" in m
                   and "Press w" in m for m in messages), messages
        await pilot.press("w")
        await settle_workers(app)
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, RestoresInFlightScreen)
        options = listing.query_one("#inflight-list", OptionList)
        assert options.option_count == 1
        assert "nine: backups:snap → other-a, other-b" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        for _ in range(4):
            await settle_workers(app)
            await pilot.pause()
        monitor = app.screen
        assert isinstance(monitor, RestoreMonitorScreen)
        assert "re-attached" in text_of(monitor, "#monitor-origin")
        assert monitor.last is not None and monitor.last.done
        table = monitor.query_one("#monitor-table", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
            ("other-a", "logs-a", "DONE", "2/2"), ("other-b", "logs-b", "DONE", "1/1")]
        assert "✓ verified" in text_of(monitor, "#monitor-verify")
    assert len(nine.received("POST", "/_snapshot/*/*/_restore")) == 1  # only theirs


async def test_leaving_the_monitor_loses_nothing_and_polls_never_pile_up(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    await restore_by_someone_else(sandbox)
    nine = sandbox.clusters["nine"].cluster
    held = HeldTime(VirtualTime(nine))
    app = EsnapApp(config)
    app.restore_runtime = RestoreRuntime(clock=held.clock, sleep=held.sleep,  # type: ignore[attr-defined]
                                         audit_path=tmp_path / "a.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_workers(app)
        await pilot.pause()
        await pilot.press("w")
        await settle_workers(app)
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreMonitorScreen)
                         and app.screen.last is not None)
        monitor = app.screen
        first = monitor.last
        assert first is not None and not first.done
        polls = len(nine.received("GET", "/*/_recovery"))
        await pilot.press("r", "r", "r")  # impatient: each waits for the one before
        await wait_until(pilot, lambda: len(nine.received("GET", "/*/_recovery")) >= polls + 3)
        await pilot.pause()
        assert len(nine.received("GET", "/*/_recovery")) == polls + 3
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RestoreMonitorScreen)
        assert any("press w to watch it again" in n.message for n in app._notifications)
        nine.clock.advance(2000)  # the restore went on without us
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoresInFlightScreen)
                         and app.screen.found is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreMonitorScreen)
                         and app.screen.last is not None)
        again = app.screen.last
        assert again is not None and again.recovered_bytes > first.recovered_bytes
        assert "ETA" in text_of(app.screen, "#monitor-line")
