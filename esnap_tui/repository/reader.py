"""Read a snapshot repository straight from storage, with no cluster.

Listing snapshots touches one blob (the newest ``index-N``). Snapshot info
(``snap-<uuid>.dat``), index metadata (``indices/<id>/meta-<blob>.dat``), global metadata
(``meta-<uuid>.dat``) and shard snapshots (``indices/<id>/<shard>/snap-<uuid>.dat``) are read
only when asked for and cached: blobs are immutable once written and index-metadata blobs are
shared between snapshots, so each is read at most once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esnap_tui.models import (
    CreatedVersionSource,
    FeatureState,
    IndexDetails,
    IndexInSnapshot,
    ShardFailure,
    SnapshotDetail,
    SnapshotState,
    SnapshotSummary,
)
from esnap_tui.repository.catalogue import (
    CatalogueIndex,
    CatalogueSnapshot,
    RepositoryCatalogue,
    parse_catalogue,
)
from esnap_tui.repository.envelope import decode_blob
from esnap_tui.repository.errors import CatalogueError, MissingBlobError, RepositoryError
from esnap_tui.repository.storage import BlobStore, LocalDirectoryStore, open_store
from esnap_tui.versions import Version, VersionRange, decode_version_id

GENERATION_BLOB = re.compile(r"^index-(\d+)$")
LATEST_BLOB = "index.latest"
# Decoded blobs kept (immutable once written): plenty for browsing, bounded for huge repos.
BLOB_CACHE_SIZE = 4096
# Backing indices: .ds-<stream>-<yyyy.MM.dd>-<generation> (7.11+) or .ds-<stream>-<generation>;
# failure-store indices (8.15+) use .fs- the same way.
_BACKING_SUFFIX = re.compile(r"^(?:\d{4}\.\d{2}\.\d{2}-)?\d{6,}$")


@dataclass(frozen=True)
class ShardFile:
    """One Lucene file of a shard snapshot, as ``BlobStoreIndexShardSnapshot`` lists it."""

    name: str  # blob name in the shard directory ("__<id>", or "v__<id>" for virtual blobs)
    physical_name: str  # the Lucene file name ("_0.cfs", "segments_2"); the blob name if absent
    length: int
    checksum: str | None = None
    written_by: str | None = None  # Lucene version


@dataclass(frozen=True)
class ShardSnapshot:
    """A shard's own record of one snapshot (``indices/<id>/<shard>/snap-<uuid>.dat``)."""

    snapshot: str
    index: str
    shard: int
    start_time_ms: int | None
    time_ms: int | None  # how long the shard took to snapshot
    number_of_files: int | None
    total_size: int | None
    files: tuple[ShardFile, ...]


@dataclass(frozen=True)
class _Streams:
    names: tuple[str, ...]  # the snapshot's data_streams list
    backing: dict[str, str]  # index -> stream, from global metadata


class SnapshotNotFoundError(RepositoryError):
    """No snapshot of that name in the current catalogue."""


class IndexNotFoundError(RepositoryError):
    """The snapshot does not hold an index of that name."""


class PreV5RepositoryError(CatalogueError):
    """A repository written by Elasticsearch 2.x or older (single ``index`` blob layout)."""


class RepositoryReader:
    """One repository as Elasticsearch laid it out; see the module docstring for costs."""

    def __init__(self, source: BlobStore | str | Path, *, name: str | None = None) -> None:
        self.store = open_store(source)
        self.name = name or _default_name(source, self.store)
        self.warnings: list[str] = []
        self._details: dict[str, SnapshotDetail] = {}  # snapshot uuid -> detail
        self._infos: dict[str, dict[str, Any]] = {}  # snapshot uuid -> raw SnapshotInfo
        self._shards: dict[str, ShardSnapshot | None] = {}  # shard blob path -> parsed / absent
        self._blobs: dict[str, Any] = {}  # blob path -> decoded body (immutable blobs)
        self._data_streams: dict[str, _Streams] = {}  # snapshot uuid -> its data streams
        self.generation, self.catalogue = self._load(self._find_generation())

    # -- catalogue -------------------------------------------------------------------------

    def _find_generation(self) -> tuple[int, list[str]]:
        store = self.store
        if isinstance(store, LocalDirectoryStore) and not store.exists():
            problem = "no such directory" if not store.root.exists() else "not a directory"
            raise RepositoryError(store.describe(""), problem)
        generation, warnings = find_generation(store)
        if generation is not None:
            return generation, warnings
        names = store.list("")
        if "index" in names or any(n.startswith("snapshot-") for n in names):
            raise PreV5RepositoryError(
                store.describe("index" if "index" in names else ""),
                "repository written by Elasticsearch 2.x or older (single 'index' blob);"
                " only 5.0+ repositories can be read",
            )
        raise CatalogueError(
            store.describe(""),
            "no index-N catalogue: not a snapshot repository, or one that never held a snapshot",
        )

    def _load(self, found: tuple[int, list[str]]) -> tuple[int, RepositoryCatalogue]:
        generation, warnings = found
        blob = f"index-{generation}"
        path = self.store.describe(blob)
        try:
            data = self.store.read(blob)
        except MissingBlobError as error:
            raise MissingBlobError(
                error.path,
                f"catalogue of generation {generation} (named by index.latest) is missing",
            ) from error
        catalogue = parse_catalogue(data, path=path, generation=generation)
        self.warnings = [*warnings, *catalogue.warnings]
        return generation, catalogue

    def refresh(self) -> bool:
        """Re-read the catalogue if a newer generation exists; True when it changed."""
        found = self._find_generation()
        if found[0] == self.generation:
            return False
        self.generation, self.catalogue = self._load(found)
        return True

    # -- snapshots -------------------------------------------------------------------------

    def snapshots(self) -> list[SnapshotSummary]:
        """Every snapshot from the catalogue alone: never opens a ``snap-*.dat``.

        Catalogues before 7.14 carry no times (and before 7.6 no version): those stay
        ``None`` here unless ``snapshot(name)`` already loaded the snapshot's own blob.
        """
        catalogue = self.catalogue
        version_of = catalogue.version_of
        index_count = catalogue.index_count
        details = self._details
        repository = self.name
        out: list[SnapshotSummary] = []
        append = out.append
        for entry in catalogue.snapshots:
            summary = SnapshotSummary(
                entry.name,
                entry.uuid,
                repository,
                entry.state,
                version_of(entry),
                entry.start_time_ms,
                entry.end_time_ms,
                index_count(entry),
                entry.slm_policy or None,
            )
            if details:
                detail = details.get(entry.uuid)
                if detail is not None:
                    _fill_from_detail(summary, detail)
            append(summary)
        return out

    def snapshot(self, name: str) -> SnapshotDetail:
        """Everything about one snapshot, from its ``snap-<uuid>.dat`` (read once)."""
        entry = self._entry(name)
        cached = self._details.get(entry.uuid)
        if cached is not None:
            return cached
        detail = self._detail(entry, self._info(entry))
        self._details[entry.uuid] = detail
        return detail

    def snapshot_info(self, name: str) -> dict[str, Any]:
        """The raw SnapshotInfo object of ``snap-<uuid>.dat``, as the writing version put it
        (for callers that must echo fields verbatim; treat it as read-only)."""
        return self._info(self._entry(name))

    def snapshot_version_id(self, name: str) -> int | None:
        """The exact ``version_id`` the snapshot's blob records (a legacy id, an IndexVersion id
        from 8.11, or an OpenSearch id); ``None`` when absent or unreadable."""
        raw = self._info(self._entry(name)).get("version_id")
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.isdigit():
            return int(raw)
        return None

    def _info(self, entry: CatalogueSnapshot) -> dict[str, Any]:
        cached = self._infos.get(entry.uuid)
        if cached is not None:
            return cached
        blob = f"snap-{entry.uuid}.dat"
        raw = self._decode(blob, "snapshot", f"snapshot '{entry.name}'")
        info = raw.get("snapshot", raw) if isinstance(raw, dict) else None
        if not isinstance(info, dict):
            raise RepositoryError(self.store.describe(blob), "snapshot info is not an object")
        self._infos[entry.uuid] = info
        return info

    def _entry(self, name: str) -> CatalogueSnapshot:
        entry = self.catalogue.snapshot_named(name)
        if entry is None:
            raise SnapshotNotFoundError(
                self.store.describe(f"index-{self.generation}"), f"no snapshot named '{name}'"
            )
        return entry

    def _detail(self, entry: CatalogueSnapshot, info: dict[str, Any]) -> SnapshotDetail:
        catalogue = self.catalogue
        version = _version_from_id(info.get("version_id")) or catalogue.version_of(entry)
        state = _state(info.get("state")) or entry.state
        start = _millis(info.get("start_time"))
        end = _millis(info.get("end_time"))
        indices = [str(i) for i in _list(info.get("indices"))]
        metadata = info.get("metadata") if isinstance(info.get("metadata"), dict) else None
        policy = entry.slm_policy or None
        if policy is None and metadata is not None and isinstance(metadata.get("policy"), str):
            policy = metadata["policy"]
        total = _int(info.get("total_shards"))
        successful = _int(info.get("successful_shards"))
        return SnapshotDetail(
            name=entry.name,
            uuid=entry.uuid,
            repository=self.name,
            state=state,
            version=version,
            start_time_ms=start if start is not None else entry.start_time_ms,
            end_time_ms=end if end is not None else entry.end_time_ms,
            indices_count=len(indices) if indices else catalogue.index_count(entry),
            slm_policy=policy,
            indices=indices or [i.name for i in catalogue.indices_of(entry.uuid)],
            data_streams=[str(d) for d in _list(info.get("data_streams"))],
            feature_states=[_feature_state(f) for f in _list(info.get("feature_states"))],
            include_global_state=_bool(info.get("include_global_state")),
            metadata=metadata,
            reason=info.get("reason") if isinstance(info.get("reason"), str) else None,
            total_shards=total,
            successful_shards=successful,
            failed_shards=None if total is None or successful is None else total - successful,
            failures=[_failure(f) for f in _list(info.get("failures"))],
            index_details=_index_details(info.get("index_details")),
        )

    # -- indices ---------------------------------------------------------------------------

    def indices(self, snapshot: str) -> list[IndexInSnapshot]:
        """Every index of a snapshot with its metadata (blobs shared between snapshots are
        read once)."""
        entry = self._entry(snapshot)
        streams = self._data_stream_map(entry)
        held = sorted(self.catalogue.indices_of(entry.uuid), key=lambda i: i.name)
        return [self._index(entry, index, streams) for index in held]

    def index(self, snapshot: str, index: str) -> IndexInSnapshot:
        entry = self._entry(snapshot)
        found = self._held_index(entry, index)
        return self._index(entry, found, self._data_stream_map(entry))

    def index_metadata(self, snapshot: str, index: str) -> dict[str, Any]:
        """The raw decoded IndexMetadata body of one index (mappings, aliases, settings...)."""
        entry = self._entry(snapshot)
        found = self._held_index(entry, index)
        return self._index_body(entry, found)

    def _held_index(self, entry: CatalogueSnapshot, index: str) -> CatalogueIndex:
        """The catalogue's index of that name, when this snapshot holds it."""
        found = self.catalogue.indices.get(index)
        if found is None or entry.uuid not in found.snapshots:
            raise IndexNotFoundError(
                self.store.describe(f"index-{self.generation}"),
                f"snapshot '{entry.name}' holds no index named '{index}'",
            )
        return found

    def _index_body(self, entry: CatalogueSnapshot, index: CatalogueIndex) -> dict[str, Any]:
        blob_id = self.catalogue.metadata_blob_id(entry, index)
        blob = f"indices/{index.id}/meta-{blob_id}.dat"
        context = f"index '{index.name}' in snapshot '{entry.name}'"
        raw = self._decode(blob, "index-metadata", context)
        if isinstance(raw, dict):
            body = raw.get(index.name)
            if body is None and len(raw) == 1:
                body = next(iter(raw.values()))  # renamed since: the blob keeps its old name
            if isinstance(body, dict):
                return body
        raise RepositoryError(self.store.describe(blob), "index metadata is not an object")

    def _index(
        self, entry: CatalogueSnapshot, index: CatalogueIndex, streams: _Streams
    ) -> IndexInSnapshot:
        body = self._index_body(entry, index)
        settings = _flat_settings(body.get("settings"))
        created: VersionRange | None = None
        source = CreatedVersionSource.UNKNOWN
        raw_created = settings.get("index.version.created")
        if raw_created is not None:
            try:
                created = decode_version_id(raw_created)
                source = CreatedVersionSource.REPOSITORY
            except ValueError:
                self._warn(f"index '{index.name}': unreadable version.created {raw_created!r}")
        compatibility: Version | None = None
        raw_compat = settings.get("index.version.compatibility")
        if raw_compat is not None:
            try:
                compatibility = decode_version_id(raw_compat).low
            except ValueError:
                self._warn(f"index '{index.name}': unreadable index.version.compatibility")
        uuid = settings.get("index.uuid") or uuid_from_identifier(
            self.catalogue.index_identifier(entry, index)
        )
        shards = _int(settings.get("index.number_of_shards"))
        if shards is None and index.shard_generations:
            shards = len(index.shard_generations)
        state = body.get("state") if body.get("state") in ("open", "close") else None
        return IndexInSnapshot(
            name=index.name,
            index_id=index.id,
            uuid=uuid,
            created=created,
            created_source=source,
            compatibility_version=compatibility,
            primary_shards=shards,
            state=state,
            aliases=_aliases(body.get("aliases")),
            data_stream=streams.backing.get(index.name) or _stream_by_name(index.name, streams),
            system=body.get("system") is True,
            settings=settings,
        )

    # -- shards ----------------------------------------------------------------------------

    def shard_snapshot(self, snapshot: str, index: str, shard: int) -> ShardSnapshot | None:
        """One shard's ``indices/<id>/<shard>/snap-<uuid>.dat``, or ``None`` when the
        repository holds no such blob (the catalogue alone does not promise one).

        Raises ``IndexNotFoundError`` when the snapshot holds no such index and
        ``RepositoryError`` when the blob exists but cannot be read.
        """
        entry = self._entry(snapshot)
        found = self._held_index(entry, index)
        blob = f"indices/{found.id}/{shard}/snap-{entry.uuid}.dat"
        if blob in self._shards:
            return self._shards[blob]
        try:
            data = self.store.read(blob)
        except MissingBlobError:
            parsed = None
        else:
            raw = decode_blob(data, "snapshot", path=self.store.describe(blob))
            if not isinstance(raw, dict):
                raise RepositoryError(self.store.describe(blob), "shard snapshot is not an object")
            parsed = _shard_snapshot(entry.name, index, shard, raw)
        self._shards[blob] = parsed
        if len(self._shards) > BLOB_CACHE_SIZE:
            del self._shards[next(iter(self._shards))]  # oldest first
        return parsed

    def shard_files(self, snapshot: str, index: str, shard: int) -> list[ShardFile] | None:
        """The files of one shard in this snapshot, in the order they are copied on restore;
        ``None`` when the repository holds no shard blob for it."""
        found = self.shard_snapshot(snapshot, index, shard)
        return None if found is None else list(found.files)

    def _data_stream_map(self, entry: CatalogueSnapshot) -> _Streams:
        """The snapshot's data streams and, from its global metadata, their backing indices."""
        cached = self._data_streams.get(entry.uuid)
        if cached is not None:
            return cached
        detail = self.snapshot(entry.name)
        backing: dict[str, str] = {}
        if detail.data_streams:
            try:
                backing = _backing_indices(self.global_metadata(entry.name))
            except RepositoryError as error:
                self._warn(f"{error} (data streams matched by index name instead)")
        streams = _Streams(tuple(detail.data_streams), backing)
        self._data_streams[entry.uuid] = streams
        return streams

    def global_metadata(self, snapshot: str) -> dict[str, Any]:
        """The ``meta-data`` object of the snapshot's root ``meta-<uuid>.dat`` (templates,
        data streams, persistent settings...)."""
        entry = self._entry(snapshot)
        blob = f"meta-{entry.uuid}.dat"
        raw = self._decode(blob, "metadata", f"snapshot '{snapshot}'")
        if isinstance(raw, dict):
            inner = raw.get("meta-data", raw)
            if isinstance(inner, dict):
                return inner
        raise RepositoryError(self.store.describe(blob), "global metadata is not an object")

    # -- blobs -----------------------------------------------------------------------------

    def _decode(self, blob: str, codec: str, referenced_by: str) -> Any:
        blobs = self._blobs
        if blob in blobs:
            value = blobs[blob] = blobs.pop(blob)  # most recently used goes last
            return value
        try:
            data = self.store.read(blob)
        except MissingBlobError as error:
            raise MissingBlobError(
                error.path, f"missing, but the catalogue needs it for {referenced_by}"
            ) from error
        value = decode_blob(data, codec, path=self.store.describe(blob))
        blobs[blob] = value
        if len(blobs) > BLOB_CACHE_SIZE:
            del blobs[next(iter(blobs))]  # least recently used
        return value

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


# -- helpers ---------------------------------------------------------------------------------


def find_generation(store: BlobStore) -> tuple[int | None, list[str]]:
    """The newest catalogue generation and any warnings; ``None`` when there is none.

    The max ``index-N`` at the root wins (the regex is anchored: shard directories hold
    ``index-N`` blobs of their own); ``index.latest`` is the fallback for stores that cannot
    list, and a disagreement between the two is reported, not fatal.
    """
    warnings: list[str] = []
    generations = [int(m.group(1)) for n in store.list("") if (m := GENERATION_BLOB.match(n))]
    latest = _read_latest(store, warnings)
    if generations:
        newest = max(generations)
        if latest is not None and latest != newest:
            warnings.append(
                f"{store.describe(LATEST_BLOB)}: says generation {latest} but the newest"
                f" catalogue is index-{newest}; using index-{newest}"
            )
        return newest, warnings
    return latest, warnings


def _read_latest(store: BlobStore, warnings: list[str]) -> int | None:
    try:
        data = store.read(LATEST_BLOB)
    except MissingBlobError:
        return None
    if len(data) != 8:
        warnings.append(
            f"{store.describe(LATEST_BLOB)}: {len(data)} bytes, expected an 8-byte"
            " generation (ignored)"
        )
        return None
    return int.from_bytes(data, "big", signed=True)


def _default_name(source: BlobStore | str | Path, store: BlobStore) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).resolve().name or str(source)
    root = getattr(store, "root", None)
    return Path(root).name if root is not None else "repository"


def _fill_from_detail(summary: SnapshotSummary, detail: SnapshotDetail) -> None:
    if summary.state is None:
        summary.state = detail.state
    if summary.version is None:
        summary.version = detail.version
    if summary.start_time_ms is None:
        summary.start_time_ms = detail.start_time_ms
    if summary.end_time_ms is None:
        summary.end_time_ms = detail.end_time_ms
    if summary.slm_policy is None:
        summary.slm_policy = detail.slm_policy


def _version_from_id(value: Any) -> VersionRange | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return decode_version_id(value)
    except ValueError:
        return None


def _state(value: Any) -> SnapshotState | None:
    if isinstance(value, str):
        try:
            return SnapshotState(value.upper())
        except ValueError:
            return None
    if type(value) is int and 0 <= value < 5:
        return SnapshotState.from_code(value)
    return None


def _millis(value: Any) -> int | None:
    return value if type(value) is int and value > 0 else None


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _shard_snapshot(snapshot: str, index: str, shard: int, raw: dict[str, Any]) -> ShardSnapshot:
    files = []
    for item in _list(raw.get("files")):
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "")
        checksum = item.get("checksum")
        written_by = item.get("written_by")
        files.append(
            ShardFile(
                name=name,
                physical_name=str(item.get("physical_name") or name),
                length=_int(item.get("length")) or 0,
                checksum=str(checksum) if checksum is not None else None,
                written_by=str(written_by) if written_by is not None else None,
            )
        )
    return ShardSnapshot(
        snapshot=snapshot,
        index=index,
        shard=shard,
        start_time_ms=_int(raw.get("start_time")),
        time_ms=_int(raw.get("time")),
        number_of_files=_int(raw.get("number_of_files")),
        total_size=_int(raw.get("total_size")),
        files=tuple(files),
    )


def _feature_state(value: Any) -> FeatureState:
    if not isinstance(value, dict):
        return FeatureState(feature_name=str(value))
    return FeatureState(
        feature_name=str(value.get("feature_name", "")),
        indices=tuple(str(i) for i in _list(value.get("indices"))),
    )


def _failure(value: Any) -> ShardFailure:
    if not isinstance(value, dict):
        return ShardFailure(index="", shard_id=None, reason=str(value))
    node = value.get("node_id")
    status = value.get("status")
    return ShardFailure(
        index=str(value.get("index", "")),
        shard_id=_int(value.get("shard_id")),
        reason=str(value.get("reason", "")),
        node_id=str(node) if node is not None else None,
        status=str(status) if status is not None else None,
    )


def _index_details(value: Any) -> dict[str, IndexDetails]:
    if not isinstance(value, dict):
        return {}
    out: dict[str, IndexDetails] = {}
    for name, entry in value.items():
        if isinstance(entry, dict) and _int(entry.get("shard_count")) is not None:
            out[name] = IndexDetails(
                shard_count=_int(entry.get("shard_count")) or 0,
                size_in_bytes=_int(entry.get("size_in_bytes")),
                max_segments_per_shard=_int(entry.get("max_segments_per_shard")),
            )
    return out


def _flat_settings(value: Any, prefix: str = "") -> dict[str, str]:
    """Settings as ``index.*`` flat keys with string values, whatever nesting was written."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        full = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(_flat_settings(item, f"{full}."))
        elif isinstance(item, list):
            out[full] = ",".join(str(i) for i in item)
        elif isinstance(item, bool):
            out[full] = "true" if item else "false"
        elif item is not None:
            out[full] = str(item)
    return out


def _aliases(value: Any) -> list[str]:
    if isinstance(value, dict):
        return sorted(value)
    if isinstance(value, list):  # API-style list of names
        return sorted(str(v) for v in value)
    return []


def uuid_from_identifier(identifier: str | None) -> str | None:
    """The index uuid in an index metadata identifier, or None when it cannot be told.

    ``<uuid>-<history uuid|_na_>-<s>-<m>-<a>``: uuids may hold '-', so split from the right.
    Public because callers holding only the catalogue (compat's gather) need it too.
    """
    if not identifier:
        return None
    parts = identifier.rsplit("-", 3)
    if len(parts) != 4:
        return None
    head = parts[0]
    if head.endswith("-_na_"):
        return head[: -len("-_na_")]
    return head[:22] if len(head) == 45 else None


_uuid_from_identifier = uuid_from_identifier  # the old private name, kept for callers


def _backing_indices(metadata: dict[str, Any]) -> dict[str, str]:
    """Backing (and failure-store) index -> data stream from global metadata's
    ``data_stream`` custom: ``{"data_stream": {"<name>": {"indices": [{"index_name"}]}}}``."""
    custom = metadata.get("data_stream")
    if not isinstance(custom, dict):
        return {}
    streams = custom.get("data_stream", custom)
    out: dict[str, str] = {}
    if not isinstance(streams, dict):
        return out
    for stream_name, stream in streams.items():
        if not isinstance(stream, dict):
            continue
        name = stream.get("name", stream_name)
        lists = [stream.get("indices")]
        failure = stream.get("failure_store")
        if isinstance(failure, dict):
            lists.append(failure.get("indices"))
        lists.append(stream.get("failure_indices"))
        for indices in lists:
            for item in _list(indices):
                index_name = item.get("index_name") if isinstance(item, dict) else item
                if isinstance(index_name, str):
                    out[index_name] = str(name)
    return out


def _stream_by_name(index: str, streams: _Streams) -> str | None:
    """``.ds-<stream>-...`` matched against the snapshot's own data stream list."""
    if not index.startswith((".ds-", ".fs-")):
        return None
    best: str | None = None
    for stream in streams.names:
        prefix = f"{index[:4]}{stream}-"
        if (
            index.startswith(prefix)
            and _BACKING_SUFFIX.match(index[len(prefix) :])
            and (best is None or len(stream) > len(best))
        ):
            best = stream
    return best
