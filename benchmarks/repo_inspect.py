"""Benchmark: listing a big repository costs about one ``json.loads`` of its catalogue.

Builds a synthetic 8.15-dialect repository (10,000 SLM snapshots over 2,000 daily indices, a
sliding window of indices per snapshot, times in the catalogue) in a temporary directory, then
measures ``RepositoryReader(...).snapshots()`` against the floor: a bare ``json.loads`` of the
same ``index-N`` bytes. Prints the figures; exits 1 when the listing is more than 2x the floor
or when it opened any ``snap-*.dat`` (it must not: 7.14+ catalogues carry state and times).

Usage: python benchmarks/repo_inspect.py [--snapshots N] [--indices N] [--window N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from esnap_tui.repository import (
    CountingStore,
    IndexToWrite,
    LocalDirectoryStore,
    RepositoryReader,
    RepositoryWriter,
    SnapshotToWrite,
)
from esnap_tui.versions import Version, index_version_id_for

MAX_RATIO = 2.0
DAY_MS = 86_400_000
T0 = 1_700_000_000_000


def build(path: Path, snapshots: int, indices: int, window: int) -> float:
    """Write the synthetic repository; returns seconds taken."""
    version = Version(8, 15, 3)
    created = index_version_id_for(version)
    all_indices = [
        IndexToWrite(
            f"logs-{n:05d}",
            f"IdxUuid{n:015d}",
            created,
            primary_shards=1 + n % 3,
            aliases=["logs"] if n % 10 == 0 else [],
            size_in_bytes=1_000_000 + n,
        )
        for n in range(indices)
    ]

    def stream() -> Iterator[SnapshotToWrite]:
        for k in range(snapshots):
            newest = min(k * indices // snapshots, indices - 1)
            held = all_indices[max(newest - window + 1, 0) : newest + 1]
            start = T0 + k * (DAY_MS // 5)
            yield SnapshotToWrite(
                name=f"slm-{k:05d}",
                uuid=f"SnapUuid{k:014d}",
                version=version,
                start_time_ms=start,
                end_time_ms=start + 5_000 + k % 7_000,
                indices=held,
                metadata={"policy": "every-4h"},
                include_global_state=False,
            )

    started = time.perf_counter()
    RepositoryWriter(path, "8.15", shard_blobs=False).add_snapshots(stream())
    return time.perf_counter() - started


def best_of(runs: int, func) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=10_000)
    parser.add_argument("--indices", type=int, default=2_000)
    parser.add_argument("--window", type=int, default=20, help="indices per snapshot")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: temp dir)")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="esnap-bench-"))
    try:
        if args.keep is None or not any(root.glob("index-*")):
            seconds = build(root, args.snapshots, args.indices, args.window)
            print(f"built {args.snapshots} snapshots x {args.indices} indices in {seconds:.1f}s")
            sys.stdout.flush()
            # Measure in a fresh interpreter: the build leaves a heap that skews timings.
            command = [sys.executable, __file__, "--keep", str(root), "--runs", str(args.runs)]
            return subprocess.run(command, check=False).returncode
        catalogue = max(root.glob("index-*"), key=lambda p: int(p.name[6:]))
        data = catalogue.read_bytes()
        print(f"catalogue {catalogue.name}: {len(data) / 1e6:.1f} MB")

        floor = best_of(args.runs, lambda: json.loads(data))
        listing = best_of(args.runs, lambda: RepositoryReader(root).snapshots())

        store = CountingStore(LocalDirectoryStore(root))
        tracemalloc.start()
        rows = RepositoryReader(store).snapshots()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        snap_reads = store.reads_matching(lambda p: "/" not in p and p.startswith("snap-"))

        ratio = listing / floor
        durations = [r.duration_ms for r in rows if r.duration_ms is not None]
        print(f"snapshots listed        {len(rows)}")
        print(f"json.loads floor        {floor * 1000:8.1f} ms")
        print(f"RepositoryReader list   {listing * 1000:8.1f} ms  (read + parse + models)")
        print(f"ratio                   {ratio:8.2f} x   (limit {MAX_RATIO:.1f} x)")
        print(f"peak memory (listing)   {peak / 1e6:8.1f} MB")
        print(f"snap-*.dat reads        {snap_reads:8d}")
        median = statistics.median(durations) if durations else None
        print(f"rows with a duration    {len(durations):8d}   (median {median} ms)")
        failed = False
        if ratio > MAX_RATIO:
            print(f"FAIL: listing is {ratio:.2f}x the json.loads floor (> {MAX_RATIO}x)")
            failed = True
        if snap_reads:
            print(f"FAIL: listing opened {snap_reads} snap-*.dat blob(s); it must open none")
            failed = True
        return 1 if failed else 0
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
