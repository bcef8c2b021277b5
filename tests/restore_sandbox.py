"""Shared set-up for the restore execution/monitor tests: a 9.x target with a repository holding
a snapshot written by 8.15, and helpers to drive the sandbox's fixed clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from esnap_tui.cluster import ClusterClient
from esnap_tui.config import ClusterConfig
from esnap_tui.sandbox import Sandbox, Scenario

MB = 1024 * 1024

SCENARIO: dict[str, Any] = {
    "seed": 17,
    "now": "2026-02-01T10:00:00Z",
    "clusters": [
        {
            "name": "nine",
            "dialect": "es-9.1",
            "nodes": 2,
            "license": "enterprise",
            "indices": [{"name": "logs-a", "size": "4mb", "shards": 2, "replicas": 1}],
            "repositories": [{"name": "backups", "path": "repos/r"}],
        },
        {
            "name": "eight",
            "dialect": "es-8.15",
            "nodes": 1,
            "repositories": [{"name": "backups", "path": "repos/r"}],
        },
    ],
    "repositories": [
        {
            "path": "repos/r",
            "dialect": "es-8.15",
            "snapshots": [
                {
                    "name": "snap",
                    "start": "-2d",
                    "include_global_state": False,
                    "indices": [
                        {"name": "logs-a", "shards": 2, "size": "4mb", "replicas": 1},
                        {"name": "logs-b", "shards": 1, "size": "2mb", "replicas": 1},
                    ],
                }
            ],
        }
    ],
}


@contextlib.asynccontextmanager
async def throttled_sandbox() -> AsyncIterator[Sandbox]:
    """SCENARIO running with ``nine`` recovering at 2mb/s, so a restore spans clock ticks."""
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as running:
        nine = running.clusters["nine"].cluster
        nine.state.persistent_settings["indices.recovery.max_bytes_per_sec"] = "2mb"
        yield running


def client_for(sandbox: Any, name: str, **config: Any) -> ClusterClient:
    cluster = sandbox.clusters[name]
    return ClusterClient(
        ClusterConfig(name=name, urls=[cluster.url], repositories=cluster.repositories, **config)
    )


class VirtualTime:
    """``clock``/``sleep`` for the monitor: sleeping advances the sandbox's fixed clock."""

    def __init__(self, sim_cluster: Any) -> None:
        self.cluster = sim_cluster
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.cluster.clock.now_ms() / 1000

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.cluster.clock.advance(round(seconds * 1000))
