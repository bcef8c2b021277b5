"""First page of a 10,000-snapshot repository from a simulated 9.x cluster, over loopback HTTP.

Target (issue 3): ``GET _snapshot/<repo>/_all?size=50&sort=start_time&order=desc`` under 100 ms
after warm-up. Prints cold, warm and after-a-new-generation timings; asserts nothing.

    .venv/bin/python benchmarks/sandbox_snapshots.py [--count 10000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from esnap_tui.models import SnapshotState
from esnap_tui.repository.writer import IndexToWrite, RepositoryWriter, SnapshotToWrite
from esnap_tui.sandbox.dialects import get_dialect
from esnap_tui.sandbox.server import ClusterServer
from esnap_tui.sandbox.state import FixedClock, IdGenerator, RegisteredRepository, SimCluster

DAY = 86_400_000
START = 1_700_000_000_000


def build_repository(path: Path, count: int) -> float:
    dialect = get_dialect("es-9.1")
    indices = [
        IndexToWrite(
            f"logs-{i}", f"uuid-{i:018d}xxxx", dialect.index_version_id, size_in_bytes=1 << 20
        )
        for i in range(3)
    ]
    snapshots = (
        SnapshotToWrite(
            name=f"nightly-{n:05d}",
            uuid=f"snap{n:018d}",
            state=SnapshotState.PARTIAL if n % 97 == 0 else SnapshotState.SUCCESS,
            start_time_ms=START + n * DAY // 24,
            end_time_ms=START + n * DAY // 24 + 60_000 + n % 1000,
            indices=indices,
            metadata={"policy": "nightly"},
        )
        for n in range(count)
    )
    began = time.perf_counter()
    RepositoryWriter(path, dialect.version, shard_blobs=False).add_snapshots(snapshots)
    return time.perf_counter() - began


async def measure(path: Path, rounds: int) -> None:
    cluster = SimCluster("bench", get_dialect("es-9.1"), clock=FixedClock(), ids=IdGenerator(1))
    cluster.repositories["bench"] = RegisteredRepository(
        "bench", settings={"location": str(path)}, path=path
    )
    server = ClusterServer(cluster)
    await server.start()
    url = f"{server.url}/_snapshot/bench/_all?size=50&sort=start_time&order=desc"
    try:
        async with aiohttp.ClientSession() as session:

            async def once() -> tuple[float, dict]:
                began = time.perf_counter()
                async with session.get(url) as response:
                    body = await response.json()
                return (time.perf_counter() - began) * 1000, body

            cold, body = await once()
            assert len(body["snapshots"]) == 50 and body["total"] > 50, body.keys()
            for _ in range(3):
                await once()
            warm = sorted([(await once())[0] for _ in range(rounds)])
            # another cluster (here: the writer) adds a snapshot: new generation, re-read
            RepositoryWriter(path, "9.1", shard_blobs=False).add_snapshot(
                SnapshotToWrite(
                    name="late",
                    uuid="late" + "0" * 18,
                    start_time_ms=START * 2,
                    end_time_ms=START * 2 + 1,
                )
            )
            regenerated, body = await once()
            assert body["snapshots"][0]["snapshot"] == "late"
            after = sorted([(await once())[0] for _ in range(rounds)])
    finally:
        await server.stop()
    print(f"first page (size=50, start_time desc) of {body['total']} snapshots over loopback")
    print(f"  cold (catalogue parse + 50 snap blobs): {cold:8.1f} ms")
    print(
        f"  warm  median {statistics.median(warm):6.1f} ms"
        f"   p95 {warm[int(len(warm) * 0.95) - 1]:6.1f} ms"
        f"   min {warm[0]:6.1f} ms   ({rounds} rounds)"
    )
    print(f"  after a new generation (re-read):       {regenerated:8.1f} ms")
    print(f"  warm again median {statistics.median(after):6.1f} ms")
    print(f"  target < 100 ms warm: {'met' if statistics.median(warm) < 100 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="esnap-bench-") as tmp:
        path = Path(tmp) / "repo"
        seconds = build_repository(path, args.count)
        print(f"wrote {args.count} snapshots in {seconds:.1f} s ({path})")
        asyncio.run(measure(path, args.rounds))


if __name__ == "__main__":
    main()
