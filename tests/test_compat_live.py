"""Compatibility from a live source whose repository files this machine cannot read.

Acceptance (issue 5): "With no offline access, the verdict is unknown exactly when the bounds
do not settle it, and never claims more than it knows." The source cluster registers the real
fixture repositories with *relative* locations (resolved against its own ``path.repo``, which
the client cannot know), so created versions come from the source cluster's live settings or
from bounds. Every definite verdict is checked against what the target cluster actually does
when asked to restore over HTTP; every "unknown" is shown to hide a real split.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from esnap_tui.cluster import ClusterClient
from esnap_tui.compat import TargetCluster, Verdict, check_index
from esnap_tui.compat.gather import gather_live, target_from_cluster
from esnap_tui.config import ClusterConfig
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot
from esnap_tui.repository import RepositoryReader
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.versions import Version, VersionRange
from tests.conftest import require_real_repositories

in_module_loop = pytest.mark.asyncio(loop_scope="module")

OK, NO, ARCHIVE, UNKNOWN = (
    Verdict.COMPATIBLE,
    Verdict.INCOMPATIBLE,
    Verdict.READ_ONLY_ARCHIVE,
    Verdict.UNKNOWN,
)
FIXTURES = {  # repository -> (snapshot, the bounds a 6.8/5.6/7.10 snapshot proves)
    "ES_5_6_Updates_Deletes": ("rfs_snapshot", "between 2.0 and 5.6.16"),
    "ES_6_8_Updates_Deletes_Native": ("rfs_snapshot", "between 5.0 and 6.8.23"),
    "ES_7_10_Single": ("global_state_snapshot", "between 6.0 and 7.10.2"),
}
# What compat may say from bounds alone, derived from es-rest-api.md §6.2 by hand: definite
# where every version inside the bounds gets the same answer, unknown where they split.
EXPECTED = {
    "ES_5_6_Updates_Deletes": {
        "t68": UNKNOWN,  # 2.x no, 5.x yes
        "t717": NO,
        "t815": NO,  # 2.x no; 5.x needs the enterprise licence this cluster lacks
        "t815e": UNKNOWN,  # 2.x no, 5.x archive
        "t91": NO,
        "t91e": UNKNOWN,
    },
    "ES_6_8_Updates_Deletes_Native": {
        "t68": OK,
        "t717": UNKNOWN,  # 5.x no, 6.x yes
        "t815": NO,
        "t815e": ARCHIVE,
        "t91": NO,
        "t91e": ARCHIVE,
    },
    "ES_7_10_Single": {
        "t68": NO,  # the snapshot is newer than 6.8
        "t717": OK,
        "t815": UNKNOWN,  # 6.x needs a licence, 7.x fine
        "t815e": UNKNOWN,  # 6.x archive, 7.x normal
        "t91": UNKNOWN,  # 6.x needs a licence; 7.x read-only only if it has a write block
        "t91e": UNKNOWN,  # 6.x archive; 7.x read-only only if it has a write block
    },
}
TARGETS = {
    "t68": ("es-6.8", "basic"),
    "t717": ("es-7.17", "basic"),
    "t815": ("es-8.15", "basic"),
    "t815e": ("es-8.15", "enterprise"),
    "t91": ("es-9.1", "basic"),
    "t91e": ("es-9.1", "enterprise"),
}


def scenario() -> Scenario:
    clusters: list[dict[str, object]] = [
        {
            "name": name,
            "dialect": d,
            "license": lic,
            "repositories": [{"name": "seven", "path": "repos/seven", "readonly": True}],
        }
        for name, (d, lic) in TARGETS.items()
    ]
    clusters.append({"name": "src", "dialect": "es-7.17"})
    clusters.append(
        {
            "name": "live",  # a source cluster whose own snapshot's metadata blobs get lost
            "dialect": "es-7.17",
            "indices": [
                {"name": "logs", "created": "6.8.5"},
                {"name": "metrics", "created": "7.9.0"},
            ],
            "repositories": [{"name": "backups", "path": "repos/live"}],
        }
    )
    return Scenario.from_dict(
        {
            "seed": 11,
            "now": "2026-01-15T12:00:00Z",
            "clusters": clusters,
            "repositories": [
                {
                    "path": "repos/live",
                    "dialect": "es-7.17",
                    "snapshots": [
                        {"name": "nightly-1", "start": "-1d", "indices_from": "live"},
                    ],
                },
                {  # a 7.17 snapshot holding an index a 6.8 cluster created (then upgraded)
                    "path": "repos/seven",
                    "dialect": "es-7.17",
                    "snapshots": [
                        {
                            "name": "seven-1",
                            "start": "-2d",
                            "indices": [
                                {"name": "legacy-6", "created": "6.8.5"},
                                {"name": "app-7", "created": "7.16.0"},
                            ],
                        }
                    ],
                },
            ],
        }
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox() -> AsyncIterator[Sandbox]:
    real = require_real_repositories()
    async with Sandbox(scenario(), fixed_clock=True) as running:
        async with aiohttp.ClientSession() as http:
            for name, item in running.clusters.items():
                if name == "live":
                    continue
                item.cluster.repo_roots.insert(0, real)  # path.repo, first
                for repo in FIXTURES:
                    # relative: resolved against path.repo by the cluster, unreadable for us
                    body = {"type": "fs", "settings": {"location": repo, "readonly": True}}
                    url = f"{item.url}/_snapshot/{repo.lower()}"
                    async with http.put(url, json=body) as response:
                        assert response.status == 200, await response.text()
        yield running


def config(sandbox: Sandbox, name: str) -> ClusterConfig:
    return ClusterConfig(name=name, urls=[sandbox.clusters[name].url])


_renames = itertools.count(1)


async def restores(sandbox: Sandbox, target: str, repo: str, snapshot: str, index: str) -> str:
    """What the target actually does: "restored", "archive" or "refused"."""
    prefix = f"r{next(_renames)}-"
    body = {
        "indices": [index],
        "include_global_state": False,
        "rename_pattern": "(.+)",
        "rename_replacement": f"{prefix}$1",
    }
    base = sandbox.clusters[target].url
    async with aiohttp.ClientSession() as http:
        url = f"{base}/_snapshot/{repo.lower()}/{snapshot}/_restore"
        async with http.post(url, json=body) as response:
            if response.status != 200:
                assert response.status in (403, 500), await response.text()
                return "refused"
        url = f"{base}/{prefix}{index}/_settings?flat_settings=true"
        async with http.get(url) as response:
            settings = (await response.json())[f"{prefix}{index}"]["settings"]
    return "archive" if "index.version.compatibility" in settings else "restored"


_DOES = {OK: "restored", ARCHIVE: "archive", NO: "refused"}


@in_module_loop
@pytest.mark.parametrize("repo", sorted(FIXTURES))
async def test_without_file_access_bounds_decide_and_never_claim_more(
    sandbox: Sandbox, repo: str
) -> None:
    snapshot, bounds = FIXTURES[repo]
    async with ClusterClient(config(sandbox, "src")) as source:
        facts = await gather_live(source, repo.lower(), snapshot)
    assert facts.origin.endswith("(REST)")
    assert any("not readable from here" in note for note in facts.notes)
    reader = RepositoryReader(require_real_repositories() / repo)  # the truth, for the oracle
    truth = {index.name: index.created for index in reader.indices(snapshot)}
    assert sorted(index.name for index in facts.indices) == sorted(truth)
    for name, (_, _) in TARGETS.items():
        async with ClusterClient(config(sandbox, name)) as client:
            target = await target_from_cluster(client)
        report = facts.check(target)
        for verdict in report.indices:
            assert verdict.created_source is CreatedVersionSource.BOUNDS
            assert verdict.created_label == bounds
            assert verdict.created_basis and "the snapshot was taken by" in verdict.created_basis
            assert verdict.verdict is EXPECTED[repo][name], (name, verdict.reason)
            if verdict.verdict is UNKNOWN:
                assert "may be incompatible" in verdict.reason
                assert_bounds_really_split(verdict.created, target)
                continue
            # definite: the cluster does exactly that to the real index
            done = await restores(sandbox, name, repo, snapshot, verdict.index)
            assert done == _DOES[verdict.verdict], (repo, name, verdict.index, verdict.reason)
            # and the exact created version (unknown to compat here) gives the same answer
            exact = IndexInSnapshot(
                verdict.index,
                created=truth[verdict.index],
                created_source=CreatedVersionSource.REPOSITORY,
            )
            assert check_index(exact, facts.snapshot_version, target).verdict is verdict.verdict


def assert_bounds_really_split(created: VersionRange | None, target: TargetCluster) -> None:
    """An unknown verdict hides a real split: two versions inside the bounds (with or without
    the write block 9.x asks of 7.x indices) that, known exactly, get different verdicts."""
    assert created is not None and created.high is not None
    verdicts = set()
    for version in (created.low, Version(created.low.major + 1, 0, 0), created.high):
        if version > created.high:
            continue
        for block in ("false", "true"):
            index = IndexInSnapshot(
                "probe", created=VersionRange.exactly(version),
                created_source=CreatedVersionSource.REPOSITORY,
                settings={"index.blocks.write": block},
            )
            verdicts.add(check_index(index, None, target).verdict)
    assert len(verdicts) > 1, (created, target.label, verdicts)


@in_module_loop
async def test_source_cluster_settings_count_only_for_the_same_index(sandbox: Sandbox) -> None:
    """The catalogue is readable but the index metadata blobs are lost: ``logs`` still lives on
    the source cluster with the uuid the catalogue records, so its created version comes from
    there; ``metrics`` was since recreated under the same name (another uuid), so its live
    settings say nothing about the snapshot's index and only bounds remain."""
    repo_dir = Path(sandbox.clusters["live"].repositories["backups"])
    for blob in repo_dir.glob("indices/*/meta-*.dat"):
        blob.unlink()  # the sandbox's own temporary repository, not a fixture
    live = sandbox.clusters["live"].cluster
    live.state.indices["metrics"].uuid = "recreatedMetricsUuid00"
    async with ClusterClient(config(sandbox, "live")) as source:
        facts = await gather_live(source, "backups", "nightly-1")
        into_815e = TargetCluster(Version(8, 15, 0), "enterprise")
        into_91 = TargetCluster(Version(9, 1, 0), "basic")
    assert "files at" in facts.origin
    assert sum("metadata unreadable" in note for note in facts.notes) == 2
    assert set(facts.source_cluster_settings) == {"logs"}
    on_815e = {v.index: v for v in facts.check(into_815e).indices}
    logs, metrics = on_815e["logs"], on_815e["metrics"]
    assert logs.created_source is CreatedVersionSource.SOURCE_CLUSTER
    assert logs.created_label == "6.8.5"
    assert logs.verdict is ARCHIVE
    assert metrics.created_source is CreatedVersionSource.BOUNDS
    assert metrics.verdict is UNKNOWN  # created 7.9.0 in truth, but 6.x is not ruled out
    on_91 = {v.index: v.verdict for v in facts.check(into_91).indices}
    # logs: 6.8.5 needs an archive licence; metrics: 6.x (no licence) or 7.x, which 9.x reads
    # read-only if it carried a write block, and nobody can tell without its metadata
    assert on_91 == {"logs": NO, "metrics": UNKNOWN}


@in_module_loop
@pytest.mark.parametrize("name", ["t91", "t91e", "t815", "t815e"])
async def test_a_6x_index_in_a_7x_snapshot_is_decided_per_index(
    sandbox: Sandbox, name: str
) -> None:
    """9.x does not refuse a 7.x snapshot as a whole: its 6.x-created index restores as an
    archive with an enterprise licence, its 7.x-created one fails. compat once refused the
    whole snapshot on 9.x; the sandbox (like Elasticsearch's archive plugin) decides per index."""
    async with ClusterClient(config(sandbox, name)) as client:
        facts = await gather_live(client, "seven", "seven-1")
        report = facts.check(await target_from_cluster(client))
    verdicts = {v.index: v for v in report.indices}
    assert {v.created_source for v in verdicts.values()} == {CreatedVersionSource.REPOSITORY}
    for index, verdict in verdicts.items():
        done = await restores(sandbox, name, "seven", "seven-1", index)
        assert done == _DOES[verdict.verdict], (name, index, verdict.reason)
    licensed = name.endswith("e")
    assert verdicts["legacy-6"].verdict is (ARCHIVE if licensed else NO)
    assert verdicts["app-7"].verdict is (NO if name.startswith("t91") else OK)
