"""Restore over real HTTP: the sandbox refuses what real clusters refuse, with their words.

Every expected status, type and message below is taken from ``shared/reference/es-rest-api.md``
§4.3 (templates filled with this scenario's names). The real fixture repositories (written by
Elasticsearch 5.6/6.8/7.10) are registered read-only to check version decisions from the bytes.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.sandbox.dialects import get_dialect
from esnap_tui.versions import Version
from tests.conftest import call, require_real_repositories

SCENARIO: dict[str, Any] = {
    "seed": 11,
    "now": "2026-02-01T00:00:00Z",
    "clusters": [
        {
            "name": "es91",
            "dialect": "es-9.1",
            "nodes": 2,
            "license": "enterprise",
            "features": ["security", "kibana"],
            "indices": [
                {
                    "name": "orders",
                    "size": "2mb",
                    "shards": 2,
                    "replicas": 1,
                    "aliases": ["orders-alias"],
                },
                {"name": "closed-3", "size": "1mb", "shards": 3, "state": "close"},
                {"name": ".security-7", "system": True, "replicas": 0, "size": "80kb"},
            ],
            "data_streams": [{"name": "logs-app", "backing": 2, "size": "2mb"}],
            "repositories": [{"name": "backups", "path": "repos/shared"}],
        },
        {
            "name": "es815",
            "dialect": "es-8.15",
            "license": "basic",
            "repositories": [{"name": "backups", "path": "repos/shared", "readonly": True}],
        },
        {
            "name": "es717",
            "dialect": "es-7.17",
            "max_shards_per_node": 3,
            "repositories": [{"name": "r717", "path": "repos/r717"}],
        },
        {
            "name": "es710",
            "dialect": "es-7.10",
            "max_shards_per_node": 1,
            "repositories": [
                {"name": "r717", "path": "repos/r717", "readonly": True},
                {"name": "r710", "path": "repos/r710"},
            ],
        },
    ],
    "repositories": [
        {
            "path": "repos/shared",
            "dialect": "es-9.1",
            "snapshots": [
                {"name": "snap-1", "start": "-2d", "indices_from": "es91"},
                {
                    "name": "no-global",
                    "start": "-36h",
                    "indices_from": "es91",
                    "include_global_state": False,
                },
                {
                    "name": "partial-1",
                    "start": "-1d",
                    "state": "PARTIAL",
                    "indices_from": "es91",
                    "failures": [{"index": "orders", "shard": 1, "reason": "boom"}],
                },
                {"name": "failed-1", "start": "-12h", "state": "FAILED", "indices_from": "es91"},
            ],
        },
        {
            "path": "repos/r717",
            "dialect": "es-7.17",
            "snapshots": [
                {
                    "name": "s717",
                    "indices": [
                        {
                            "name": "legacy",
                            "created": "7.17.18",
                            "shards": 2,
                            "replicas": 1,
                            "size": "1mb",
                        }
                    ],
                }
            ],
        },
        {
            "path": "repos/r710",
            "dialect": "es-7.10",
            "snapshots": [
                {
                    "name": "s710",
                    "indices": [
                        {
                            "name": "old710",
                            "created": "7.10.2",
                            "shards": 2,
                            "replicas": 1,
                            "size": "1mb",
                        }
                    ],
                }
            ],
        },
    ],
}


@pytest.fixture
async def sandbox():
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as running:
        yield running


def snapshot_uuid(sandbox: Sandbox, repo_path: str, name: str) -> str:
    from esnap_tui.repository.reader import RepositoryReader

    assert sandbox.root is not None
    reader = RepositoryReader(sandbox.root / repo_path)
    return next(s.uuid for s in reader.snapshots() if s.name == name)


def error_of(body: dict[str, Any]) -> tuple[str, str]:
    return body["error"]["type"], body["error"]["reason"]


async def restore(http, sandbox, cluster, repo, snap, body=None, query=""):
    return await call(
        http, sandbox, cluster, "POST", f"/_snapshot/{repo}/{snap}/_restore{query}", body
    )


# ---- the error catalogue (§4.3) ------------------------------------------------------------


async def test_open_index_with_same_name(sandbox, http):
    uuid = snapshot_uuid(sandbox, "repos/shared", "snap-1")
    status, body = await restore(http, sandbox, "es91", "backups", "snap-1", {"indices": "orders"})
    assert status == 500
    assert error_of(body) == (
        "snapshot_restore_exception",
        f"[backups:snap-1/{uuid}] cannot restore index [orders] because an open index with same "
        "name already exists in the cluster. Either close or delete the existing index or "
        "restore the index under a different name by providing a rename pattern and "
        "replacement name",
    )


async def test_closed_index_with_a_different_shard_count(sandbox, http):
    uuid = snapshot_uuid(sandbox, "repos/shared", "snap-1")
    status, body = await restore(
        http,
        sandbox,
        "es91",
        "backups",
        "snap-1",
        {"indices": "orders", "rename_pattern": "orders", "rename_replacement": "closed-3"},
    )
    assert status == 500
    assert error_of(body) == (
        "snapshot_restore_exception",
        f"[backups:snap-1/{uuid}] cannot restore index [closed-3] with [3] shards from a "
        "snapshot of index [orders] with [2] shards",
    )


async def test_snapshot_newer_than_the_cluster(sandbox, http):
    # IndexVersion era wording (8.11+), release strings via toReleaseVersion
    uuid = snapshot_uuid(sandbox, "repos/shared", "snap-1")
    status, body = await restore(http, sandbox, "es815", "backups", "snap-1")
    assert status == 500
    assert error_of(body) == (
        "snapshot_restore_exception",
        f"[backups:snap-1/{uuid}] the snapshot was created with version [9.1.0-9.1.8] which is "
        "higher than the version of this node [8.15.5]",
    )
    # legacy wording (≤ 8.10)
    uuid = snapshot_uuid(sandbox, "repos/r717", "s717")
    status, body = await restore(http, sandbox, "es710", "r717", "s717")
    assert status == 500
    assert error_of(body) == (
        "snapshot_restore_exception",
        f"[r717:s717/{uuid}] the snapshot was created with Elasticsearch version [7.17.28] which "
        "is higher than the version of this node [7.10.2]",
    )


async def test_system_index_outside_feature_states(sandbox, http):
    status, body = await restore(
        http, sandbox, "es91", "backups", "snap-1", {"indices": ".security-7,orders"}
    )
    assert status == 400
    assert error_of(body) == (
        "illegal_argument_exception",
        "requested system indices [.security-7], but system indices can only be restored as "
        "part of a feature state",
    )


async def test_rename_collision(sandbox, http):
    status, body = await restore(
        http,
        sandbox,
        "es91",
        "backups",
        "snap-1",
        {"indices": "orders,closed-3", "rename_pattern": ".+", "rename_replacement": "same"},
    )
    assert status == 500
    assert error_of(body) == (
        "snapshot_restore_exception",
        "[backups:snap-1] indices [closed-3] and [orders] are renamed into the same index [same]",
    )


async def test_unknown_body_key_and_the_settings_key_by_version(sandbox, http):
    status, body = await restore(http, sandbox, "es91", "backups", "snap-1", {"colour": "red"})
    assert (status, error_of(body)) == (
        400,
        ("illegal_argument_exception", "Unknown parameter colour"),
    )
    # "settings" was accepted (and ignored) by 7.x, removed in 8.0
    status, body = await restore(http, sandbox, "es91", "backups", "snap-1", {"settings": {}})
    assert (status, error_of(body)) == (
        400,
        ("illegal_argument_exception", "Unknown parameter settings"),
    )
    status, body = await restore(
        http,
        sandbox,
        "es717",
        "r717",
        "s717",
        {
            "settings": {},
            "rename_pattern": "(.+)",
            "rename_replacement": "x-$1",
            "index_settings": {"index.number_of_replicas": 0},
        },
    )
    assert (status, body) == (200, {"accepted": True})
    # feature_states only exists from 7.12
    status, body = await restore(http, sandbox, "es710", "r710", "s710", {"feature_states": []})
    assert (status, error_of(body)) == (
        400,
        ("illegal_argument_exception", "Unknown parameter feature_states"),
    )


async def test_shard_limit_wording_by_version(sandbox, http):
    status, body = await restore(http, sandbox, "es717", "r717", "s717")
    assert status == 400
    assert error_of(body) == (
        "validation_exception",
        "Validation Failed: 1: this action would add [4] shards, but this cluster currently has "
        "[0]/[3] maximum normal shards open;",
    )
    status, body = await restore(http, sandbox, "es710", "r710", "s710")
    assert status == 400
    assert error_of(body) == (
        "validation_exception",
        "Validation Failed: 1: this action would add [4] total shards, but this cluster "
        "currently has [0]/[1] maximum shards open;",
    )


async def test_restore_while_the_snapshot_is_being_deleted(http):
    slow = copy.deepcopy(SCENARIO)
    slow["clusters"][0]["snapshot_delete_ms"] = "30s"  # deletes stay in flight for 30 s
    async with Sandbox(Scenario.from_dict(slow), fixed_clock=True) as sandbox:
        cluster = sandbox.clusters["es91"].cluster
        uuid = snapshot_uuid(sandbox, "repos/shared", "no-global")
        deletion = asyncio.create_task(
            call(http, sandbox, "es91", "DELETE", "/_snapshot/backups/no-global")
        )
        while not cluster.state.snapshot_deletions:
            await asyncio.sleep(0.01)
        status, body = await restore(
            http,
            sandbox,
            "es91",
            "backups",
            "no-global",
            {"indices": "orders", "rename_pattern": "(.+)", "rename_replacement": "r-$1"},
        )
        assert status == 503
        assert error_of(body) == (
            "concurrent_snapshot_execution_exception",
            f"[backups:no-global/{uuid}] cannot restore a snapshot while a snapshot deletion is "
            "in-progress [SnapshotDeletionsInProgress.Entry[[backups][no-global][STARTED]]]",
        )
        cluster.clock.advance(30_000)
        assert await deletion == (200, {"acknowledged": True})
        status, body = await restore(http, sandbox, "es91", "backups", "no-global")
        assert (status, error_of(body)) == (
            500,
            ("snapshot_restore_exception", "[backups:no-global] snapshot does not exist"),
        )


async def test_unmodifiable_and_unremovable_settings(sandbox, http):
    uuid = snapshot_uuid(sandbox, "repos/shared", "snap-1")
    rename = {"indices": "orders", "rename_pattern": "(.+)", "rename_replacement": "r-$1"}
    status, body = await restore(
        http,
        sandbox,
        "es91",
        "backups",
        "snap-1",
        {**rename, "index_settings": {"index": {"number_of_shards": 4}}},
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:snap-1/{uuid}] cannot modify setting [index.number_of_shards] on restore",
        ),
    )
    status, body = await restore(
        http,
        sandbox,
        "es91",
        "backups",
        "snap-1",
        {**rename, "ignore_index_settings": "index.number_of_replicas"},
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:snap-1/{uuid}] cannot remove setting [index.number_of_replicas] on restore",
        ),
    )


async def test_global_state_partial_and_state_refusals(sandbox, http):
    shared = "repos/shared"
    rename = {"indices": "orders", "rename_pattern": "(.+)", "rename_replacement": "r-$1"}
    uuid = snapshot_uuid(sandbox, shared, "no-global")
    status, body = await restore(
        http, sandbox, "es91", "backups", "no-global", {**rename, "include_global_state": True}
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:no-global/{uuid}] cannot restore global state since the snapshot was "
            "created without global state",
        ),
    )
    uuid = snapshot_uuid(sandbox, shared, "partial-1")
    status, body = await restore(http, sandbox, "es91", "backups", "partial-1", rename)
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:partial-1/{uuid}] index [orders] wasn't fully snapshotted - cannot restore",
        ),
    )
    status, body = await restore(
        http, sandbox, "es91", "backups", "partial-1", {**rename, "partial": True}
    )
    assert (status, body) == (200, {"accepted": True})
    uuid = snapshot_uuid(sandbox, shared, "failed-1")
    status, body = await restore(http, sandbox, "es91", "backups", "failed-1", rename)
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:failed-1/{uuid}] unsupported snapshot state [FAILED]",
        ),
    )


async def test_feature_state_requests(sandbox, http):
    uuid = snapshot_uuid(sandbox, "repos/shared", "snap-1")
    rename = {"indices": "orders", "rename_pattern": "(.+)", "rename_replacement": "r-$1"}
    status, body = await restore(
        http, sandbox, "es91", "backups", "snap-1", {**rename, "feature_states": ["none", "kibana"]}
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:snap-1/{uuid}] the feature_states value [none] indicates that no feature "
            "states should be restored, but other feature states were requested: [none, kibana]",
        ),
    )
    status, body = await restore(
        http, sandbox, "es91", "backups", "snap-1", {**rename, "feature_states": ["watcher"]}
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:snap-1/{uuid}] requested feature states [[watcher]] are not present in "
            "snapshot",
        ),
    )


async def test_rename_into_an_alias_and_data_stream_over_a_live_one(sandbox, http):
    uuid = snapshot_uuid(sandbox, "repos/shared", "snap-1")
    status, body = await restore(
        http,
        sandbox,
        "es91",
        "backups",
        "snap-1",
        {"indices": "closed-3", "rename_pattern": "closed-3", "rename_replacement": "orders-alias"},
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[backups:snap-1/{uuid}] cannot rename index [closed-3] into [orders-alias] "
            "because of conflict with an alias with the same name",
        ),
    )
    # the live data stream's backing indices are open: the open-index refusal names the first
    cluster = sandbox.clusters["es91"].cluster
    first = cluster.state.data_streams["logs-app"].indices[0]
    status, body = await restore(
        http, sandbox, "es91", "backups", "snap-1", {"indices": "logs-app"}
    )
    assert status == 500
    assert error_of(body)[1].startswith(
        f"[backups:snap-1/{uuid}] cannot restore index [{first}] because an open index with same "
        "name already exists in the cluster."
    )


async def test_data_stream_restore_renames_backing_indices(sandbox, http):
    cluster = sandbox.clusters["es91"].cluster
    status, body = await restore(
        http,
        sandbox,
        "es91",
        "backups",
        "snap-1",
        {"indices": "logs-app", "rename_pattern": "logs-(.+)", "rename_replacement": "restored-$1"},
    )
    assert (status, body) == (200, {"accepted": True})
    stream = cluster.state.data_streams["restored-app"]
    assert stream.indices and all(i.startswith(".ds-restored-app-") for i in stream.indices)
    assert all(cluster.index(i).data_stream == "restored-app" for i in stream.indices)


# ---- decisions from the real fixture repositories ------------------------------------------


FIXTURE = "ES_6_8_Updates_Deletes_Merged"  # index test_updates_deletes created by 5.6.16
FIXTURE_SNAPSHOT_UUID = "_OTK5BR2SbSi_1vb0FhIgQ"
FIXTURE_INDEX_UUID = "0GLrOFfCQRq8-mQplMbaBg"


def _fixture_scenario() -> Scenario:
    return Scenario.from_dict(
        {
            "seed": 5,
            "clusters": [
                {"name": "es68", "dialect": "es-6.8"},
                {"name": "es717", "dialect": "es-7.17"},
                {"name": "es815", "dialect": "es-8.15", "license": "basic"},
                {"name": "es815e", "dialect": "es-8.15", "license": "enterprise"},
                {"name": "es91", "dialect": "es-9.1", "license": "basic"},
                {"name": "es91e", "dialect": "es-9.1", "license": "enterprise"},
            ],
        }
    )


@pytest.fixture
async def fixtures_sandbox(http):
    real = require_real_repositories()
    async with Sandbox(_fixture_scenario(), fixed_clock=True) as running:
        for name, item in running.clusters.items():
            item.cluster.repo_roots.append(real)
            for repo in (FIXTURE, "ES_5_6_Updates_Deletes", "ES_7_10_Single"):
                status, _ = await call(
                    http,
                    running,
                    name,
                    "PUT",
                    f"/_snapshot/{repo.lower()}",
                    {"type": "fs", "settings": {"location": str(real / repo), "readonly": True}},
                )
                assert status == 200
        yield running


async def test_5x_index_in_a_68_snapshot_across_versions(fixtures_sandbox, http):
    sb = fixtures_sandbox
    repo = FIXTURE.lower()
    path = f"/_snapshot/{repo}/rfs_snapshot/_restore"
    assert await call(http, sb, "es68", "POST", path) == (200, {"accepted": True})

    status, body = await call(http, sb, "es717", "POST", path)
    assert status == 500
    assert body["error"]["root_cause"] == [
        {
            "type": "snapshot_restore_exception",
            "reason": f"[{repo}:rfs_snapshot/{FIXTURE_SNAPSHOT_UUID}] cannot restore index "
            f"[[test_updates_deletes/{FIXTURE_INDEX_UUID}]] because it cannot be upgraded",
        }
    ]
    assert body["error"]["caused_by"] == {
        "type": "illegal_state_exception",
        "reason": f"The index [[test_updates_deletes/{FIXTURE_INDEX_UUID}]] was created with "
        "version [5.6.16] but the minimum compatible version is [6.0.0-beta1]. It "
        "should be re-indexed in Elasticsearch 6.x before upgrading to 7.17.28.",
    }

    for cluster in ("es815", "es91"):  # archive indices need an enterprise licence
        status, body = await call(http, sb, cluster, "POST", path)
        assert status == 403
        assert body["error"]["root_cause"] == [
            {
                "type": "security_exception",
                "reason": "current license is non-compliant for [archive]",
                "license.expired.feature": "archive",
            }
        ]

    for cluster in ("es815e", "es91e"):  # restored read-only, with a compatibility version
        assert await call(http, sb, cluster, "POST", path) == (200, {"accepted": True})
        status, body = await call(
            http, sb, cluster, "GET", "/test_updates_deletes/_settings?flat_settings=true"
        )
        settings = body["test_updates_deletes"]["settings"]
        dialect = sb.clusters[cluster].cluster.dialect
        assert settings["index.version.created"] == "5061699"
        assert settings["index.version.compatibility"] == str(dialect.index_version_id)
        assert settings["index.blocks.write"] == "true"


async def test_snapshot_below_minimum_compatibility(fixtures_sandbox, http):
    sb = fixtures_sandbox
    status, body = await call(
        http, sb, "es717", "POST", "/_snapshot/es_5_6_updates_deletes/rfs_snapshot/_restore"
    )
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            "[es_5_6_updates_deletes:rfs_snapshot/FGgvQ_1CTymrGgoBFrwNTg] the snapshot was created "
            "with Elasticsearch version [5.6.16] which is below the current versions minimum index "
            "compatibility version [6.0.0-beta1]",
        ),
    )


async def test_8_0_to_8_2_cannot_read_6x_snapshots(http, tmp_path):
    """8.0-8.2 had no archive indices: the default pre-restore check refuses the 6.8 snapshot."""
    real = require_real_repositories()
    from esnap_tui.sandbox.server import ClusterServer
    from esnap_tui.sandbox.state import FixedClock, IdGenerator, RegisteredRepository, SimCluster

    base = get_dialect("es-8.9")
    dialect = dataclasses.replace(
        base, name="es-8.2", version=Version(8, 2, 3), number="8.2.3", index_version_id=8020399
    )
    cluster = SimCluster("es82", dialect, clock=FixedClock(), ids=IdGenerator(1))
    cluster.repositories["old"] = RegisteredRepository(
        "old", settings={"location": str(real / FIXTURE), "readonly": "true"}, path=real / FIXTURE
    )
    server = ClusterServer(cluster)
    await server.start()
    try:
        async with http.post(f"{server.url}/_snapshot/old/rfs_snapshot/_restore") as response:
            status, body = response.status, await response.json()
    finally:
        await server.stop()
    assert (status, error_of(body)) == (
        500,
        (
            "snapshot_restore_exception",
            f"[old:rfs_snapshot/{FIXTURE_SNAPSHOT_UUID}] the snapshot was created with "
            "Elasticsearch version [6.8.23] which is below the current versions minimum index "
            "compatibility version [7.0.0]",
        ),
    )


async def test_7x_index_on_9x_needs_reindexing(fixtures_sandbox, http):
    sb = fixtures_sandbox
    from esnap_tui.repository.reader import RepositoryReader

    reader = RepositoryReader(Path(require_real_repositories()) / "ES_7_10_Single")
    index = reader.index("global_state_snapshot", "posts_2023_02_25")
    status, body = await call(
        http,
        sb,
        "es91e",
        "POST",
        "/_snapshot/es_7_10_single/global_state_snapshot/_restore",
        {"indices": "posts_2023_02_25"},
    )
    assert status == 500
    assert body["error"]["caused_by"] == {
        "type": "illegal_state_exception",
        "reason": f"The index [posts_2023_02_25/{index.uuid}] has current compatibility version "
        "[7.10.2] but the minimum compatible version is [8.0.0]. It should be "
        "re-indexed in Elasticsearch 8.x before upgrading to 9.1.5.",
    }
    # the same snapshot restores on 8.15 (7.x indices are readable there)
    status, body = await call(
        http,
        sb,
        "es815",
        "POST",
        "/_snapshot/es_7_10_single/global_state_snapshot/_restore",
        {"indices": "posts_2023_02_25"},
    )
    assert (status, body) == (200, {"accepted": True})
