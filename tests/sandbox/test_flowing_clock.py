"""The demo's flowing clock: the scenario's instant at start, then real time (no sleeps needed)."""

from __future__ import annotations

import pytest

from esnap_tui.sandbox import Sandbox
from esnap_tui.sandbox.state import FlowingClock


def test_a_flowing_clock_starts_at_its_instant_and_moves_with_real_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr("esnap_tui.sandbox.state.time.monotonic", lambda: now[0])
    clock = FlowingClock(1_767_225_600_000)
    assert clock.now_ms() == 1_767_225_600_000
    now[0] += 20.5  # twenty seconds later, nobody having slept on the clock
    assert clock.now_ms() == 1_767_225_620_500
    assert not clock.fixed  # nothing may advance it by hand (the restore monitor checks this)


async def test_the_sandbox_builds_flowing_clusters_at_the_scenarios_instant() -> None:
    async with Sandbox("small", fixed_clock=True) as fixed, \
            Sandbox("small", fixed_clock="flowing") as flowing:
        for name, entry in flowing.clusters.items():
            clock = entry.cluster.clock
            assert isinstance(clock, FlowingClock)
            start = fixed.clusters[name].cluster.clock.now_ms()
            assert start <= clock.now_ms() < start + 60_000
