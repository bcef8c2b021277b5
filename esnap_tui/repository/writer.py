"""Write snapshot repositories in the on-disk format of a chosen Elasticsearch/OpenSearch version.

The sandbox serves snapshots from real repository directories and tests need 8.x/9.x and
OpenSearch repositories that no public fixture provides, so this writes what those versions
write: the ``index-N`` catalogue in that version's dialect, SMILE blobs in the checksummed
envelope (deflated by default from 8.0), deduplicated index-metadata blobs, global metadata and
minimal shard-level blobs (no segment data). Identifiers are derived from content so the same
input gives the same bytes.

Appending to a repository another dialect wrote keeps everything already there: repository-
level features only ever grow (a 6.8 writer in a 7.17 repository keeps ``uuid``,
``index_metadata_identifiers``...); each new snapshot entry is written as the chosen version
would write it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esnap_tui.models import FeatureState, ShardFailure, SnapshotState
from esnap_tui.repository.catalogue import (
    CatalogueIndex,
    CatalogueSnapshot,
    RepositoryCatalogue,
    parse_catalogue,
)
from esnap_tui.repository.envelope import write_blob
from esnap_tui.repository.reader import LATEST_BLOB, SnapshotNotFoundError, find_generation
from esnap_tui.repository.storage import BlobStore, list_dirs, open_store
from esnap_tui.versions import Product, Version, index_version_id_for

# The release each named dialect stands for (a real patch release of that line).
DIALECTS: dict[str, Version] = {
    "6.8": Version(6, 8, 23),
    "7.10": Version(7, 10, 2),
    "7.17": Version(7, 17, 18),
    "8.9": Version(8, 9, 2),
    "8.15": Version(8, 15, 3),
    "9.1": Version(9, 1, 0),
    "opensearch-1.3": Version(1, 3, 20, product=Product.OPENSEARCH),
    "opensearch-2.11": Version(2, 11, 1, product=Product.OPENSEARCH),
}

_MARKER_8_11 = "8.11.0"  # written as ``version`` beside ``index_version`` from 8.11 on


@dataclass(frozen=True)
class Dialect:
    """What a given release writes, as feature switches (see repository-format.md §1.3)."""

    version: Version

    @classmethod
    def of(cls, dialect: str | Version) -> Dialect:
        if isinstance(dialect, Version):
            return cls(dialect)
        key = dialect.strip().lower()
        if key in DIALECTS:
            return cls(DIALECTS[key])
        if key.startswith("opensearch-"):
            return cls(Version.parse(key.removeprefix("opensearch-"), Product.OPENSEARCH))
        try:
            return cls(Version.parse(key))
        except ValueError:
            names = ", ".join(DIALECTS)
            raise ValueError(f"unknown dialect {dialect!r} (known: {names})") from None

    @property
    def opensearch(self) -> bool:
        return self.version.product is Product.OPENSEARCH

    def _es_at_least(self, major: int, minor: int, revision: int = 0) -> bool:
        v = self.version
        return not self.opensearch and (v.major, v.minor, v.revision) >= (major, minor, revision)

    @property
    def name(self) -> str:
        v = self.version
        return f"opensearch-{v}" if self.opensearch else str(v)

    @property
    def catalogue_version(self) -> bool:  # snapshots[].version, shard_generations (7.6)
        return self.opensearch or self._es_at_least(7, 6)

    @property
    def index_generations(self) -> bool:  # index_metadata_lookup / identifiers (7.9)
        return self.opensearch or self._es_at_least(7, 9)

    @property
    def repository_uuids(self) -> bool:  # top-level uuid / cluster_id (7.12, not OpenSearch)
        return self._es_at_least(7, 12)

    @property
    def catalogue_times(self) -> bool:  # start/end_time_millis (7.14)
        return self._es_at_least(7, 14)

    @property
    def index_version_field(self) -> bool:  # "8.11.0" marker + index_version (8.11)
        return self._es_at_least(8, 11)

    @property
    def numeric_version(self) -> bool:  # 8.10.0-8.10.3 wrote the IndexVersion id as a number
        return self._es_at_least(8, 10) and not self._es_at_least(8, 10, 4)

    @property
    def slm_policy(self) -> bool:
        return self._es_at_least(8, 11)

    @property
    def min_version(self) -> str | None:
        if self._es_at_least(7, 12):
            return "7.12.0"
        if self.index_generations:
            return "7.9.0"
        if self.catalogue_version:
            return "7.6.0"
        return None

    @property
    def compress_default(self) -> bool:
        return self._es_at_least(8, 0)

    @property
    def snapshot_version_id(self) -> int:
        """``version_id`` in SnapshotInfo: a release id, an IndexVersion id from 8.11."""
        return self.version_id_for(self.version)

    def version_id_for(self, version: Version) -> int:
        if version.product is Product.ELASTICSEARCH and (version.major, version.minor) >= (8, 11):
            return index_version_id_for(version)
        return version.legacy_id

    # SnapshotInfo / IndexMetadata keys by version
    @property
    def data_streams(self) -> bool:
        return self.opensearch or self._es_at_least(7, 9)

    @property
    def user_metadata(self) -> bool:
        return self.opensearch or self._es_at_least(7, 3)

    @property
    def feature_states(self) -> bool:
        return self._es_at_least(7, 12)

    @property
    def index_details(self) -> bool:
        return self._es_at_least(7, 13)

    @property
    def aliases_version(self) -> bool:
        return self.opensearch or self._es_at_least(7, 2)

    @property
    def system_flag(self) -> bool:
        return self.opensearch or self._es_at_least(7, 10)

    @property
    def tier_preference(self) -> bool:
        return self._es_at_least(7, 10)


@dataclass
class IndexToWrite:
    """One index as it should appear in a snapshot."""

    name: str
    uuid: str
    created_version_id: int  # index.version.created (see versions.index_version_id_for)
    primary_shards: int = 1
    replicas: int = 1
    state: str = "open"  # "open" | "close"
    aliases: list[str] = field(default_factory=list)
    data_stream: str | None = None
    system: bool = False
    settings: dict[str, str] = field(default_factory=dict)  # extra flat index.* settings
    mappings: dict[str, Any] = field(default_factory=dict)
    size_in_bytes: int = 0
    docs_count: int = 0
    # Parts of the metadata identifier: bump them when the index's metadata changed between
    # snapshots, so the repository stores a new blob instead of reusing the old one.
    settings_version: int = 1
    mapping_version: int = 1
    aliases_version: int = 1
    history_uuid: str | None = None
    creation_date_ms: int | None = None


@dataclass
class SnapshotToWrite:
    """One snapshot: its catalogue entry, SnapshotInfo and the indices in it."""

    name: str
    uuid: str
    version: Version | None = None  # the writing cluster; None = the writer's dialect
    state: SnapshotState = SnapshotState.SUCCESS
    start_time_ms: int = 0
    end_time_ms: int = 0
    indices: list[IndexToWrite] = field(default_factory=list)
    data_streams: list[str] = field(default_factory=list)
    feature_states: list[FeatureState] = field(default_factory=list)
    include_global_state: bool = True
    metadata: dict[str, Any] | None = None  # user metadata; SLM puts "policy" here
    failures: list[ShardFailure] = field(default_factory=list)
    reason: str | None = None
    global_metadata: dict[str, Any] | None = None  # merged into the root meta-<uuid>.dat


class DuplicateSnapshotError(ValueError):
    """A snapshot with that name (or uuid) is already in the repository."""


class RepositoryWriter:
    """Appends snapshots to (and deletes them from) a repository, in one version's dialect."""

    def __init__(
        self,
        source: BlobStore | str | Path,
        dialect: str | Version,
        *,
        compress: bool | None = None,
        shard_blobs: bool = True,
        repository_uuid: str | None = None,
        cluster_id: str | None = None,
    ) -> None:
        self.store = open_store(source)
        self.dialect = Dialect.of(dialect)
        self.compress = self.dialect.compress_default if compress is None else compress
        self.shard_blobs = shard_blobs  # False: skip indices/<id>/<n>/snap-*.dat (big benches)
        self.repository_uuid = repository_uuid
        self.cluster_id = cluster_id

    # -- public operations -------------------------------------------------------------------

    def add_snapshot(self, snapshot: SnapshotToWrite) -> None:
        """Write one snapshot's blobs and a new catalogue generation."""
        self.add_snapshots([snapshot])

    def add_snapshots(self, snapshots: Iterable[SnapshotToWrite]) -> None:
        """Write many snapshots with ONE new catalogue generation (an SLM backlog, a bench)."""
        catalogue = self._load()
        names = {s.name for s in catalogue.snapshots}
        uuids = {s.uuid for s in catalogue.snapshots}
        written = 0
        for snapshot in snapshots:
            if snapshot.name in names or snapshot.uuid in uuids:
                raise DuplicateSnapshotError(
                    f"snapshot '{snapshot.name}' ({snapshot.uuid}) is already in the repository"
                )
            names.add(snapshot.name)
            uuids.add(snapshot.uuid)
            self._add(catalogue, snapshot)
            written += 1
        if written:
            self._commit(catalogue)

    def delete_snapshot(self, name: str) -> None:
        """Remove a snapshot (new catalogue generation), then the blobs nothing references."""
        catalogue = self._load()
        entry = catalogue.snapshot_named(name)
        if entry is None:
            raise SnapshotNotFoundError(
                self.store.describe(f"index-{catalogue.generation}"), f"no snapshot named '{name}'"
            )
        doomed: list[str] = [f"snap-{entry.uuid}.dat", f"meta-{entry.uuid}.dat"]
        held = catalogue.indices_of(entry.uuid)
        catalogue.snapshots = [s for s in catalogue.snapshots if s.uuid != entry.uuid]
        still_used = {
            identifier
            for s in catalogue.snapshots
            if s.index_metadata_lookup
            for identifier in s.index_metadata_lookup.values()
        }
        for index in held:
            blob_id = catalogue.metadata_blob_id(entry, index)
            identifier = catalogue.index_identifier(entry, index)
            if identifier is None or identifier not in still_used:
                doomed.append(f"indices/{index.id}/meta-{blob_id}.dat")
                if identifier is not None and catalogue.index_metadata_identifiers:
                    catalogue.index_metadata_identifiers.pop(identifier, None)
            index.snapshots = [u for u in index.snapshots if u != entry.uuid]
            if not index.snapshots:
                del catalogue.indices[index.name]
                doomed.extend(self._all_blobs(f"indices/{index.id}"))
            else:
                for shard in self._shard_dirs(index):
                    doomed.append(f"indices/{index.id}/{shard}/snap-{entry.uuid}.dat")
        catalogue.invalidate()
        self._commit(catalogue)
        for blob in dict.fromkeys(doomed):
            self.store.delete(blob)

    # -- catalogue ---------------------------------------------------------------------------

    def _load(self) -> RepositoryCatalogue:
        generation, _ = find_generation(self.store)
        if generation is None:
            return RepositoryCatalogue(generation=-1)
        blob = f"index-{generation}"
        return parse_catalogue(
            self.store.read(blob), path=self.store.describe(blob), generation=generation
        )

    def _commit(self, catalogue: RepositoryCatalogue) -> None:
        dialect = self.dialect
        catalogue.min_version = _max_min_version(catalogue.min_version, dialect.min_version)
        if dialect.repository_uuids:
            if catalogue.uuid is None:
                seed = catalogue.snapshots[0].uuid if catalogue.snapshots else "empty"
                catalogue.uuid = self.repository_uuid or _make_id("repository", seed)
            if catalogue.cluster_id is None or self.cluster_id is not None:
                catalogue.cluster_id = self.cluster_id or _make_id("cluster", catalogue.uuid)
        if dialect.index_generations and catalogue.index_metadata_identifiers is None:
            catalogue.index_metadata_identifiers = {}
        previous = catalogue.generation
        generation = previous + 1
        self.store.write(f"index-{generation}", catalogue.to_json_bytes())
        self.store.write(LATEST_BLOB, generation.to_bytes(8, "big", signed=True))
        # Keep the previous generation (as Elasticsearch leaves it), drop older ones.
        for old in range(max(previous - 20, 0), previous):
            self.store.delete(f"index-{old}")
        catalogue.generation = generation

    # -- one snapshot ------------------------------------------------------------------------

    def _add(self, catalogue: RepositoryCatalogue, snapshot: SnapshotToWrite) -> None:
        dialect = self.dialect
        version = snapshot.version or dialect.version
        lookup: dict[str, str] | None = {} if dialect.index_generations else None
        identifiers = catalogue.index_metadata_identifiers
        if lookup is not None and identifiers is None:
            identifiers = catalogue.index_metadata_identifiers = {}
        for index in snapshot.indices:
            entry = catalogue.indices.get(index.name)
            if entry is None:
                entry = CatalogueIndex(index.name, _make_id("index", index.name, index.uuid))
                catalogue.indices[index.name] = entry
            entry.snapshots.append(snapshot.uuid)
            if dialect.catalogue_version:
                entry.shard_generations = [
                    _make_id("shard-gen", snapshot.uuid, entry.id, str(n))
                    for n in range(index.primary_shards)
                ]
            body = self._index_metadata(index, snapshot)
            if lookup is not None and identifiers is not None:
                identifier = _identifier(index)
                lookup[entry.id] = identifier
                blob_id = identifiers.get(identifier)
                if blob_id is None:  # same identifier = same metadata: reuse the blob
                    blob_id = identifiers[identifier] = _make_id("meta", identifier, length=20)
                    self._write(f"indices/{entry.id}/meta-{blob_id}.dat", body, "index-metadata")
            else:
                self._write(f"indices/{entry.id}/meta-{snapshot.uuid}.dat", body, "index-metadata")
            if self.shard_blobs:
                self._write_shards(entry, index, snapshot)
        self._write(f"snap-{snapshot.uuid}.dat", self._snapshot_info(snapshot, version), "snapshot")
        self._write(f"meta-{snapshot.uuid}.dat", self._global_metadata(snapshot), "metadata")
        catalogue.snapshots.append(self._entry(snapshot, version, lookup))
        catalogue.invalidate()

    def _entry(
        self, snapshot: SnapshotToWrite, version: Version, lookup: dict[str, str] | None
    ) -> CatalogueSnapshot:
        dialect = self.dialect
        entry = CatalogueSnapshot(snapshot.name, snapshot.uuid, snapshot.state)
        entry.index_metadata_lookup = lookup
        if dialect.index_version_field:
            entry.version = _MARKER_8_11
            entry.index_version = dialect.version_id_for(version)
        elif dialect.numeric_version:
            entry.version = version.legacy_id
        elif dialect.catalogue_version:
            entry.version = str(version)
        if dialect.catalogue_times:
            entry.start_time_ms = snapshot.start_time_ms
            entry.end_time_ms = snapshot.end_time_ms
        if dialect.slm_policy:
            policy = (snapshot.metadata or {}).get("policy")
            entry.slm_policy = policy if isinstance(policy, str) else ""
        return entry

    # -- blob bodies -------------------------------------------------------------------------

    def _snapshot_info(self, snapshot: SnapshotToWrite, version: Version) -> dict[str, Any]:
        dialect = self.dialect
        total = sum(i.primary_shards for i in snapshot.indices)
        failed = len({(f.index, f.shard_id) for f in snapshot.failures})
        info: dict[str, Any] = {
            "name": snapshot.name,
            "uuid": snapshot.uuid,
            "version_id": dialect.version_id_for(version),
            "indices": [i.name for i in snapshot.indices],
        }
        if dialect.data_streams:
            info["data_streams"] = list(snapshot.data_streams)
        info["state"] = str(snapshot.state)
        if snapshot.reason is not None:
            info["reason"] = snapshot.reason
        info["include_global_state"] = snapshot.include_global_state
        if dialect.user_metadata:
            info["metadata"] = snapshot.metadata
        info["start_time"] = snapshot.start_time_ms
        info["end_time"] = snapshot.end_time_ms
        info["total_shards"] = total
        info["successful_shards"] = max(total - failed, 0)
        info["failures"] = [_failure(f, snapshot) for f in snapshot.failures]
        if dialect.feature_states:
            info["feature_states"] = [
                {"feature_name": f.feature_name, "indices": list(f.indices)}
                for f in snapshot.feature_states
            ]
        if dialect.index_details:
            info["index_details"] = {
                i.name: {
                    "shard_count": i.primary_shards,
                    "size_in_bytes": i.size_in_bytes,
                    "max_segments_per_shard": 1,
                }
                for i in snapshot.indices
            }
        return {"snapshot": info}

    def _index_metadata(self, index: IndexToWrite, snapshot: SnapshotToWrite) -> dict[str, Any]:
        dialect = self.dialect
        created = index.creation_date_ms
        if created is None:
            created = max(snapshot.start_time_ms - 86_400_000, 0)
        settings: dict[str, str] = {
            "index.creation_date": str(created),
            "index.number_of_replicas": str(index.replicas),
            "index.number_of_shards": str(index.primary_shards),
            "index.provided_name": index.name,
            "index.uuid": index.uuid,
            "index.version.created": str(index.created_version_id),
        }
        if dialect.tier_preference:
            tier = "data_hot" if index.data_stream else "data_content"
            settings["index.routing.allocation.include._tier_preference"] = tier
        if index.data_stream:
            settings["index.hidden"] = "true"
        if index.state == "close":
            settings["index.verified_before_close"] = "true"
        if index.history_uuid:
            settings["index.history.uuid"] = index.history_uuid
        settings.update({k: str(v) for k, v in index.settings.items()})
        body: dict[str, Any] = {"version": 3}
        body["mapping_version"] = index.mapping_version
        body["settings_version"] = index.settings_version
        if dialect.aliases_version:
            body["aliases_version"] = index.aliases_version
        body["routing_num_shards"] = index.primary_shards
        body["state"] = index.state
        body["settings"] = dict(sorted(settings.items()))
        body["mappings"] = [{"_doc": index.mappings}] if index.mappings else []
        body["aliases"] = {alias: {} for alias in index.aliases}
        body["primary_terms"] = [1] * index.primary_shards
        body["in_sync_allocations"] = {str(n): [] for n in range(index.primary_shards)}
        body["rollover_info"] = {}
        if dialect.system_flag:
            body["system"] = index.system
        return {index.name: body}

    def _global_metadata(self, snapshot: SnapshotToWrite) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "version": 1,
            "cluster_uuid": self.cluster_id or "_na_",
            "cluster_uuid_committed": True,
            "templates": {},
        }
        streams: dict[str, dict[str, Any]] = {}
        for name in snapshot.data_streams:
            streams[name] = _data_stream(name)
        for index in snapshot.indices:
            if index.data_stream:
                stream = streams.setdefault(index.data_stream, _data_stream(index.data_stream))
                stream["indices"].append({"index_name": index.name, "index_uuid": index.uuid})
                stream["generation"] = len(stream["indices"])
        if streams and self.dialect.data_streams:
            meta["data_stream"] = {"data_stream": streams, "data_stream_aliases": {}}
        if snapshot.global_metadata:
            meta.update(snapshot.global_metadata)
        return {"meta-data": meta}

    def _write_shards(
        self, entry: CatalogueIndex, index: IndexToWrite, snapshot: SnapshotToWrite
    ) -> None:
        shards = index.primary_shards
        per_shard, extra = divmod(index.size_in_bytes, shards) if shards else (0, 0)
        lucene = _lucene_version(self.dialect.version)
        for n in range(shards):
            size = per_shard + (extra if n == 0 else 0)
            segments = min(size, 512)
            files = [_file(snapshot.uuid, entry.id, n, "segments_2", segments, lucene)]
            if size > segments:
                files.append(_file(snapshot.uuid, entry.id, n, "_0.cfs", size - segments, lucene))
            body = {
                "name": snapshot.name,
                "index_version": 2,
                "start_time": snapshot.start_time_ms,
                "time": max(snapshot.end_time_ms - snapshot.start_time_ms, 0),
                "number_of_files": len(files),
                "total_size": size,
                "files": files,
            }
            self._write(f"indices/{entry.id}/{n}/snap-{snapshot.uuid}.dat", body, "snapshot")

    # -- storage -----------------------------------------------------------------------------

    def _write(self, path: str, value: Any, codec: str) -> None:
        self.store.write(path, write_blob(value, codec, compress=self.compress))

    def _shard_dirs(self, index: CatalogueIndex) -> list[str]:
        dirs = [d for d in list_dirs(self.store, f"indices/{index.id}") if d.isdigit()]
        if dirs:
            return dirs
        return [str(n) for n in range(len(index.shard_generations or []))]

    def _all_blobs(self, prefix: str) -> list[str]:
        out = [f"{prefix}/{name}" for name in self.store.list(prefix)]
        for directory in list_dirs(self.store, prefix):
            out.extend(self._all_blobs(f"{prefix}/{directory}"))
        return out


# -- helpers ---------------------------------------------------------------------------------


def _make_id(*parts: str, length: int = 22) -> str:
    """A stable base64url id like Elasticsearch's random ones (same input -> same id)."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:length]


def _identifier(index: IndexToWrite) -> str:
    history = index.history_uuid or "_na_"
    return (
        f"{index.uuid}-{history}-{index.settings_version}-{index.mapping_version}"
        f"-{index.aliases_version}"
    )


def _max_min_version(current: str | None, wanted: str | None) -> str | None:
    if current is None or wanted is None:
        return current or wanted
    try:
        return current if Version.parse(current) >= Version.parse(wanted) else wanted
    except ValueError:
        return current


def _failure(failure: ShardFailure, snapshot: SnapshotToWrite) -> dict[str, Any]:
    out: dict[str, Any] = {"index": failure.index}
    uuid = next((i.uuid for i in snapshot.indices if i.name == failure.index), None)
    if uuid is not None:
        out["index_uuid"] = uuid
    out["shard_id"] = failure.shard_id if failure.shard_id is not None else 0
    out["reason"] = failure.reason
    if failure.node_id is not None:
        out["node_id"] = failure.node_id
    out["status"] = failure.status or "INTERNAL_SERVER_ERROR"
    return out


def _data_stream(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "timestamp_field": {"name": "@timestamp"},
        "indices": [],
        "generation": 0,
        "hidden": False,
        "replicated": False,
        "system": False,
        "allow_custom_routing": False,
    }


def _lucene_version(version: Version) -> str:
    """The Lucene release a cluster of this version writes segments with (``written_by``)."""
    key = (version.major, version.minor)
    if version.product is Product.OPENSEARCH:
        return "8.10.1" if version.major == 1 else "9.7.0" if version.major == 2 else "10.1.0"
    table = [((7, 0), "7.7.3"), ((7, 10), "8.7.0"), ((7, 17), "8.11.1"), ((8, 0), "9.0.0"),
             ((8, 9), "9.7.0"), ((8, 15), "9.11.1"), ((9, 0), "10.1.0"), ((9, 1), "10.2.1")]
    chosen = "7.7.3"
    for since, lucene in table:
        if key >= since:
            chosen = lucene
    return chosen


def _file(
    snapshot: str, index_id: str, shard: int, physical: str, length: int, lucene: str
) -> dict[str, Any]:
    return {
        "name": "__" + _make_id("file", snapshot, index_id, str(shard), physical),
        "physical_name": physical,
        "length": length,
        "checksum": _make_id("checksum", snapshot, physical, length=7).lower(),
        "part_size": 9223372036854775807,
        "written_by": lucene,
    }
