"""How fast the app shows a 10,000-snapshot repository, next to the raw HTTP it needs.

A sandbox cluster (es-9.1, server-side paging) holds two repositories: ``many`` with 10,000
snapshots of one index, and ``wide`` with one snapshot of 3,000 indices. Prints the median
over ``--runs`` fresh app runs of:

- process start -> first snapshot rows painted (includes Python and Textual start-up),
- app start -> first rows painted, next to the raw HTTP time of the same requests
  (GET /, health, _snapshot, first page), with the ratio;
- time to open a snapshot detail (until it is painted with the snapshot's data), next to the
  raw GET of that snapshot, for the 1-index and the 3,000-index snapshot, and the time from
  pressing ``l`` to the 3,000 rows of the indices tab painted;
- the longest event-loop stall while the list loaded, while each detail opened and while the
  indices tab filled, and of that until its rows showed (a 5 ms ticker records its lateness;
  the UI is frozen for as long as the loop is). Budget: 100 ms.

The sandbox runs in a child process: in a thread of this process its request handling would
hold the GIL and count as UI stall, which a real cluster never does. Each run is a fresh
process too, as each ``esnap`` is: apps torn down by earlier runs would otherwise leave their
garbage to the collector of the next. The longest garbage-collector pause while the app ran is
printed beside the stalls (the collector stops every thread of the process while it runs).

Run: ``python benchmarks/ui_first_paint.py [--snapshots 10000] [--indices 3000] [--runs 3]
[--size 80x24]``.
Figures only; no asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import statistics
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


class GcMeter:
    """The longest garbage collection (any generation) while installed, and how many ran."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.count = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.worst = max(self.worst, time.perf_counter() - self._started)
            self.count += 1

    def __enter__(self) -> GcMeter:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


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
            self.worst = max(self.worst, time.perf_counter() - before - self.period)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.worst


def scenario_dict(snapshots: int, indices: int) -> dict[str, Any]:
    return {
        "seed": 5, "now": "2026-01-15T00:00:00Z",
        "clusters": [{"name": "big", "dialect": "es-9.1",
                      "indices": [{"name": "logs", "docs": 10, "size": "1mb"}],
                      "repositories": [{"name": "many", "path": "repos/many"},
                                       {"name": "wide", "path": "repos/wide"}]}],
        "repositories": [
            {"path": "repos/many", "snapshots": [{"generate": {
                "count": snapshots, "name": "snap", "policy": "hourly", "every": "1h",
                "start": f"-{snapshots + 1}h", "indices_from": "big"}}]},
            {"path": "repos/wide", "snapshots": [{
                "name": "wide-1", "start": "-1h", "duration": "5m",
                "indices": [f"index-{i:05d}" for i in range(indices)]}]},
        ],
    }


def serve(scenario: dict[str, Any], conn: Any) -> None:
    """Child process: run the sandbox until the parent says stop."""
    from esnap_tui.sandbox import Scenario, running_sandbox

    with running_sandbox(Scenario.from_dict(scenario), fixed_clock=True) as sandbox:
        conn.send(sandbox.clusters["big"].url)
        conn.recv()


async def raw_http(url: str) -> dict[str, float | str]:
    import aiohttp

    async with aiohttp.ClientSession() as session:

        async def get(path: str) -> Any:
            async with session.get(url + path) as response:
                return await response.json()

        start = time.perf_counter()
        await get("/")
        await get("/_cluster/health")
        await get("/_snapshot")
        page = await get("/_snapshot/many/*?size=50&sort=start_time&order=desc")
        listing = time.perf_counter() - start
        name = page["snapshots"][0]["snapshot"]
        start = time.perf_counter()
        await get(f"/_snapshot/many/{name}?index_details=true")
        detail = time.perf_counter() - start
        start = time.perf_counter()
        await get("/_snapshot/wide/wide-1?index_details=true")
        wide = time.perf_counter() - start
    return {"list": listing, "detail": detail, "wide": wide, "name": name}


async def one_run(url: str, size: tuple[int, int] = (120, 40)) -> dict[str, float]:
    from esnap_tui.config import ClusterConfig, EsnapConfig
    from esnap_tui.ui.app import EsnapApp
    from esnap_tui.ui.screens.detail import DetailScreen
    from esnap_tui.ui.widgets.panes import SnapshotTable

    config = EsnapConfig(clusters=[ClusterConfig(name="big", urls=[url])])
    lag = LagMeter()
    app = EsnapApp(config, quiet_gc=True)  # as `esnap` runs it
    painted: list[float] = []  # when a frame showing what ``probe`` waits for was rendered
    probe: list[Any] = [lambda: False]
    stalls_until_shown: list[float] = []  # the longest stall so far, as each probed frame shows
    display = app._display

    def record(screen: Any, renderable: Any) -> None:
        if probe[0]():
            painted.append(time.perf_counter())
            stalls_until_shown.append(lag.worst)
        display(screen, renderable)

    app._display = record  # type: ignore[method-assign]

    async def until(condition: Any, what: str = "the app", limit: float = 20) -> None:
        deadline = time.perf_counter() + limit
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"waited {limit:.0f}s for {what}")
            await asyncio.sleep(0.001)

    async def painted_when(condition: Any, what: str, *keys: str) -> float:
        """When the first frame rendered while ``condition`` held (after pressing ``keys``)
        was displayed."""
        painted.clear()
        stalls_until_shown.clear()
        probe[0] = condition
        if keys:
            await pilot.press(*keys)
        await until(lambda: bool(painted), what)
        probe[0] = lambda: False
        return painted[0]

    async def settle() -> None:
        """Every worker finished (a cancelled one is replaced by a newer: wait again)."""
        from textual.worker import WorkerCancelled

        for _ in range(10):
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                continue
        await pilot.pause()

    def detail_filled() -> bool:
        screen = app.screen
        return isinstance(screen, DetailScreen) and screen.detail is not None

    def indices_filled() -> bool:
        screen = app.screen
        return isinstance(screen, DetailScreen) and screen.indices_shown()

    async def timed(condition: Any, what: str, key: str) -> tuple[float, float]:
        """(seconds from pressing ``key`` to the frame showing ``condition``, longest stall)."""
        lag.start()
        pressed = time.perf_counter()
        shown = await painted_when(condition, what, key)
        await settle()
        return shown - pressed, lag.stop()

    figures: dict[str, float] = {}
    app_started = time.perf_counter()
    gc_meter = GcMeter().__enter__()
    async with app.run_test(size=size) as pilot:
        lag.start()
        table = app.main_screen.query_one("#snapshots", SnapshotTable)
        figures["first_paint"] = await painted_when(
            lambda: app.screen is app.main_screen and table.row_count > 0, "the first rows"
        ) - app_started
        await settle()
        figures["list_stall"] = lag.stop()

        await pilot.press("tab", "tab")
        figures["detail"], figures["detail_stall"] = await timed(
            detail_filled, "the detail", "enter")
        await pilot.press("escape", "shift+tab", "j")  # repository "wide"
        await until(lambda: "wide-1" in app.main_screen.rows, "repository wide")
        await settle()
        await pilot.press("tab")
        figures["wide"], figures["wide_stall"] = await timed(detail_filled, "the detail", "enter")
        figures["tab"], figures["tab_stall"] = await timed(indices_filled, "the indices", "l")
        figures["tab_rows_stall"] = stalls_until_shown[0]
    gc_meter.__exit__()
    figures["gc_worst"] = gc_meter.worst
    figures["gc_count"] = gc_meter.count
    return figures


def run_in_fresh_process(url: str, size: tuple[int, int], conn: Any) -> None:
    """Child process: one app run, as a new ``esnap`` would make it; figures go back."""
    from esnap_tui.ui.app import stop_reader_process  # imported before the clock starts

    try:
        conn.send(asyncio.run(one_run(url, size)))
    except BaseException:
        import traceback

        conn.send(traceback.format_exc())
    finally:
        stop_reader_process()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snapshots", type=int, default=10_000)
    parser.add_argument("--indices", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 80x24")
    args = parser.parse_args()
    width, _, height = args.size.partition("x")
    size = (int(width), int(height))
    os.environ.pop("NO_COLOR", None)
    started_up = process_age()  # interpreter start + imports of this script

    importing = time.perf_counter()
    import esnap_tui.ui.app  # noqa: F401  (what `esnap` imports before its first frame)

    imports = time.perf_counter() - importing

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    built = time.perf_counter()
    server = context.Process(target=serve, args=(scenario_dict(args.snapshots, args.indices),
                                                 child), daemon=True)
    server.start()
    try:
        url = await asyncio.to_thread(parent.recv)
        print(f"sandbox with {args.snapshots} + 1 snapshots built in "
              f"{time.perf_counter() - built:.1f}s (child process, not counted)")
        runs = []
        for _ in range(args.runs):
            raw = await raw_http(url)
            receiver, sender = context.Pipe()
            run = context.Process(target=run_in_fresh_process, args=(url, size, sender))
            run.start()
            sender.close()  # the child's end only: its death then ends our wait
            figures = await asyncio.to_thread(receiver.recv)
            run.join()
            if isinstance(figures, str):
                print(f"a run failed:\n{figures}", file=sys.stderr)
                return 1
            runs.append({**figures, **{f"raw_{k}": v for k, v in raw.items() if k != "name"}})
        name = raw["name"]
    finally:
        parent.send("stop")
        server.join(timeout=15)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def spread(key: str, scale: float = 1000) -> str:
        return "/".join(f"{r[key] * scale:.0f}" for r in runs)

    first = med("first_paint")
    print(f"medians of {len(runs)} runs at {args.size} (each run's value in brackets, ms)")
    print(f"process start -> first rows painted: {started_up + imports + first:.3f}s "
          f"(interpreter {started_up:.3f}s + imports {imports:.3f}s + app {first:.3f}s)")
    print(f"app start -> first 50 of {args.snapshots} rows painted: {first:.3f}s "
          f"[{spread('first_paint')}]; raw HTTP of the same 4 requests: "
          f"{med('raw_list'):.3f}s; ratio {first / med('raw_list'):.1f}x")
    print(f"open detail of {name} (1 index): {med('detail'):.3f}s [{spread('detail')}]; "
          f"raw GET {med('raw_detail'):.3f}s; ratio {med('detail') / med('raw_detail'):.0f}x")
    print(f"open detail of wide-1 ({args.indices} indices): {med('wide'):.3f}s "
          f"[{spread('wide')}]; raw GET {med('raw_wide'):.3f}s; "
          f"ratio {med('wide') / med('raw_wide'):.1f}x")
    print(f"its indices tab, {args.indices} rows painted: {med('tab'):.3f}s [{spread('tab')}]")
    print(f"longest event-loop stall (budget 100 ms): list loading {med('list_stall') * 1000:.0f}"
          f" ms [{spread('list_stall')}]; detail opening {med('detail_stall') * 1000:.0f} ms "
          f"[{spread('detail_stall')}]; {args.indices}-index detail opening "
          f"{med('wide_stall') * 1000:.0f} ms [{spread('wide_stall')}]; its indices tab filling "
          f"{med('tab_stall') * 1000:.0f} ms [{spread('tab_stall')}] (until its rows showed "
          f"{med('tab_rows_stall') * 1000:.0f} ms [{spread('tab_rows_stall')}]; the rest is "
          f"the created versions being read)")
    print(f"longest garbage-collector pause while the app ran: "
          f"{med('gc_worst') * 1000:.0f} ms [{spread('gc_worst')}] "
          f"({med('gc_count'):.0f} collections)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
