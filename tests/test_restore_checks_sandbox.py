"""Every restore refusal of the sandbox that a pre-flight check can predict is predicted.

Each case builds a plan, runs the checks on facts read from the target over real HTTP (and
from the repository on disk, as the offline reader sees it), then sends the request anyway,
unchecked, and asserts the cluster's refusal is among the errors the checks foresaw.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from esnap_tui.repository.reader import RepositoryReader
from esnap_tui.restore.checks import run_checks
from esnap_tui.restore.facts import (
    ExistingDataStream,
    ExistingIndex,
    NodeDisk,
    RepositoryFacts,
    SnapshotFacts,
    TargetFacts,
)
from esnap_tui.restore.plan import RestorePlan
from esnap_tui.restore.request import build_request

SCENARIO: dict[str, Any] = {
    "seed": 3,
    "now": "2026-01-15T12:00:00Z",
    "clusters": [
        {
            "name": "target",
            "dialect": "es-9.1",
            "nodes": 1,
            "license": "enterprise",
            "max_shards_per_node": 8,
            "features": ["kibana", "security"],
            "indices": [
                {"name": "logs-a", "shards": 1, "replicas": 0},
                {"name": "logs-b", "shards": 1, "replicas": 0, "state": "close"},
                {"name": "holder", "shards": 1, "replicas": 0, "aliases": ["taken"]},
            ],
            "repositories": [{"name": "backups", "path": "repos/r"}],
        },
        {
            "name": "source",
            "dialect": "es-8.15",
            "repositories": [{"name": "backups", "path": "repos/r", "readonly": True}],
        },
    ],
    "repositories": [
        {
            "path": "repos/r",
            "dialect": "es-8.15",
            "snapshots": [
                {
                    "name": "snap",
                    "start": "2026-01-10T08:00:00Z",
                    "include_global_state": False,
                    "indices": [
                        {"name": "logs-a", "shards": 1},
                        {"name": "logs-b", "shards": 2},
                        {"name": "taken", "shards": 1},
                        {"name": "wide", "shards": 4, "replicas": 1},
                        {"name": "old-7", "created": "7.10.2"},
                        {"name": ".kibana_7", "system": True},
                    ],
                    "feature_states": [{"feature_name": "kibana", "indices": [".kibana_7"]}],
                },
                {
                    "name": "broken",
                    "start": "2026-01-11T08:00:00Z",
                    "state": "PARTIAL",
                    "indices": [{"name": "half", "shards": 2}],
                    "failures": [{"index": "half", "shard": 1, "reason": "disk gone"}],
                },
                {
                    "name": "failed",
                    "start": "2026-01-12T08:00:00Z",
                    "state": "FAILED",
                    "indices": [{"name": "gone"}],
                },
            ],
        }
    ],
}


async def _get(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        assert response.status == 200, f"GET {url}: {response.status}"
        return await response.json(content_type=None)


async def target_facts(session: aiohttp.ClientSession, base: str, version) -> TargetFacts:
    """TargetFacts from the APIs a real cluster has (what the live client will gather)."""
    meta = (await _get(session, f"{base}/_cluster/state/metadata"))["metadata"]["indices"]
    indices = [
        ExistingIndex(
            name=name,
            state=entry["state"],
            primary_shards=int(_setting(entry["settings"], "number_of_shards")),
            replicas=int(_setting(entry["settings"], "number_of_replicas")),
            aliases=tuple(entry.get("aliases") or ()),
        )
        for name, entry in meta.items()
    ]
    streams = (await _get(session, f"{base}/_data_stream"))["data_streams"]
    repos = await _get(session, f"{base}/_snapshot")
    allocation = await _get(session, f"{base}/_cat/allocation?format=json&bytes=b")
    features = (await _get(session, f"{base}/_features"))["features"]
    open_shards = sum(
        i.primary_shards * (1 + (i.replicas or 0))
        for i in indices
        if i.is_open and i.primary_shards
    )
    return TargetFacts(
        name="target",
        version=version,
        license="enterprise",
        indices=indices,
        data_streams=[ExistingDataStream(s["name"]) for s in streams],
        nodes=[
            NodeDisk(row["node"], int(row["disk.avail"]), int(row["disk.total"]))
            for row in allocation
            if row.get("node") != "UNASSIGNED"
        ],
        open_shards=open_shards,
        max_shards_per_node=8,  # cluster.max_shards_per_node, as _cluster/settings would say
        repositories=[
            RepositoryFacts.from_settings(
                name, r["type"], r.get("settings", {}), uuid=r.get("uuid")
            )
            for name, r in repos.items()
        ],
        installed_features=[f["name"] for f in features],
    )


def _setting(settings: dict[str, Any], key: str) -> Any:
    if f"index.{key}" in settings:
        return settings[f"index.{key}"]
    return settings["index"][key]


def snapshot_facts(repo_dir: str, name: str) -> SnapshotFacts:
    reader = RepositoryReader(Path(repo_dir), name="backups")
    source = RepositoryFacts.from_settings("backups", "fs", {"location": repo_dir})
    return SnapshotFacts(
        detail=reader.snapshot(name), indices=reader.indices(name), repository=source
    )


@pytest.fixture
async def running():
    from esnap_tui.sandbox import Sandbox, Scenario

    async with (
        Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as sandbox,
        aiohttp.ClientSession() as session,
    ):
        yield sandbox, session


def _plan(snapshot: str = "snap", **changes: Any) -> RestorePlan:
    base = RestorePlan(
        repository="backups", snapshot=snapshot, target_cluster="target", source_cluster="target"
    )
    return replace(base, **changes)


CASES: list[tuple[str, str, dict[str, Any]]] = [
    # (case, snapshot, plan changes)
    ("open index with same name", "snap", {"indices": ["logs-a"]}),
    ("closed index, other shard count", "snap", {"indices": ["logs-b"]}),
    ("rename into an alias", "snap", {"indices": ["taken"]}),
    ("missing index", "snap", {"indices": ["nope"]}),
    ("system index named", "snap", {"indices": [".kibana_7"]}),
    ("index too old for 9.x", "snap", {"indices": ["old-7"]}),
    (
        "global state not in snapshot",
        "snap",
        {"indices": ["wide"], "include_global_state": True},
    ),
    (
        "two indices renamed into one",
        "snap",
        {"indices": ["logs-a", "logs-b"], "rename_pattern": ".+", "rename_replacement": "same"},
    ),
    (
        "unmodifiable setting",
        "snap",
        {"indices": ["wide"], "index_settings": {"index.number_of_shards": 1}},
    ),
    (
        "unremovable setting",
        "snap",
        {"indices": ["wide"], "ignore_index_settings": ["index.number_of_replicas"]},
    ),
    (
        "soft deletes disabled",
        "snap",
        {"indices": ["wide"], "index_settings": {"index.soft_deletes.enabled": False}},
    ),
    ("shard limit", "snap", {"indices": ["wide"]}),
    ("partial index without partial", "broken", {"indices": ["half"]}),
    ("unsupported snapshot state", "failed", {"indices": ["gone"]}),
    (
        "feature not in snapshot",
        "snap",
        {"indices": ["wide"], "feature_states": ["security"]},
    ),
    (
        "feature none mixed",
        "snap",
        {"indices": ["wide"], "feature_states": ["none", "kibana"]},
    ),
    ("repository missing", "snap", {"indices": ["wide"], "target_repository": "nowhere"}),
]


@pytest.mark.parametrize(("case", "snapshot", "changes"), CASES, ids=[c[0] for c in CASES])
async def test_sandbox_refusal_was_predicted(running, case, snapshot, changes) -> None:
    sandbox, session = running
    target = sandbox.clusters["target"]
    facts = await target_facts(session, target.url, target.version)
    snap = snapshot_facts(target.repositories["backups"], snapshot)
    if case == "index too old for 9.x":
        from esnap_tui.compat import TargetCluster, check_index

        target_cluster = TargetCluster(version=target.version, license="enterprise")
        snap.verdicts = [check_index(i, snap.detail.version, target_cluster) for i in snap.indices]
    plan = _plan(snapshot, **changes)
    report = run_checks(plan, snap, facts)

    request = build_request(plan, target.version)
    body = request.body  # sent even though the checks block it
    url = target.url + request.path_with_query
    async with session.post(url, json=body) as response:
        answer = await response.json(content_type=None)
        status = response.status
    assert status >= 400, f"{case}: the sandbox accepted it: {answer}"
    error = answer["error"]
    predicted = report.predicted(status, error["type"], error["reason"])
    assert predicted, (
        f"{case}: not predicted: {status} {error['type']}: {error['reason']}\n"
        + "\n".join(f"  {r.severity} {r.id}: {r.message}" for r in report.results)
    )
    assert any(r.blocking for r in predicted)


async def test_a_clean_plan_is_accepted(running) -> None:
    sandbox, session = running
    target = sandbox.clusters["target"]
    facts = await target_facts(session, target.url, target.version)
    snap = snapshot_facts(target.repositories["backups"], "snap")
    plan = _plan(indices=["logs-a", "logs-b"], rename_pattern="(.+)", rename_replacement="r-$1")
    report = run_checks(plan, snap, facts)
    assert report.can_proceed, [r.message for r in report.blockers]
    request = build_request(plan, target.version)
    async with session.post(target.url + request.path_with_query, json=request.body) as response:
        assert response.status == 200, await response.text()
        assert await response.json() == {"accepted": True}


async def test_a_snapshot_newer_than_the_target_is_predicted_per_index(running) -> None:
    """A 9.1.9-written snapshot (IndexVersion 9033001) into 9.1.5 (9033000): the cluster
    refuses the whole snapshot as newer, and each index's compat check foresaw exactly that,
    not the "cannot be upgraded" of an index too old."""
    from esnap_tui.compat import TargetCluster, check_index
    from esnap_tui.repository import RepositoryWriter
    from esnap_tui.repository.writer import IndexToWrite, SnapshotToWrite
    from esnap_tui.versions import Version

    sandbox, session = running
    target = sandbox.clusters["target"]
    location = sandbox.root / "repos" / "w919"
    RepositoryWriter(location, Version.parse("9.1.9")).add_snapshot(
        SnapshotToWrite(
            "s919",
            "s919snapshotuuid000000",
            indices=[
                IndexToWrite("v919", "v919uuuuuuuuuuuuuuuuuu", 9_033_001),
                IndexToWrite("v815", "v815uuuuuuuuuuuuuuuuuu", 8_512_000),
            ],
        )
    )
    settings = {"location": str(location), "readonly": True}
    async with session.put(
        f"{target.url}/_snapshot/w919", json={"type": "fs", "settings": settings}
    ) as response:
        assert response.status == 200, await response.text()
    facts = await target_facts(session, target.url, target.version)
    reader = RepositoryReader(location, name="w919")
    snap = SnapshotFacts(
        detail=reader.snapshot("s919"),
        indices=reader.indices("s919"),
        repository=RepositoryFacts.from_settings("w919", "fs", {"location": str(location)}),
    )
    into = TargetCluster(version=target.version, license="enterprise")
    snap.verdicts = [check_index(i, snap.detail.version, into) for i in snap.indices]
    for index in ("v919", "v815"):
        plan = _plan("s919", repository="w919", indices=[index])
        report = run_checks(plan, snap, facts)
        request = build_request(plan, target.version)
        async with session.post(target.url + request.path_with_query, json=request.body) as r:
            answer = await r.json(content_type=None)
            status = r.status
        assert status >= 400, f"{index}: the sandbox accepted it: {answer}"
        error = answer["error"]
        assert "which is higher than the version of this node [9.1.5]" in error["reason"]
        foreseen = report.predicted(status, error["type"], error["reason"])
        assert [(r.id, r.subject) for r in foreseen if r.id == "index-compat"] == [
            ("index-compat", index)
        ], f"{index}: {error['reason']} not foreseen by its compat check"
