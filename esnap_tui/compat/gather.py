"""Gather what the compatibility engine needs, from a live source or a repository folder.

The engine (``check``) is pure; this module does the I/O around it. Each index's created
version comes from the most trusted place available, and the report says which:

1. the repository's own index metadata, read from disk (exact) — a repository folder given
   offline, or a live cluster's ``fs`` repository whose files this machine can read
   (``esnap_tui.cluster.local``);
2. the live source cluster's settings of an index with the same name *and* uuid. The REST API
   never reports the uuid of an index inside a snapshot, so this is possible only where the
   repository's catalogue is readable but an index's metadata blob is not (the catalogue's
   ``index_metadata_identifiers`` carry the uuid);
3. otherwise the bounds ``prove_bounds`` derives from the snapshot version and the source
   cluster's minimum index compatibility — never more than they prove.

The target is a live cluster (version and licence read from it) or a typed-in version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from esnap_tui.compat.check import check_snapshot_indices
from esnap_tui.compat.estimate import Rates
from esnap_tui.compat.model import CompatReport, TargetCluster
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot, SnapshotDetail
from esnap_tui.versions import Product, Version, VersionRange

if TYPE_CHECKING:
    from esnap_tui.cluster.client import ClusterClient
    from esnap_tui.repository.reader import RepositoryReader

_OPENSEARCH_PREFIXES = ("opensearch-", "opensearch:", "opensearch ", "os-", "os:")
_ELASTICSEARCH_PREFIXES = ("elasticsearch-", "elasticsearch:", "elasticsearch ", "es-", "es:")


class GatherError(Exception):
    """The source or target cannot be read; ``str()`` is one line a user can act on."""


@dataclass
class SnapshotFacts:
    """Everything known about one snapshot's indices, and where it was learnt."""

    snapshot: str
    origin: str  # e.g. "repository files at /mnt/backups" or "cluster prod, repository r (REST)"
    snapshot_version: VersionRange | None
    indices: list[IndexInSnapshot]
    source_min_index_compat: Version | None = None
    source_cluster_settings: dict[str, dict[str, str]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    docs_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # why a less trusted source was used

    def check(self, target: TargetCluster, *, rates: Rates | None = None) -> CompatReport:
        """Run the engine on these facts against ``target``."""
        return check_snapshot_indices(
            self.snapshot_version,
            self.indices,
            target,
            source_min_index_compat=self.source_min_index_compat,
            source_cluster_settings=self.source_cluster_settings,
            sizes=self.sizes,
            docs_counts=self.docs_counts,
            rates=rates,
        )


# -- targets -----------------------------------------------------------------------------------


def parse_target_version(text: str) -> Version:
    """ "8.15.0" is Elasticsearch; "opensearch-2.11.0" (or "os:2.11.0") is OpenSearch.

    Raises ValueError for anything else."""
    lowered = text.strip().lower()
    for prefix in _OPENSEARCH_PREFIXES:
        if lowered.startswith(prefix):
            return Version.parse(lowered.removeprefix(prefix).strip(), Product.OPENSEARCH)
    for prefix in _ELASTICSEARCH_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered.removeprefix(prefix).strip()
            break
    return Version.parse(lowered)


def target_from_version(
    text: str, license: str | None = None, *, name: str | None = None
) -> TargetCluster:
    """A cluster that may not exist yet, from a typed version (ValueError when unreadable)."""
    return TargetCluster(parse_target_version(text), license, name)


async def target_from_cluster(client: ClusterClient) -> TargetCluster:
    """A live target: its version from ``GET /`` and its licence (None when unreadable).

    An inactive licence is passed as e.g. "enterprise (expired)", which unlocks nothing.
    Raises ``ClusterUnavailable`` when the cluster cannot be reached.
    """
    info = await client.connect()
    licence = await client.license()
    return TargetCluster(
        info.version, licence.effective if licence is not None else None, client.config.name
    )


# -- sources -----------------------------------------------------------------------------------


def gather_offline(path: str | Path, snapshot: str) -> SnapshotFacts:
    """Facts from a repository folder (every readable index's created version is exact)."""
    from esnap_tui.repository import RepositoryError, RepositoryReader

    try:
        reader = RepositoryReader(path)
        facts = _from_reader(reader, snapshot, f"repository files at {path}")
    except (RepositoryError, OSError) as problem:
        raise GatherError(f"cannot read repository {path}: {problem}") from None
    if facts is None:
        raise GatherError(f"snapshot {snapshot!r} not found in repository {path}")
    return facts


async def gather_live(
    client: ClusterClient,
    repository: str,
    snapshot: str,
    *,
    use_local_files: bool = True,
) -> SnapshotFacts:
    """Facts about ``snapshot`` in ``repository`` of the live source cluster ``client``.

    Reads the repository's files when this machine can (``use_local_files``), else the REST
    API; then fills created versions from the source cluster's live indices (same name and
    uuid) and gives the engine the source cluster's minimum index compatibility for bounds.
    Raises ``ClusterUnavailable`` when the cluster cannot be reached and ``GatherError`` when
    the repository or snapshot does not exist there.
    """
    from esnap_tui.cluster import local_repository_path
    from esnap_tui.cluster.models import HttpError
    from esnap_tui.repository import RepositoryError, RepositoryReader

    info = await client.connect()
    repos = {repo.name: repo for repo in await client.repositories()}
    repo = repos.get(repository)
    if repo is None:
        known = ", ".join(sorted(repos)) or "none"
        raise GatherError(
            f"repository {repository!r} is not registered on cluster {client.name} "
            f"(registered: {known})"
        )
    where = f"cluster {client.name}, repository {repository}"
    facts: SnapshotFacts | None = None
    notes: list[str] = []
    path = local_repository_path(repo, client.config) if use_local_files else None
    if path is not None:
        try:
            facts = _from_reader(
                RepositoryReader(path, name=repository), snapshot, f"{where} (files at {path})"
            )
        except (RepositoryError, OSError) as problem:
            notes.append(f"the repository files at {path} could not be read ({problem})")
        if facts is None and not notes:
            notes.append(f"the repository files at {path} do not hold snapshot {snapshot!r} yet")
    elif not use_local_files:
        notes.append("the repository's files were not read (asked not to)")
    else:
        notes.append(
            "the repository's files are not readable from here, so created versions come from "
            "the source cluster or from bounds (map the repository to a local folder in the "
            "config for exact versions)"
        )
    if facts is None:
        try:
            detail = await client.snapshot(repository, snapshot)
        except HttpError as error:
            if error.status == 404:
                raise GatherError(f"snapshot {snapshot!r} not found in {where}") from None
            raise
        facts = _from_rest(detail, f"{where} (REST)")
    facts.notes[:0] = notes
    facts.source_min_index_compat = info.minimum_index_compatibility
    facts.source_cluster_settings = await _live_settings(client, facts.indices)
    return facts


def _from_reader(reader: RepositoryReader, snapshot: str, origin: str) -> SnapshotFacts | None:
    """Facts from the repository's own blobs; None when the snapshot is not in it.

    An index whose metadata blob cannot be read keeps its catalogue identity (id, and uuid
    where the catalogue records it) with no created version, and a note says so.
    """
    from esnap_tui.repository import RepositoryError
    from esnap_tui.repository.reader import uuid_from_identifier

    entry = reader.catalogue.snapshot_named(snapshot)
    if entry is None:
        return None
    detail = reader.snapshot(snapshot)
    indices: list[IndexInSnapshot] = []
    notes: list[str] = []
    for held in sorted(reader.catalogue.indices_of(entry.uuid), key=lambda index: index.name):
        try:
            indices.append(reader.index(snapshot, held.name))
        except RepositoryError as problem:
            uuid = uuid_from_identifier(reader.catalogue.index_identifier(entry, held))
            indices.append(IndexInSnapshot(name=held.name, index_id=held.id, uuid=uuid))
            notes.append(f"index {held.name}: metadata unreadable ({problem})")
    facts = _facts(detail, indices, origin)
    facts.notes.extend(notes)
    return facts


def _from_rest(detail: SnapshotDetail, origin: str) -> SnapshotFacts:
    """Facts from the snapshot API: index names only (no uuid, no created version)."""
    indices = [IndexInSnapshot(name=name) for name in detail.indices]
    return _facts(detail, indices, origin)


def _facts(detail: SnapshotDetail, indices: list[IndexInSnapshot], origin: str) -> SnapshotFacts:
    sizes = {
        name: details.size_in_bytes
        for name, details in detail.index_details.items()
        if details.size_in_bytes is not None
    }
    return SnapshotFacts(
        snapshot=detail.name,
        origin=origin,
        snapshot_version=detail.version,
        indices=indices,
        sizes=sizes,
    )


async def _live_settings(
    client: ClusterClient, indices: list[IndexInSnapshot]
) -> dict[str, dict[str, str]]:
    """Live settings of the source cluster's indices that *are* indices of the snapshot
    (same name and uuid), for those whose created version the repository did not give."""
    wanted: Mapping[str, str] = {
        index.name: index.uuid
        for index in indices
        if index.uuid and index.created_source is not CreatedVersionSource.REPOSITORY
    }
    if not wanted:
        return {}
    live = {index.name: index.uuid for index in await client.indices()}
    settings: dict[str, dict[str, str]] = {}
    for name, uuid in wanted.items():
        if live.get(name) == uuid:
            settings[name] = await client.index_settings(name)
    return settings
