"""Acceptance (issue 5): ``esnap_tui.compat`` agrees with what the sandbox actually does.

Two independent implementations: ``compat`` applies the documented matrix; the sandbox's
restore validation decides the way Elasticsearch does (each dialect's minimum index
compatibility, licence and archive checks) and never imports ``compat``. For every real
fixture repository, every snapshot and every index, restored on its own over real HTTP into
6.8, 7.17, 8.15 and 9.1 (basic and enterprise licences on 8.15/9.1), the verdict compat gives
must be what the cluster does:

* COMPATIBLE        <-> 200, and the index is created as a normal index;
* READ_ONLY_ARCHIVE <-> 200, and the index carries ``index.version.compatibility`` and a write
                        block (8.3+ with an enterprise licence), or, on 9.x, a 7.x index
                        restored as it is with its write block (read-only N-2);
* INCOMPATIBLE      <-> refused: the 403 archive-licence error (compat then advises an
                        enterprise licence), or the 500 version error.

Fixture snapshots were taken by 6.8.23/6.8.24, so the 6.8 target is 6.8.24 (else the 6.8
snapshots would only ever say "newer than this node"); the sandbox's own 6.8.23 dialect covers
"snapshot newer than the cluster" once. The fixture folders are registered ``readonly`` and
checked unchanged afterwards.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

import esnap_tui.sandbox
from esnap_tui.cluster import ClusterClient
from esnap_tui.compat import IndexVerdict, TargetCluster, Verdict
from esnap_tui.compat.gather import SnapshotFacts, gather_live, target_from_cluster
from esnap_tui.config import ClusterConfig
from esnap_tui.models import CreatedVersionSource
from esnap_tui.repository import RepositoryReader
from esnap_tui.sandbox.dialects import get_dialect
from esnap_tui.sandbox.server import ClusterServer
from esnap_tui.sandbox.state import FixedClock, IdGenerator, License, SimCluster
from esnap_tui.versions import Version, decode_version_id, index_version_id_for
from tests.conftest import REAL_REPOS, require_real_repositories

in_module_loop = pytest.mark.asyncio(loop_scope="module")

ES_6_8_24 = dataclasses.replace(
    get_dialect("es-6.8"),
    name="es-6.8.24",
    version=Version(6, 8, 24),
    number="6.8.24",
    index_version_id=index_version_id_for(Version(6, 8, 24)),
)

# target name -> (dialect, licence type)
TARGETS: dict[str, tuple[Any, str]] = {
    "es6824": (ES_6_8_24, "basic"),
    "es6823": (get_dialect("es-6.8"), "basic"),  # older than ES_6_8_Single's 6.8.24
    "es717": (get_dialect("es-7.17"), "basic"),
    "es815": (get_dialect("es-8.15"), "basic"),
    "es815e": (get_dialect("es-8.15"), "enterprise"),
    "es91": (get_dialect("es-9.1"), "basic"),
    "es91e": (get_dialect("es-9.1"), "enterprise"),
}


# What the reference (es-rest-api.md §6.2, repository-format.md §4.5) says each restore does, so
# that two implementations agreeing on a wrong answer still fail. R: restored as a normal index,
# A: archive index, L: refused for the licence (403), V: refused for the version (500).
_OLD = {"es717": "V", "es815": "L", "es815e": "A", "es91": "L", "es91e": "A"}
_SIX = {"es717": "R", "es815": "L", "es815e": "A", "es91": "L", "es91e": "A"}
_SEVEN = {"es6824": "V", "es6823": "V", "es717": "R", "es815": "R", "es815e": "R", "es91": "V",
          "es91e": "V"}
REFERENCE = {
    "ES_5_6_Updates_Deletes": {"es6824": "R", "es6823": "R", **_OLD},
    "ES_6_8_Single": {"es6824": "R", "es6823": "V", **_SIX},  # taken by 6.8.24
    "ES_6_8_Updates_Deletes_Merged": {"es6824": "R", "es6823": "R", **_OLD},  # created in 5.6
    "ES_6_8_Updates_Deletes_Native": {"es6824": "R", "es6823": "R", **_SIX},
    "ES_7_10_BWC_Check": _SEVEN,
    "ES_7_10_Double": _SEVEN,
    "ES_7_10_Single": _SEVEN,
    "ES_7_10_Updates_Deletes_w_Soft": _SEVEN,
    "ES_7_10_Updates_Deletes_wo_Soft": _SEVEN,
}
_KINDS = {"restored": "R", "archive": "A", "read-only": "O", "licence": "L", "version": "V"}

def fixture_repositories() -> list[str]:
    if not REAL_REPOS.is_dir():
        return ["(fixtures absent)"]  # the test then skips (or fails under ESNAP_REQUIRE_FIXTURES)
    return sorted(path.name for path in REAL_REPOS.iterdir() if (path / "index.latest").is_file())


def fingerprint(root: Path) -> str:
    """Names, sizes and contents of every file: proves the fixtures were not written to."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclasses.dataclass
class Target:
    name: str
    server: ClusterServer
    cluster: SimCluster

    @property
    def config(self) -> ClusterConfig:
        return ClusterConfig(name=self.name, urls=[self.server.url])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def targets() -> AsyncIterator[dict[str, Target]]:
    """One simulated cluster per target, each with every fixture repository registered
    readonly (fs locations straight at the shared fixtures)."""
    real = require_real_repositories()
    before = fingerprint(real)
    locations = {repo.lower(): real / repo for repo in fixture_repositories()}
    async with running_targets(real, locations) as started:
        yield started
    assert fingerprint(real) == before, "a fixture repository was written to"


@contextlib.asynccontextmanager
async def running_targets(
    root: Path, locations: dict[str, Path]
) -> AsyncIterator[dict[str, Target]]:
    """Every TARGETS cluster started with ``root`` as its path.repo and these repositories
    (name -> folder) registered readonly; stopped again on the way out."""
    started: dict[str, Target] = {}
    try:
        async with aiohttp.ClientSession() as http:
            for seed, (name, (dialect, licence)) in enumerate(TARGETS.items()):
                cluster = SimCluster(name, dialect, clock=FixedClock(), ids=IdGenerator(seed))
                cluster.state.license = License(type=licence)
                cluster.repo_roots.append(root)  # path.repo
                server = ClusterServer(cluster)
                await server.start()
                started[name] = Target(name, server, cluster)
                for repo, location in locations.items():
                    settings = {"location": str(location), "readonly": True}
                    body = {"type": "fs", "settings": settings}
                    async with http.put(f"{server.url}/_snapshot/{repo}", json=body) as r:
                        assert r.status == 200, await r.text()
        yield started
    finally:
        for target in started.values():
            await target.server.stop()


_renames = itertools.count(1)


async def sandbox_verdict(target: Target, repo: str, snapshot: str, index: str) -> tuple[str, str]:
    """Restore one index over HTTP; what the cluster did, as (verdict, how) for comparison."""
    prefix = f"r{next(_renames)}-"
    body = {
        "indices": [index],
        "include_global_state": False,
        "rename_pattern": "(.+)",
        "rename_replacement": f"{prefix}$1",
    }
    url = f"{target.server.url}/_snapshot/{repo.lower()}/{snapshot}/_restore"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=body) as response:
            status, answer = response.status, await response.json()
        if status == 200:
            assert answer == {"accepted": True}
            settings_url = f"{target.server.url}/{prefix}{index}/_settings?flat_settings=true"
            async with http.get(settings_url) as response:
                assert response.status == 200
                settings = (await response.json())[f"{prefix}{index}"]["settings"]
            if "index.version.compatibility" in settings:
                assert settings["index.blocks.write"] == "true"
                return Verdict.READ_ONLY_ARCHIVE, "archive"
            created = decode_version_id(settings["index.version.created"]).low
            if created.major <= target.cluster.dialect.version.major - 2:  # N-2, 9.x only
                assert settings["index.blocks.write"] == "true"
                return Verdict.READ_ONLY_ARCHIVE, "read-only"
            return Verdict.COMPATIBLE, "restored"
    error = answer["error"]
    reason = error["reason"] + " " + str(error.get("caused_by", ""))
    if status == 403 and error["type"] == "security_exception":
        assert "non-compliant for [archive]" in reason
        return Verdict.INCOMPATIBLE, "licence"
    version_errors = (
        "cannot be upgraded",
        "below the current versions minimum index compatibility",
        "higher than the version of this node",
    )
    if status == 500 and any(words in reason for words in version_errors):
        return Verdict.INCOMPATIBLE, "version"
    raise AssertionError(f"unexpected answer from {target.name}: {status} {answer}")


def compat_how(verdict: Verdict, advice_steps: tuple[str, ...], reason: str) -> str:
    """The same classification from compat's words: refused for the licence, or the version."""
    if verdict is Verdict.COMPATIBLE:
        return "restored"
    if verdict is Verdict.READ_ONLY_ARCHIVE:
        return "read-only" if "(N-2)" in reason else "archive"
    if "enterprise licence" in reason or any("enterprise licence" in s for s in advice_steps):
        return "licence"
    return "version"


async def agreed_kind(verdict: IndexVerdict, target: Target, repo: str, snapshot: str) -> str:
    """Restore the index on the target; assert compat said what the sandbox did; its letter."""
    steps = verdict.advice.steps if verdict.advice else ()
    said = (verdict.verdict, compat_how(verdict.verdict, steps, verdict.reason))
    done = await sandbox_verdict(target, repo, snapshot, verdict.index)
    assert said == done, (
        f"{repo}/{snapshot}/{verdict.index} on {target.name}: compat says "
        f"{said} ({verdict.reason}); the sandbox did {done}"
    )
    return _KINDS[done[1]]


@in_module_loop
@pytest.mark.parametrize("repo", fixture_repositories())
async def test_compat_verdicts_match_real_restores(
    targets: dict[str, Target], repo: str
) -> None:
    outcomes: dict[str, set[str]] = {}
    reader = RepositoryReader(require_real_repositories() / repo)
    for target in targets.values():
        async with ClusterClient(target.config) as client:
            into = await target_from_cluster(client)
            assert into.license == TARGETS[target.name][1]  # read over HTTP, not assumed
            for summary in reader.snapshots():
                facts: SnapshotFacts = await gather_live(client, repo.lower(), summary.name)
                assert "files at" in facts.origin  # fs location readable here: exact versions
                report = facts.check(into)
                assert [v.index for v in report.indices] == sorted(
                    i.name for i in reader.indices(summary.name)
                )
                for verdict in report.indices:
                    assert verdict.created_source is CreatedVersionSource.REPOSITORY
                    kind = await agreed_kind(verdict, target, repo, summary.name)
                    outcomes.setdefault(target.name, set()).add(kind)
    assert {name: "".join(sorted(kinds)) for name, kinds in outcomes.items()} == REFERENCE[repo]


@in_module_loop
async def test_a_snapshot_newer_than_the_cluster_is_refused_by_both(
    targets: dict[str, Target],
) -> None:
    """ES_6_8_Single was taken by 6.8.24: a 6.8.23 cluster refuses it, a 6.8.24 one takes it."""
    verdicts = {}
    for name in ("es6823", "es6824"):
        async with ClusterClient(targets[name].config) as client:
            facts = await gather_live(client, "es_6_8_single", "global_state_snapshot")
            verdicts[name] = facts.check(await target_from_cluster(client))
    old, new = verdicts["es6823"], verdicts["es6824"]
    assert old.snapshot.verdict is Verdict.INCOMPATIBLE
    assert "cannot restore a snapshot taken by a newer version" in old.snapshot.reason
    assert {v.verdict for v in old.indices} == {Verdict.INCOMPATIBLE}
    assert new.all_compatible
    done = await sandbox_verdict(
        targets["es6823"], "ES_6_8_Single", "global_state_snapshot", "posts_2023_02_25"
    )
    assert done == (Verdict.INCOMPATIBLE, "version")


# -- repositories built by the writer: 8.11+ ids and 9.x's read-only N-2 ----------------------

_BLOCKED = {"index.blocks.write": "true"}
_V7, _V6 = Version(7, 17, 18).legacy_id, Version(6, 8, 23).legacy_id


def _written_index(name: str, created: int, settings: dict[str, str] | None = None) -> Any:
    from esnap_tui.repository.writer import IndexToWrite

    uuid = (name.replace("-", "") + "u" * 22)[:22]
    return IndexToWrite(name, uuid, created, settings=dict(settings or {}))


def build_written_repositories(root: Path) -> None:
    """7.17, 8.15, 9.1.0 and 9.1.9 snapshots, as those releases write them."""
    from esnap_tui.repository import RepositoryWriter
    from esnap_tui.repository.writer import SnapshotToWrite

    def snapshot(name: str, indices: list[Any], version: Version | None = None) -> Any:
        uuid = (name + "snapshotuuid" + "0" * 22)[:22]
        return SnapshotToWrite(name, uuid, version, indices=indices)

    RepositoryWriter(root / "w717", "7.17").add_snapshot(
        snapshot(
            "s717",
            [
                _written_index("app7-blocked", _V7, _BLOCKED),
                _written_index("app7", _V7),
                _written_index("old6-blocked", _V6, _BLOCKED),  # 6.x: archive, block or not
            ],
        )
    )
    RepositoryWriter(root / "w815", "8.15").add_snapshot(
        snapshot("s815", [_written_index("v815", 8_512_000), _written_index("v811", 8_500_003)])
    )
    nine = RepositoryWriter(root / "w91", "9.1")  # 9.1.0 writes 9033000, as 9.1.5 does
    nine.add_snapshot(
        snapshot("s910", [_written_index("v91", 9_033_000), _written_index("v815", 8_512_000)])
    )
    nine.add_snapshot(snapshot("s919", [_written_index("v919", 9_033_001)], Version(9, 1, 9)))


# What the reference says (es-rest-api.md §4.3, §6.2; IndexVersion ids compared as ids),
# with O: restored read-only as a 7.x (N-2) index on 9.x.
_NEWER = {"es6824": "V", "es6823": "V"}
WRITTEN_REFERENCE = {
    "w717": {**_NEWER, "es717": "R", "es815": "LR", "es815e": "AR", "es91": "LOV",
             "es91e": "AOV"},
    "w815": {**_NEWER, "es717": "V", "es815": "R", "es815e": "R", "es91": "R", "es91e": "R"},
    "w91": {**_NEWER, "es717": "V", "es815": "V", "es815e": "V", "es91": "RV", "es91e": "RV"},
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def written_targets(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, Target]]:
    """Every target, with the writer-built repositories registered readonly."""
    root = tmp_path_factory.mktemp("written")
    build_written_repositories(root)
    async with running_targets(root, {repo: root / repo for repo in WRITTEN_REFERENCE}) as started:
        yield started


@in_module_loop
@pytest.mark.parametrize("repo", sorted(WRITTEN_REFERENCE))
async def test_compat_agrees_on_writer_built_repositories(
    written_targets: dict[str, Target], repo: str
) -> None:
    """9.1-written snapshots into 9.1.5 (same IndexVersion id), a 9.1.9 one (newer id), 8.11
    and 8.15 ids, and 7.x indices with and without a write block on 9.x."""
    root = Path(written_targets["es91"].cluster.repo_roots[-1])
    reader = RepositoryReader(root / repo)
    outcomes: dict[str, set[str]] = {}
    for target in written_targets.values():
        async with ClusterClient(target.config) as client:
            into = await target_from_cluster(client)
            for summary in reader.snapshots():
                facts = await gather_live(client, repo, summary.name)
                assert "files at" in facts.origin
                for verdict in facts.check(into).indices:
                    kind = await agreed_kind(verdict, target, repo, summary.name)
                    outcomes.setdefault(target.name, set()).add(kind)
    assert {name: "".join(sorted(kinds)) for name, kinds in outcomes.items()} == (
        WRITTEN_REFERENCE[repo]
    )


def test_the_reference_table_covers_every_fixture_and_every_kind() -> None:
    if REAL_REPOS.is_dir():
        assert set(REFERENCE) == set(fixture_repositories())
    assert {kind for row in REFERENCE.values() for kind in row.values()} == set("RALV")
    assert all(set(row) == set(TARGETS) for row in REFERENCE.values())


def _imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_sandbox_never_imports_compat() -> None:
    """Independence is the point: the sandbox decides without the engine it checks."""
    package = Path(esnap_tui.sandbox.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert sources
    for path in sources:
        imported = _imported_modules(path.read_text(encoding="utf-8"))
        leaks = {name for name in imported if name.startswith("esnap_tui.compat")}
        leaks |= {name for name in imported if name == "esnap_tui" or name.endswith(".compat")}
        assert not leaks, f"{path.name} imports {leaks}"


def test_targets_are_what_they_claim() -> None:
    """Guard against a silently wrong matrix: the dialects are the versions named above."""
    assert ES_6_8_24.version == Version(6, 8, 24)
    assert get_dialect("es-6.8").version < ES_6_8_24.version
    assert {d.version.major for d, _ in TARGETS.values()} == {6, 7, 8, 9}
    assert TargetCluster(ES_6_8_24.version).label == "6.8.24"
