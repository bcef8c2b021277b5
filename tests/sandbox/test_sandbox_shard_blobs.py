"""Shard-level snapshot blobs drive ``_snapshot/.../_status`` and the files ``_recovery`` copies.

The sandbox reads them through ``RepositoryReader`` (``shard_snapshot``, ``snapshot_version_id``);
these tests pin what a client sees, from blobs the writer made and from blobs Elasticsearch 7.10
wrote (the real fixture repositories).
"""

from __future__ import annotations

from typing import Any

import pytest

from esnap_tui.sandbox import Sandbox, Scenario
from tests.conftest import require_real_repositories

SCENARIO: dict[str, Any] = {
    "seed": 3,
    "now": "2026-02-01T00:00:00Z",
    "clusters": [
        {
            "name": "c",
            "dialect": "es-8.15",
            "indices": [{"name": "orders", "size": "3mb", "shards": 2, "replicas": 0}],
            "repositories": [{"name": "r", "path": "repos/r"}],
        },
        {"name": "old", "dialect": "es-7.17"},
    ],
    "repositories": [
        {
            "path": "repos/r",
            "dialect": "es-8.15",
            "shard_blobs": True,
            "snapshots": [{"name": "s1", "start": "-1d", "indices_from": "c"}],
        }
    ],
}
HALF = 3 * 1024 * 1024 // 2


@pytest.fixture
async def sandbox():
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as running:
        yield running


async def call(http, sandbox, cluster: str, method: str, path: str, body=None) -> Any:
    url = sandbox.clusters[cluster].url + path
    async with http.request(method, url, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_status_reports_each_shards_files_from_its_blob(sandbox, http):
    body = await call(http, sandbox, "c", "GET", "/_snapshot/r/s1/_status")
    shards = body["snapshots"][0]["indices"]["orders"]["shards"]
    for shard in ("0", "1"):
        stats = shards[shard]["stats"]
        assert stats["total"] == {"file_count": 2, "size_in_bytes": HALF}
        assert stats["start_time_in_millis"] == body["snapshots"][0]["stats"][
            "start_time_in_millis"
        ]
        assert stats["time_in_millis"] == 60_000  # the scenario's default snapshot duration
    assert body["snapshots"][0]["stats"]["total"] == {"file_count": 4, "size_in_bytes": 2 * HALF}


async def test_restore_copies_the_files_the_shard_blobs_list(sandbox, http):
    listed = await call(http, sandbox, "c", "GET", "/_snapshot/r/s1")
    await call(
        http, sandbox, "c", "POST", "/_snapshot/r/s1/_restore",
        {"indices": "orders", "rename_pattern": "(.+)", "rename_replacement": "r-$1"},
    )
    sandbox.clusters["c"].cluster.clock.advance(1_000)  # past INIT: the file list is known
    body = await call(http, sandbox, "c", "GET", "/r-orders/_recovery?detailed=true")
    shard = next(s for s in body["r-orders"]["shards"] if s["id"] == 0)
    details = [(f["name"], f["length_in_bytes"]) for f in shard["index"]["files"]["details"]]
    assert details == [("segments_2", 512), ("_0.cfs", HALF - 512)]
    assert shard["source"]["version"] == listed["snapshots"][0]["version"]


async def test_restore_from_a_real_7_10_repository_copies_its_lucene_files(sandbox, http):
    real = require_real_repositories()
    old = sandbox.clusters["old"]
    old.cluster.repo_roots.append(real)
    location = str(real / "ES_7_10_Single")
    await call(http, sandbox, "old", "PUT", "/_snapshot/real",
               {"type": "fs", "settings": {"location": location, "readonly": True}})
    status = await call(
        http, sandbox, "old", "GET", "/_snapshot/real/global_state_snapshot/_status"
    )
    stats = status["snapshots"][0]["indices"]["posts_2023_02_25"]["shards"]["0"]["stats"]
    assert (stats["total"], stats["time_in_millis"]) == (
        {"file_count": 4, "size_in_bytes": 4634}, 205,
    )
    assert stats["start_time_in_millis"] == 1711120727620
    await call(
        http, sandbox, "old", "POST", "/_snapshot/real/global_state_snapshot/_restore",
        {"indices": "posts_2023_02_25", "include_global_state": False,
         "rename_pattern": "(.+)", "rename_replacement": "r-$1"},
    )
    old.cluster.clock.advance(1_000)
    body = await call(http, sandbox, "old", "GET", "/r-posts_2023_02_25/_recovery?detailed=true")
    shard = body["r-posts_2023_02_25"]["shards"][0]
    names = [f["name"] for f in shard["index"]["files"]["details"]]
    assert names[:2] == ["_0.cfe", "_0.si"] and len(names) == 4
    assert shard["index"]["size"]["total_in_bytes"] == 4634
    assert shard["source"]["version"] == "7.10.2"
