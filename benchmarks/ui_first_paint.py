"""How fast the app shows a 10,000-snapshot repository, next to the raw HTTP it needs.

Prints, for a sandbox cluster (es-9.1, server-side paging) holding 10,000 snapshots:
- process start -> first snapshot rows painted (includes Python and Textual start-up),
- app start -> first rows painted, and the raw HTTP time of the same requests
  (GET /, health, _snapshot, first page), with the ratio;
- time to open a snapshot detail, next to the raw GET of that snapshot;
- the longest event-loop stall while the data loaded (a 5 ms ticker records its lateness;
  the UI is frozen for as long as the loop is).

Run: ``python benchmarks/ui_first_paint.py [--snapshots 10000]``. Figures only; no asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def process_age() -> float:
    """Seconds since this process started (Linux /proc; 0 elsewhere)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class LagMeter:
    """Records how late a 5 ms ticker wakes up: the longest stall of the event loop."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.period)
            late = time.perf_counter() - before - self.period
            if late > 0.05:
                self.stalls.append((round(time.perf_counter() - self.t0, 3), round(late, 3)))
            self.worst = max(self.worst, late)

    def start(self) -> None:
        self.worst = 0.0
        self.stalls: list[tuple[float, float]] = []
        self.t0 = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.worst


async def raw_http(url: str, repo: str, snapshot: str | None) -> tuple[float, float, str]:
    import aiohttp

    async with aiohttp.ClientSession() as session:

        async def get(path: str) -> Any:
            async with session.get(url + path) as response:
                return await response.json()

        start = time.perf_counter()
        await get("/")
        await get("/_cluster/health")
        await get("/_snapshot")
        page = await get(f"/_snapshot/{repo}/*?size=50&sort=start_time&order=desc")
        listing = time.perf_counter() - start
        name = snapshot or page["snapshots"][0]["snapshot"]
        start = time.perf_counter()
        await get(f"/_snapshot/{repo}/{name}?index_details=true")
        return listing, time.perf_counter() - start, name


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snapshots", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.pop("NO_COLOR", None)
    started_up = process_age()  # interpreter start + imports of this script

    importing = time.perf_counter()
    from esnap_tui.config import ClusterConfig, EsnapConfig
    from esnap_tui.sandbox import Scenario, running_sandbox
    from esnap_tui.ui.app import EsnapApp
    from esnap_tui.ui.screens.detail import DetailScreen
    from esnap_tui.ui.widgets.panes import SnapshotTable

    imports = time.perf_counter() - importing

    scenario = Scenario.from_dict({
        "seed": 5, "now": "2026-01-15T00:00:00Z",
        "clusters": [{"name": "big", "dialect": "es-9.1",
                      "indices": [{"name": "logs", "docs": 10, "size": "1mb"}],
                      "repositories": [{"name": "many", "path": "repos/many"}]}],
        "repositories": [{"path": "repos/many", "snapshots": [{"generate": {
            "count": args.snapshots, "name": "snap", "policy": "hourly", "every": "1h",
            "start": f"-{args.snapshots + 1}h", "indices_from": "big"}}]}],
    })
    built = time.perf_counter()
    # the sandbox gets its own thread and loop: its request handling must not count as UI stall
    with running_sandbox(scenario, fixed_clock=True) as sandbox:
        print(f"sandbox with {args.snapshots} snapshots built in "
              f"{time.perf_counter() - built:.1f}s (not counted)")
        url = sandbox.clusters["big"].url
        raw_list, raw_detail, first_name = await raw_http(url, "many", None)

        config = EsnapConfig(clusters=[ClusterConfig(name="big", urls=[url])])
        lag = LagMeter()
        app = EsnapApp(config)
        app_started = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            lag.start()
            table = app.main_screen.query_one("#snapshots", SnapshotTable)
            while table.row_count == 0:
                await asyncio.sleep(0.001)
            await pilot.pause()  # the rows are on screen after this refresh
            first_paint = time.perf_counter() - app_started
            await app.workers.wait_for_complete()
            load_stall = lag.stop()

            await pilot.press("tab", "tab")
            lag.start()
            opened = time.perf_counter()
            await pilot.press("enter")
            screen = app.screen
            while not (isinstance(screen, DetailScreen) and screen.detail is not None):
                await asyncio.sleep(0.001)
                screen = app.screen
            await pilot.pause()
            detail_time = time.perf_counter() - opened
            detail_stall = lag.stop()
            rows = table.row_count

    print(f"process start -> first rows painted: {started_up + imports + first_paint:.3f}s "
          f"(interpreter {started_up:.3f}s + imports {imports:.3f}s + app {first_paint:.3f}s; "
          "sandbox build not counted)")
    print(f"app start -> first {rows} rows painted: {first_paint:.3f}s; raw HTTP of the same "
          f"4 requests: {raw_list:.3f}s; ratio {first_paint / raw_list:.1f}x")
    print(f"open detail of {first_name}: {detail_time:.3f}s; raw GET: {raw_detail:.3f}s; "
          f"ratio {detail_time / raw_detail:.1f}x")
    print(f"longest event-loop stall while loading: {load_stall * 1000:.0f} ms "
          f"(list), {detail_stall * 1000:.0f} ms (detail); budget 100 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
