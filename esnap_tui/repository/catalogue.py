"""The ``index-N`` catalogue (Elasticsearch's ``RepositoryData``): parse and serialise.

It is the only plain-JSON blob of a repository and the one thing needed to list snapshots, so
parsing stays close to a bare ``json.loads``: entries are kept as light objects, version strings
are decoded once per distinct value, and nothing here opens another blob. Every shape from 5.0
to 9.x and OpenSearch is accepted; keys we do not know are kept (so a rewrite does not lose
them) and reported as warnings, never fatal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from esnap_tui.models import SnapshotState
from esnap_tui.repository.errors import CatalogueError
from esnap_tui.versions import Product, Version, VersionRange, decode_version_id

TOP_LEVEL_KEYS = frozenset(
    {"snapshots", "indices", "min_version", "uuid", "cluster_id", "index_metadata_identifiers"}
)
SNAPSHOT_KEYS = frozenset(
    {
        "name",
        "uuid",
        "state",
        "version",
        "index_version",
        "index_metadata_lookup",
        "start_time_millis",
        "end_time_millis",
        "slm_policy",
    }
)
INDEX_KEYS = frozenset({"id", "snapshots", "shard_generations", "shard_path_type"})

# min_version values the format has used (7.6.0 shard gens, 7.9.0 index-metadata gens,
# 7.12.0 uuids). A min_version above the newest release line we know means a format change
# we have not seen: Elasticsearch itself refuses such a repository, we read on but warn.
NEWEST_KNOWN_RELEASE = Version(9, 99, 99)

_STATES = (
    SnapshotState.IN_PROGRESS,
    SnapshotState.SUCCESS,
    SnapshotState.FAILED,
    SnapshotState.PARTIAL,
    SnapshotState.INCOMPATIBLE,
)


@dataclass(slots=True)
class CatalogueSnapshot:
    """One ``snapshots[]`` entry. Fields absent in older catalogues are ``None``."""

    name: str
    uuid: str
    state: SnapshotState | None = None
    version: str | int | None = None  # raw: "7.10.2", an 8.10 IndexVersion int, "8.11.0" marker
    index_version: int | None = None  # 8.11+: the writer's IndexVersion id
    start_time_ms: int | None = None  # 7.14+
    end_time_ms: int | None = None
    slm_policy: str | None = None  # 8.x: "" means not taken by SLM
    index_metadata_lookup: dict[str, str] | None = None  # 7.9+: index id -> identifier
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys, kept for rewrites


@dataclass(slots=True)
class CatalogueIndex:
    """One ``indices{}`` entry: the repository index id and the snapshots holding it."""

    name: str
    id: str
    snapshots: list[str] = field(default_factory=list)  # snapshot uuids
    shard_generations: list[str | None] | None = None  # 7.6+, one per shard
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RepositoryCatalogue:
    """A parsed ``index-N``. Build with ``parse_catalogue``; the writer fills one directly."""

    generation: int = -1
    snapshots: list[CatalogueSnapshot] = field(default_factory=list)
    indices: dict[str, CatalogueIndex] = field(default_factory=dict)
    index_metadata_identifiers: dict[str, str] | None = None  # 7.9+: identifier -> blob id
    min_version: str | None = None  # 7.6+
    uuid: str | None = None  # 7.12+ repository uuid ("_na_" = never assigned)
    cluster_id: str | None = None  # 7.12+ uuid of the writing cluster
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _by_name: dict[str, CatalogueSnapshot] | None = field(default=None, repr=False)
    _by_uuid: dict[str, CatalogueSnapshot] | None = field(default=None, repr=False)
    _indices_by_snapshot: dict[str, list[CatalogueIndex]] | None = field(
        default=None, repr=False
    )
    _versions: dict[tuple[Any, Any, bool], VersionRange | None] = field(
        default_factory=dict, repr=False
    )

    # -- lookups -------------------------------------------------------------------------

    def snapshot_named(self, name: str) -> CatalogueSnapshot | None:
        if self._by_name is None:
            self._by_name = {s.name: s for s in self.snapshots}
        return self._by_name.get(name)

    def snapshot_with_uuid(self, uuid: str) -> CatalogueSnapshot | None:
        if self._by_uuid is None:
            self._by_uuid = {s.uuid: s for s in self.snapshots}
        return self._by_uuid.get(uuid)

    def indices_of(self, snapshot_uuid: str) -> list[CatalogueIndex]:
        """The indices the catalogue says are in a snapshot, in catalogue order."""
        if self._indices_by_snapshot is None:
            inverted: dict[str, list[CatalogueIndex]] = {}
            for index in self.indices.values():
                for uuid in index.snapshots:
                    inverted.setdefault(uuid, []).append(index)
            self._indices_by_snapshot = inverted
        return self._indices_by_snapshot.get(snapshot_uuid, [])

    def index_count(self, snapshot: CatalogueSnapshot) -> int:
        # 7.9+ entries carry one lookup entry per index: no need to invert ``indices``.
        if snapshot.index_metadata_lookup is not None:
            return len(snapshot.index_metadata_lookup)
        return len(self.indices_of(snapshot.uuid))

    def metadata_blob_id(self, snapshot: CatalogueSnapshot, index: CatalogueIndex) -> str:
        """The ``<blobId>`` of ``indices/<id>/meta-<blobId>.dat`` for an index in a snapshot.

        7.9+: lookup[index id] -> identifier -> blob id; before that (or for snapshots taken
        by older nodes in an upgraded repository) the blob is named after the snapshot uuid.
        """
        lookup = snapshot.index_metadata_lookup
        if lookup:
            identifier = lookup.get(index.id)
            if identifier is not None and self.index_metadata_identifiers:
                blob_id = self.index_metadata_identifiers.get(identifier)
                if blob_id is not None:
                    return blob_id
        return snapshot.uuid

    def index_identifier(self, snapshot: CatalogueSnapshot, index: CatalogueIndex) -> str | None:
        """``<index uuid>-<history uuid>-<settings>-<mappings>-<aliases>`` when recorded."""
        lookup = snapshot.index_metadata_lookup
        return lookup.get(index.id) if lookup else None

    def version_of(self, snapshot: CatalogueSnapshot) -> VersionRange | None:
        """The version of the node that wrote the snapshot, as far as the catalogue says.

        ``index_version`` (8.11+) wins over the ``"8.11.0"`` marker string; an int ``version``
        is an 8.10.x IndexVersion id; a string with major 1-3 in a catalogue that has
        ``min_version`` can only be OpenSearch (Elasticsearch wrote ``version`` from 7.6 on).
        """
        key = (snapshot.version, snapshot.index_version, self.min_version is not None)
        try:
            return self._versions[key]
        except KeyError:
            pass
        try:
            result = _decode_snapshot_version(snapshot.version, snapshot.index_version, key[2])
        except (ValueError, TypeError, AttributeError):
            result = None  # an unreadable version is "unknown", not a broken listing
        self._versions[key] = result
        return result

    @property
    def product(self) -> Product | None:
        """The product that wrote the newest snapshot entry carrying a version, if any."""
        for snapshot in reversed(self.snapshots):
            version = self.version_of(snapshot)
            if version is not None:
                return version.product
        return None

    def invalidate(self) -> None:
        """Drop derived lookups after the writer changed the lists in place."""
        self._by_name = self._by_uuid = self._indices_by_snapshot = None

    # -- serialisation -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON object Elasticsearch writes; ``None`` fields are left out."""
        out: dict[str, Any] = {}
        if self.min_version is not None:
            out["min_version"] = self.min_version
        if self.uuid is not None:
            out["uuid"] = self.uuid
        if self.cluster_id is not None:
            out["cluster_id"] = self.cluster_id
        out["snapshots"] = [_snapshot_to_dict(s) for s in self.snapshots]
        indices: dict[str, Any] = {}
        for index in self.indices.values():
            entry: dict[str, Any] = {"id": index.id, "snapshots": list(index.snapshots)}
            if index.shard_generations is not None:
                entry["shard_generations"] = list(index.shard_generations)
            entry.update(index.extra)
            indices[index.name] = entry
        out["indices"] = indices
        if self.index_metadata_identifiers is not None:
            out["index_metadata_identifiers"] = dict(self.index_metadata_identifiers)
        out.update(self.extra)
        return out

    def to_json_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()


def _snapshot_to_dict(s: CatalogueSnapshot) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": s.name, "uuid": s.uuid}
    if s.state is not None:
        entry["state"] = s.state.code
    if s.index_metadata_lookup is not None:
        entry["index_metadata_lookup"] = s.index_metadata_lookup
    if s.version is not None:
        entry["version"] = s.version
    if s.index_version is not None:
        entry["index_version"] = s.index_version
    if s.start_time_ms is not None:
        entry["start_time_millis"] = s.start_time_ms
    if s.end_time_ms is not None:
        entry["end_time_millis"] = s.end_time_ms
    if s.slm_policy is not None:
        entry["slm_policy"] = s.slm_policy
    entry.update(s.extra)
    return entry


def _decode_snapshot_version(
    raw: str | int | None, index_version: int | None, has_min_version: bool
) -> VersionRange | None:
    if index_version is not None:
        return decode_version_id(index_version)
    if raw is None:
        return None
    if isinstance(raw, int):
        return decode_version_id(raw)
    if raw.isdigit():
        return decode_version_id(int(raw))
    version = Version.parse(raw)
    if has_min_version and 1 <= version.major <= 3:
        version = Version.parse(raw, Product.OPENSEARCH)
    return VersionRange(version, version)


# -- parsing -------------------------------------------------------------------------------


def parse_catalogue(data: bytes, *, path: str, generation: int) -> RepositoryCatalogue:
    """Parse ``index-N`` bytes. Raises ``CatalogueError`` (naming ``path``) for bad JSON or an
    impossible shape; anything merely unexpected becomes a warning on the result."""
    try:
        root = json.loads(data)
    except UnicodeDecodeError as error:
        raise CatalogueError(path, f"not valid JSON (not UTF-8 text: {error.reason})") from error
    except json.JSONDecodeError as error:
        raise CatalogueError(
            path, f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from error
    if not isinstance(root, dict):
        raise CatalogueError(path, f"expected a JSON object, found {_kind(root)}")
    return catalogue_from_dict(root, path=path, generation=generation)


def catalogue_from_dict(root: dict[str, Any], *, path: str, generation: int) -> RepositoryCatalogue:
    warnings: list[str] = []
    raw_snapshots = root.get("snapshots", [])
    if not isinstance(raw_snapshots, list):
        raise CatalogueError(path, f"'snapshots' must be a list, found {_kind(raw_snapshots)}")
    raw_indices = root.get("indices", {})
    if not isinstance(raw_indices, dict):
        raise CatalogueError(path, f"'indices' must be an object, found {_kind(raw_indices)}")

    catalogue = RepositoryCatalogue(generation=generation, warnings=warnings)
    catalogue.min_version = _optional_scalar(root, "min_version", path, warnings)
    catalogue.uuid = _optional_str(root, "uuid", path, warnings)
    catalogue.cluster_id = _optional_str(root, "cluster_id", path, warnings)
    identifiers = root.get("index_metadata_identifiers")
    if identifiers is not None and not isinstance(identifiers, dict):
        raise CatalogueError(
            path, f"'index_metadata_identifiers' must be an object, found {_kind(identifiers)}"
        )
    catalogue.index_metadata_identifiers = identifiers
    unknown_top = root.keys() - TOP_LEVEL_KEYS
    if unknown_top:
        catalogue.extra = {key: root[key] for key in unknown_top}
        warnings.append(f"{path}: unknown top-level key(s) {_names(unknown_top)} (ignored)")

    catalogue.snapshots = _parse_snapshots(raw_snapshots, path, warnings)
    catalogue.indices = _parse_indices(raw_indices, path, warnings)
    _check_min_version(catalogue.min_version, path, warnings)
    _check_references(catalogue, path, warnings)
    return catalogue


def _parse_snapshots(
    raw_snapshots: list[Any], path: str, warnings: list[str]
) -> list[CatalogueSnapshot]:
    snapshots: list[CatalogueSnapshot] = []
    append = snapshots.append
    unknown: dict[str, int] = {}
    bad_states: set[Any] = set()
    known = SNAPSHOT_KEYS
    for position, entry in enumerate(raw_snapshots):
        if isinstance(entry, str):  # pre-5.0 catalogues: bare names, uuid == name
            append(CatalogueSnapshot(name=entry, uuid=entry))
            continue
        if not isinstance(entry, dict):
            raise CatalogueError(path, f"snapshots[{position}] must be an object")
        name = entry.get("name")
        uuid = entry.get("uuid")
        if not isinstance(name, str) or not isinstance(uuid, str):
            raise CatalogueError(path, f"snapshots[{position}] lacks a string 'name' and 'uuid'")
        code = entry.get("state")
        state = None
        if code is not None:
            if type(code) is int and 0 <= code < 5:
                state = _STATES[code]
            else:
                bad_states.add(code)
        start = entry.get("start_time_millis")
        end = entry.get("end_time_millis")
        lookup = entry.get("index_metadata_lookup")
        snapshot = CatalogueSnapshot(
            name,
            uuid,
            state,
            entry.get("version"),
            entry.get("index_version"),
            start if type(start) is int and start >= 0 else None,
            end if type(end) is int and end >= 0 else None,
            entry.get("slm_policy"),
            lookup if isinstance(lookup, dict) else None,
        )
        if not entry.keys() <= known:
            extra_keys = entry.keys() - known
            snapshot.extra = {key: entry[key] for key in extra_keys}
            for key in extra_keys:
                unknown[key] = unknown.get(key, 0) + 1
        append(snapshot)
    for key, count in sorted(unknown.items()):
        warnings.append(
            f"{path}: unknown key '{key}' in {count} snapshot entr{'y' if count == 1 else 'ies'}"
            " (kept, not understood)"
        )
    if bad_states:
        warnings.append(f"{path}: unknown snapshot state code(s) {sorted(map(str, bad_states))}")
    return snapshots


def _parse_indices(raw_indices: dict[str, Any], path: str, warnings: list[str]) -> dict[str, Any]:
    indices: dict[str, CatalogueIndex] = {}
    unknown: dict[str, int] = {}
    for name, entry in raw_indices.items():
        if not isinstance(entry, dict):
            raise CatalogueError(path, f"indices['{name}'] must be an object")
        index_id = entry.get("id")
        if index_id is None:  # pre-5.0: the index id is its name
            index_id = name
        elif not isinstance(index_id, str):
            raise CatalogueError(path, f"indices['{name}'].id must be a string")
        refs = entry.get("snapshots", [])
        if not isinstance(refs, list):
            raise CatalogueError(path, f"indices['{name}'].snapshots must be a list")
        if refs and not isinstance(refs[0], str):
            refs = _snapshot_refs(refs, name, path)  # pre-5.4.1: [{name, uuid}]
        generations = entry.get("shard_generations")
        if generations is not None:
            if not isinstance(generations, list):
                raise CatalogueError(path, f"indices['{name}'].shard_generations must be a list")
            generations = [_shard_generation(g) for g in generations]
        index = CatalogueIndex(name, index_id, refs, generations)
        extra_keys = entry.keys() - INDEX_KEYS
        if extra_keys:
            index.extra = {key: entry[key] for key in extra_keys}
            for key in extra_keys:
                unknown[key] = unknown.get(key, 0) + 1
        if "shard_path_type" in entry:
            index.extra["shard_path_type"] = entry["shard_path_type"]
        indices[name] = index
    for key, count in sorted(unknown.items()):
        warnings.append(
            f"{path}: unknown key '{key}' in {count} index entr{'y' if count == 1 else 'ies'}"
            " (kept, not understood)"
        )
    return indices


def _snapshot_refs(refs: list[Any], name: str, path: str) -> list[str]:
    out: list[str] = []
    for ref in refs:
        if isinstance(ref, str):
            out.append(ref)
        elif isinstance(ref, dict) and isinstance(ref.get("uuid"), str):
            out.append(ref["uuid"])
        elif isinstance(ref, dict) and isinstance(ref.get("name"), str):
            out.append(ref["name"])
        else:
            raise CatalogueError(path, f"indices['{name}'].snapshots holds {_kind(ref)}")
    return out


def _shard_generation(value: Any) -> str | None:
    # Numeric generations are "unreliable" (ShardGenerations.fixShardGeneration): unknown.
    if value is None or not isinstance(value, str) or value.isdigit():
        return None
    return value


def _check_min_version(min_version: str | None, path: str, warnings: list[str]) -> None:
    if min_version is None:
        return
    try:
        version = (
            decode_version_id(int(min_version)).low
            if str(min_version).isdigit()
            else Version.parse(str(min_version))
        )
    except ValueError:
        warnings.append(f"{path}: min_version {min_version!r} is not a version we can read")
        return
    if version > NEWEST_KNOWN_RELEASE:
        warnings.append(
            f"{path}: min_version {min_version} is newer than any release esnap knows; "
            "the repository may use a format it cannot read fully"
        )


def _check_references(catalogue: RepositoryCatalogue, path: str, warnings: list[str]) -> None:
    """Cross-check the two halves cheaply (set operations run at C speed)."""
    known = {s.uuid for s in catalogue.snapshots}
    if len(known) != len(catalogue.snapshots):
        warnings.append(f"{path}: several snapshot entries share one uuid")
    referenced: set[str] = set()
    for index in catalogue.indices.values():
        referenced.update(index.snapshots)
    dangling = referenced - known
    if dangling:
        sample = ", ".join(sorted(dangling)[:3])
        warnings.append(
            f"{path}: {len(dangling)} snapshot uuid(s) referenced by indices but not listed"
            f" in snapshots ({sample})"
        )


def _optional_str(root: dict[str, Any], key: str, path: str, warnings: list[str]) -> str | None:
    value = root.get(key)
    if value is None or isinstance(value, str):
        return value
    warnings.append(f"{path}: '{key}' should be a string, found {_kind(value)} (ignored)")
    return None


def _optional_scalar(root: dict[str, Any], key: str, path: str, warnings: list[str]) -> str | None:
    value = root.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    warnings.append(f"{path}: '{key}' should be a string, found {_kind(value)} (ignored)")
    return None


def _names(keys: Any) -> str:
    return ", ".join(f"'{k}'" for k in sorted(keys))


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
