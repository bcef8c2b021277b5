"""A restore in flight over real HTTP: ``_recovery`` and ``_cat/recovery`` move with the clock.

The fixed clock only moves when the test advances it, so byte counts are exact and no test
sleeps. Shapes follow ``shared/reference/es-rest-api.md`` §5.
"""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from esnap_tui.sandbox import Sandbox, Scenario
from tests.conftest import call

MB = 1024 * 1024

SCENARIO: dict[str, Any] = {
    "seed": 21,
    "now": "2026-03-01T00:00:00Z",
    "clusters": [
        {
            "name": "prod",
            "dialect": "es-9.1",
            "nodes": 2,
            "license": "enterprise",
            "indices": [
                {
                    "name": "logs",
                    "size": "8mb",
                    "shards": 2,
                    "replicas": 1,
                    "settings": {"index.codec": "best_compression"},
                },
            ],
            "repositories": [{"name": "backups", "path": "repos/shared"}],
            # 2 MB/s per node, two recovery slots: each shard copies at 1 MB/s
            "recovery": {"max_bytes_per_sec": "2mb", "node_concurrent_recoveries": 2},
            # restores renamed to broken-* lose shard 1 halfway through copying it
            "restore_shard_failures": [
                {"index": "broken-*", "shard": 1, "at": 0.5, "reason": "simulated corruption"}
            ],
        },
        {
            "name": "old",
            "dialect": "es-7.17",
            "nodes": 1,
            "repositories": [{"name": "backups", "path": "repos/r717"}],
        },
    ],
    "repositories": [
        {
            "path": "repos/shared",
            "dialect": "es-9.1",
            "snapshots": [{"name": "snap-1", "start": "-1d", "indices_from": "prod"}],
        },
        {
            "path": "repos/r717",
            "dialect": "es-7.17",
            "snapshots": [
                {
                    "name": "s717",
                    "indices": [{"name": "legacy", "shards": 1, "replicas": 1, "size": "1mb"}],
                }
            ],
        },
    ],
}


@pytest.fixture
async def sandbox():
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as running:
        yield running


RESTORE = {
    "indices": "logs",
    "rename_pattern": "(.+)",
    "rename_replacement": "restored-$1",
    "index_settings": {"index.number_of_replicas": 0, "index.refresh_interval": "30s"},
    "ignore_index_settings": ["index.codec"],
}


async def test_restore_in_flight_then_done(sandbox, http):
    clock = sandbox.clusters["prod"].cluster.clock
    status, body = await call(
        http, sandbox, "prod", "POST", "/_snapshot/backups/snap-1/_restore", RESTORE
    )
    assert (status, body) == (200, {"accepted": True})
    status, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/restored-logs")
    assert health["status"] == "red"  # primaries initialising
    status, active = await call(http, sandbox, "prod", "GET", "/_recovery?active_only=true")
    assert list(active) == ["restored-logs"]

    seen_bytes: list[int] = []
    stages: list[str] = []
    for _ in range(6):
        status, body = await call(http, sandbox, "prod", "GET", "/restored-logs/_recovery?human")
        assert status == 200
        shard = body["restored-logs"]["shards"][0]
        assert shard["type"] == "SNAPSHOT"
        assert shard["source"]["repository"] == "backups"
        assert shard["source"]["snapshot"] == "snap-1"
        assert shard["source"]["index"] == "logs"
        assert shard["source"]["version"] == "9033000"
        assert shard["source"]["restoreUUID"]
        seen_bytes.append(shard["index"]["size"]["recovered_in_bytes"])
        stages.append(shard["stage"])
        if shard["stage"] != "DONE":
            assert "stop_time_in_millis" not in shard
        clock.advance(1000)
    assert stages[0] == "INIT"
    assert "INDEX" in stages
    assert seen_bytes == sorted(seen_bytes) and seen_bytes[-1] > seen_bytes[1] > 0
    total = shard["index"]["size"]["total_in_bytes"]
    assert total == 4 * MB  # 8 MB over two primaries
    assert shard["index"]["size"]["total"] == "4mb"  # ?human

    clock.advance(10_000)
    status, body = await call(http, sandbox, "prod", "GET", "/restored-logs/_recovery")
    for shard in body["restored-logs"]["shards"]:
        assert shard["stage"] == "DONE"
        assert shard["stop_time_in_millis"] > shard["start_time_in_millis"]
        assert (
            shard["index"]["size"]["recovered_in_bytes"] == shard["index"]["size"]["total_in_bytes"]
        )
        assert shard["index"]["size"]["percent"] == "100.0%"
        assert shard["translog"]["percent"] == "100.0%"
        assert "total" not in shard["index"]["size"]  # no ?human
    status, active = await call(http, sandbox, "prod", "GET", "/_recovery?active_only=true")
    assert active == {}
    status, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/restored-logs")
    assert health["status"] == "green"

    status, body = await call(
        http, sandbox, "prod", "GET", "/restored-logs/_settings?flat_settings=true"
    )
    settings = body["restored-logs"]["settings"]
    assert settings["index.number_of_replicas"] == "0"
    assert settings["index.refresh_interval"] == "30s"
    assert "index.codec" not in settings
    assert settings["index.number_of_shards"] == "2"


async def test_replicas_recover_by_peer_after_primaries(sandbox, http):
    clock = sandbox.clusters["prod"].cluster.clock
    body = {"indices": "logs", "rename_pattern": "logs", "rename_replacement": "copy"}
    await call(http, sandbox, "prod", "POST", "/_snapshot/backups/snap-1/_restore", body)
    clock.advance(4_300)  # primaries done (4 MB at 1 MB/s + overheads), replicas copying
    status, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/copy")
    assert health["status"] == "yellow"
    status, body = await call(http, sandbox, "prod", "GET", "/copy/_recovery")
    assert status == 200
    kinds = {(s["primary"], s["type"], s["stage"]) for s in body["copy"]["shards"]}
    assert (True, "SNAPSHOT", "DONE") in kinds
    assert any(not primary and kind == "PEER" and stage != "DONE" for primary, kind, stage in kinds)
    clock.advance(10_000)
    _status, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/copy")
    assert health["status"] == "green"


async def test_cat_recovery_columns_by_version(sandbox, http):
    await call(http, sandbox, "prod", "POST", "/_snapshot/backups/snap-1/_restore", RESTORE)
    sandbox.clusters["prod"].cluster.clock.advance(2_100)
    status, text = await call(http, sandbox, "prod", "GET", "/_cat/recovery/restored-logs?v")
    header, first = text.splitlines()[:2]
    assert header.split()[:6] == ["index", "shard", "time", "type", "stage", "priority"]
    cells = first.split()
    assert cells[:5] == ["restored-logs", "0", "2.1s", "snapshot", "index"]
    assert "backups" in cells and "snap-1" in cells
    assert "4mb" in cells  # 9.x prints byte sizes

    status, rows = await call(
        http,
        sandbox,
        "old",
        "POST",
        "/_snapshot/backups/s717/_restore",
        {"rename_pattern": "(.+)", "rename_replacement": "r-$1"},
    )
    status, text = await call(http, sandbox, "old", "GET", "/_cat/recovery?v&active_only=true")
    assert status == 200
    header, first = text.splitlines()[:2]
    assert "priority" not in header.split()
    assert header.split()[:5] == ["index", "shard", "time", "type", "stage"]
    cells = first.split()
    assert (cells[0], cells[1], cells[3], cells[4]) == ("r-legacy", "0", "snapshot", "init")
    _status, rows = await call(
        http, sandbox, "old", "GET", "/_cat/recovery?format=json&h=index,stage,bytes_total"
    )
    assert rows == [{"index": "r-legacy", "stage": "init", "bytes_total": "0"}]


async def test_wait_for_completion_and_shard_failures(sandbox, http):
    cluster = sandbox.clusters["prod"].cluster
    # a cluster setting beats the scenario's throughput, as on a real node
    cluster.state.persistent_settings["indices.recovery.max_bytes_per_sec"] = "400mb"
    status, body = await call(
        http,
        sandbox,
        "prod",
        "POST",
        "/_snapshot/backups/snap-1/_restore?wait_for_completion=true",
        {"indices": "logs", "rename_pattern": "logs", "rename_replacement": "broken-logs"},
    )
    assert status == 200
    assert body == {
        "snapshot": {
            "snapshot": "snap-1",
            "indices": ["broken-logs"],
            "shards": {"total": 2, "failed": 1, "successful": 1},
        }
    }
    status, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/broken-logs")
    assert health["status"] == "red"
    status, body = await call(http, sandbox, "prod", "GET", "/broken-logs/_recovery")
    shards = [(s["id"], s["primary"]) for s in body["broken-logs"]["shards"]]
    assert (1, True) not in shards  # the failed primary is unassigned, not recovering
    assert (0, True) in shards


async def test_health_counts_a_failed_restore_shard_as_unassigned_primary(sandbox, http):
    cluster = sandbox.clusters["prod"].cluster
    clock = cluster.clock
    # 200 MB/s per slot: each 4 MB primary copies in 20 ms after 100 ms of INIT
    cluster.state.persistent_settings["indices.recovery.max_bytes_per_sec"] = "400mb"
    status, _ = await call(
        http,
        sandbox,
        "prod",
        "POST",
        "/_snapshot/backups/snap-1/_restore",
        {"indices": "logs", "rename_pattern": "logs", "rename_replacement": "broken-logs"},
    )
    assert status == 200

    def counts(doc: dict[str, Any]) -> tuple[Any, ...]:
        return (
            doc["status"],
            doc["active_primary_shards"],
            doc["active_shards"],
            doc["initializing_shards"],
            doc["unassigned_shards"],
            doc["unassigned_primary_shards"],  # 9.1 has the field (8.16+)
        )

    clock.advance(50)  # both primaries initialising, their replicas wait unassigned
    _, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/broken-logs")
    assert counts(health) == ("red", 0, 0, 2, 2, 0)
    clock.advance(65)  # shard 1 failed at 110 ms; shard 0 is still copying
    _, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/broken-logs")
    assert counts(health) == ("red", 0, 0, 1, 3, 1)
    clock.advance(10_000)  # shard 0 and its replica done; shard 1 stays unassigned
    _, health = await call(http, sandbox, "prod", "GET", "/_cluster/health/broken-logs")
    assert counts(health) == ("red", 1, 2, 0, 2, 1)
    _, whole = await call(http, sandbox, "prod", "GET", "/_cluster/health")
    assert (whole["initializing_shards"], whole["unassigned_primary_shards"]) == (0, 1)


async def test_official_client_against_9x(sandbox):
    client = AsyncElasticsearch(sandbox.clusters["prod"].url)
    clock = sandbox.clusters["prod"].cluster.clock
    try:
        listing = await client.snapshot.get(repository="backups", snapshot="*", sort="name")
        assert [s["snapshot"] for s in listing["snapshots"]] == ["snap-1"]
        assert listing["total"] == 1 and listing["remaining"] == 0
        rows = await client.cat.snapshots(repository="backups", format="json")
        assert rows.body[0]["id"] == "snap-1" and rows.body[0]["status"] == "SUCCESS"
        accepted = await client.snapshot.restore(
            repository="backups",
            snapshot="snap-1",
            indices="logs",
            rename_pattern="(.+)",
            rename_replacement="client-$1",
        )
        assert accepted.body == {"accepted": True}
        clock.advance(1_500)
        recovering = await client.indices.recovery(index="client-logs", active_only=True)
        assert recovering["client-logs"]["shards"][0]["stage"] == "INDEX"
        cat = await client.cat.recovery(index="client-logs", format="json", h="index,stage")
        assert {row["stage"] for row in cat.body} == {"index"}
        clock.advance(60_000)
        done = await client.indices.recovery(index="client-logs")
        assert {s["stage"] for s in done["client-logs"]["shards"]} == {"DONE"}
    finally:
        await client.close()
