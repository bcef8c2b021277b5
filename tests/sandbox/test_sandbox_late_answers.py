"""Sandbox support for proving a restore is sent once: late/lost answers after the cluster
acted, the request log, ``_cluster/settings`` and ``_recovery?ignore_unavailable``."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from esnap_tui.sandbox import Sandbox, Scenario

SCENARIO: dict[str, Any] = {
    "seed": 5,
    "clusters": [
        {
            "name": "t",
            "dialect": "es-9.1",
            "max_shards_per_node": 77,
            "indices": [{"name": "live", "size": "1mb"}],
            "repositories": [{"name": "backups", "path": "repos/r"}],
            "faults": [
                {"path": "/_snapshot/*/late/_restore", "method": "POST", "latency_ms": 30000,
                 "after": True},
                {"path": "/_snapshot/*/lost/_restore", "method": "POST", "drop": True,
                 "after": True},
            ],
        }
    ],
    "repositories": [
        {
            "path": "repos/r",
            "snapshots": [
                {"name": "late", "indices": [{"name": "a", "size": "1mb"}]},
                {"name": "lost", "indices": [{"name": "b", "size": "1mb"}]},
            ],
        }
    ],
}


@pytest.fixture
async def running():
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as sandbox:
        yield sandbox


async def test_a_late_answer_still_restores_and_the_request_is_logged(running) -> None:
    cluster = running.clusters["t"]
    url = cluster.url + "/_snapshot/backups/late/_restore"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        with pytest.raises(asyncio.TimeoutError):
            async with session.post(url, json={"indices": ["a"]}):
                pass
    assert cluster.cluster.index("a") is not None  # the cluster acted before answering late
    sent = cluster.cluster.received("POST", "/_snapshot/*/*/_restore")
    assert [(r.path, r.query) for r in sent] == [
        ("/_snapshot/backups/late/_restore", "")
    ]


async def test_a_lost_answer_still_restores(running) -> None:
    cluster = running.clusters["t"]
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):
            async with session.post(
                cluster.url + "/_snapshot/backups/lost/_restore", json={"indices": ["b"]}
            ):
                pass
        async with session.get(cluster.url + "/b,nope/_recovery?ignore_unavailable=true") as r:
            assert r.status == 200
            body = await r.json()
        assert [s["type"] for s in body["b"]["shards"]] == ["SNAPSHOT"]
        async with session.get(cluster.url + "/b,nope/_recovery") as r:
            assert r.status == 404


async def test_cluster_settings_defaults_and_persistent(running) -> None:
    cluster = running.clusters["t"]
    cluster.cluster.state.persistent_settings["indices.recovery.max_bytes_per_sec"] = "2mb"
    async with aiohttp.ClientSession() as session:
        query = "?include_defaults=true&flat_settings=true"
        async with session.get(cluster.url + "/_cluster/settings" + query) as r:
            body = await r.json()
    assert body["persistent"] == {"indices.recovery.max_bytes_per_sec": "2mb"}
    assert body["transient"] == {}
    assert body["defaults"]["cluster.max_shards_per_node"] == "77"
