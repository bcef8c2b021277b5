"""Who may press R, and remapping the restore keys, in the app against the sandbox over real HTTP.

A read-only source is a fine place to restore FROM: only the global --read-only flag takes R
away, and with no writable cluster at all R says so instead of doing nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from esnap_tui.config import ClusterConfig, EsnapConfig
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.main import MainScreen
from esnap_tui.ui.screens.restore.inflight import RestoresInFlightScreen
from esnap_tui.ui.screens.restore.wizard import RestoreWizard
from tests.restore_sandbox import SCENARIO
from tests.ui.workers import settle_workers


@pytest.fixture
async def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sandbox]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    scenario = Scenario.from_dict(json.loads(json.dumps(SCENARIO)))
    async with Sandbox(scenario, fixed_clock=True) as running:
        yield running


def config_for(sandbox: Sandbox, read_only: set[str], keymap: dict[str, str] | None = None
               ) -> EsnapConfig:
    clusters = [
        ClusterConfig(name=name, urls=[c.url], repositories=dict(c.repositories),
                      read_only=name in read_only)
        for name, c in sandbox.clusters.items()
    ]
    return EsnapConfig(clusters=clusters, offline=[], keymap=keymap or {})


async def settle(app: EsnapApp, pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await settle_workers(app)
        await pilot.pause()


async def press_restore_on(app: EsnapApp, pilot, cluster: str) -> None:
    await settle(app, pilot)
    main = app.screen
    assert isinstance(main, MainScreen)
    main.jump_to(f"cluster:{cluster}")
    await settle(app, pilot)
    await pilot.press("tab", "tab")  # repositories -> snapshots
    await settle(app, pilot)
    assert main.selected_snapshot() is not None
    await pilot.press("R")
    await settle(app, pilot)


async def test_r_on_a_read_only_source_opens_the_wizard_with_only_writable_targets(
    sandbox: Sandbox,
) -> None:
    app = EsnapApp(config_for(sandbox, read_only={"eight"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await press_restore_on(app, pilot, "eight")
        wizard = app.screen
        assert isinstance(wizard, RestoreWizard)
        assert wizard.context.source.name == "eight"
        assert [t.name for t in wizard.targets] == ["nine"]


async def test_r_says_why_when_no_cluster_is_writable(sandbox: Sandbox) -> None:
    app = EsnapApp(config_for(sandbox, read_only={"eight", "nine"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await press_restore_on(app, pilot, "eight")
        assert isinstance(app.screen, MainScreen)
        assert any("No writable cluster" in str(n.message) for n in app._notifications)


async def test_global_read_only_takes_r_away_but_w_still_watches(sandbox: Sandbox) -> None:
    app = EsnapApp(config_for(sandbox, read_only=set()), read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_restore_on(app, pilot, "nine")
        assert isinstance(app.screen, MainScreen)
        assert not any("No writable" in str(n.message) for n in app._notifications)
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, RestoresInFlightScreen)


async def test_the_keymap_remaps_watch_restores(sandbox: Sandbox) -> None:
    app = EsnapApp(config_for(sandbox, read_only=set(), keymap={"watch-restores": "W"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.problems == []
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("W")
        await settle(app, pilot)
        assert isinstance(app.screen, RestoresInFlightScreen)


async def test_r_in_the_detail_of_a_read_only_source_opens_the_wizard(sandbox: Sandbox) -> None:
    app = EsnapApp(config_for(sandbox, read_only={"eight"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        main.jump_to("cluster:eight")
        await settle(app, pilot)
        await pilot.press("tab", "tab", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("R")
        await settle(app, pilot)
        wizard = app.screen
        assert isinstance(wizard, RestoreWizard)
        assert [t.name for t in wizard.targets] == ["nine"]
