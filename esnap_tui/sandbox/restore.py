"""Restore as Elasticsearch decides it: parse the request, validate, then change the cluster.

Why this module exists: esnap's restore pre-flight checks are only worth something if the
sandbox refuses exactly what a real cluster refuses, with the same type, HTTP status and
message (``shared/reference/es-rest-api.md`` §4.3). The decisions here are taken from the
bytes of the repository (the index metadata blob's ``index.version.created``, the snapshot's
version) against the dialect (its version, minimum index compatibility, licence), written
independently of ``esnap_tui.compat`` so that the sandbox can catch the app being wrong.

Order of checks follows ``RestoreService`` (8.x): request parsing (400) -> repository (404) ->
snapshot exists (500) -> ``validateSnapshotRestorable`` (state, newer than this node, pre-restore
version check = below minimum compatibility or, on 8.3+, the archive licence 403, global state)
-> feature states -> index selection and system indices (400) -> renames (collisions) -> the
cluster-state task: deletion in flight (503), then per index: partial, settings overrides,
metadata upgrade ("cannot be upgraded"), rename into an alias, existing open/closed index,
shard limit (400).

Decisions where the reference says GUESS / INFERRED (chosen here, documented once):
  * 9.x: a 7.x-created index is refused ("cannot be upgraded", 9.x wording) unless its snapshot
    settings carry ``index.blocks.write=true`` (then restored read-only); 5.x/6.x indices become
    archive indices as on 8.3+. The archive licence check looks at the snapshot's version and
    fires for snapshots older than 7.0.0 on 9.x (older than the minimum index compatibility on
    8.3-8.x).
  * The archive feature needs an ``enterprise`` or ``trial`` licence that is ``active``.
  * Shard-limit wording switches from "total shards ... maximum shards open" to "shards ...
    maximum normal shards open" at 7.12; OpenSearch keeps the 7.10 wording; 6.8 does not enforce.
  * OpenSearch says "OpenSearch version" in its snapshot-version errors.
  * ``cannot restore global state since the snapshot was created without global state`` is
    checked from 8.0 on only.
  * The 503 deletion-in-flight message renders the deletion entry as
    ``SnapshotDeletionsInProgress.Entry[[<repo>][<snapshots>][<state>]]``.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esnap_tui.models import IndexInSnapshot, SnapshotDetail, SnapshotState
from esnap_tui.sandbox.errors import ApiError, index_not_found, wrapped
from esnap_tui.versions import (
    OPENSEARCH_MASK,
    Product,
    Version,
    VersionRange,
    decode_version_id,
    index_version_id_for,
)

if TYPE_CHECKING:
    from esnap_tui.sandbox.state import IndexState, SimCluster

# Keys of the restore body (RestoreSnapshotRequest.source), and IndicesOptions keys it accepts.
_BODY_KEYS = {
    "indices",
    "partial",
    "include_global_state",
    "include_aliases",
    "rename_pattern",
    "rename_replacement",
    "index_settings",
    "ignore_index_settings",
}
_INDICES_OPTIONS_KEYS = {
    "ignore_unavailable",
    "allow_no_indices",
    "expand_wildcards",
    "ignore_throttled",
}

UNMODIFIABLE_SETTINGS = (
    "index.number_of_shards",
    "index.version.created",
    "index.uuid",
    "index.creation_date",
    "index.history_uuid",
)
UNREMOVABLE_SETTINGS = (
    *UNMODIFIABLE_SETTINGS,
    "index.number_of_replicas",
    "index.auto_expand_replicas",
)
_ARCHIVE_LICENCES = ("enterprise", "trial")


# --------------------------------------------------------------------------------------------
# request


@dataclass
class RestoreRequest:
    """The parsed body of ``POST _snapshot/<repo>/<snap>/_restore``."""

    indices: list[str] | None = None
    ignore_unavailable: bool = False
    allow_no_indices: bool = True
    include_global_state: bool = False
    feature_states: list[str] | None = None
    include_aliases: bool = True
    partial: bool = False
    rename_pattern: str | None = None
    rename_replacement: str | None = None
    rename_alias_pattern: str | None = None
    rename_alias_replacement: str | None = None
    index_settings: dict[str, str] = field(default_factory=dict)
    ignore_index_settings: list[str] = field(default_factory=list)


def _bad(reason: str) -> ApiError:
    return ApiError(400, "illegal_argument_exception", reason)


def _bool(value: Any, name: str) -> bool:
    """``XContentMapValues.nodeBooleanValue(value, name)``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise _bad(f"Could not convert [{name}] to boolean")


def _string_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise _bad(f"malformed {what} section, should be an array of strings")


def flatten_settings(value: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested or flat settings -> flat ``index.*`` keys with string values (ES
    ``Settings.builder().loadFromMap(..).normalizePrefix("index.")``)."""
    out: dict[str, str] = {}
    for key, item in value.items():
        full = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(flatten_settings(item, f"{full}."))
            continue
        if isinstance(item, bool):
            text = "true" if item else "false"
        elif isinstance(item, list):
            text = ",".join(str(part) for part in item)
        elif item is None:
            text = ""
        else:
            text = str(item)
        out[full] = text
    if prefix:
        return out
    return {(k if k.startswith("index.") else f"index.{k}"): v for k, v in out.items()}


def parse_restore_request(body: dict[str, Any] | None, dialect: Any) -> RestoreRequest:
    """The body as the dialect's ``RestoreSnapshotRequest.source`` parses it (§4.1).

    7.x accepts (and ignores) ``settings``; 7.12+ adds ``feature_states``; OpenSearch 2.18+
    adds ``rename_alias_pattern``/``rename_alias_replacement``. Anything else is the real
    ``Unknown parameter <name>`` 400.
    """
    request = RestoreRequest()
    if not body:
        return request
    allowed = set(_BODY_KEYS)
    if not dialect.supports("restore_settings_key_removed"):
        allowed.add("settings")
    if dialect.supports("feature_states"):
        allowed.add("feature_states")
    if dialect.supports("rename_alias"):
        allowed |= {"rename_alias_pattern", "rename_alias_replacement"}
    for name, value in body.items():
        if name == "indices":
            request.indices = _string_list(value, "indices")
        elif name == "feature_states" and name in allowed:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _bad("malformed feature_states section, should be an array of strings")
            request.feature_states = list(value)
        elif name == "partial":
            request.partial = _bool(value, "partial")
        elif name == "settings" and name in allowed:
            if not isinstance(value, dict):
                raise _bad("malformed settings section")
        elif name == "include_global_state":
            request.include_global_state = _bool(value, "include_global_state")
        elif name == "include_aliases":
            request.include_aliases = _bool(value, "include_aliases")
        elif name in ("rename_pattern", "rename_replacement") or (
            name in ("rename_alias_pattern", "rename_alias_replacement") and name in allowed
        ):
            if not isinstance(value, str):
                raise _bad(f"malformed {name}")
            setattr(request, name, value)
        elif name == "index_settings":
            if not isinstance(value, dict):
                raise _bad("malformed index_settings section")
            request.index_settings = flatten_settings(value)
        elif name == "ignore_index_settings":
            if isinstance(value, str):
                request.ignore_index_settings = [p for p in value.split(",") if p]
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                request.ignore_index_settings = list(value)
            else:
                raise _bad("malformed ignore_index_settings section, should be an array of strings")
        elif name in _INDICES_OPTIONS_KEYS:
            if name == "ignore_unavailable":
                request.ignore_unavailable = _bool(value, name)
            elif name == "allow_no_indices":
                request.allow_no_indices = _bool(value, name)
        else:
            raise _bad(f"Unknown parameter {name}")
    return request


# --------------------------------------------------------------------------------------------
# Java regex and replacement semantics (rename_pattern / rename_replacement)


_JAVA_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z][A-Za-z0-9]*)>")


def java_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a Java regex: ``(?<name>..)`` becomes Python's ``(?P<name>..)``."""
    try:
        return re.compile(_JAVA_NAMED_GROUP.sub(r"(?P<\1>", pattern))
    except re.error as error:
        raise _bad(f"Unclosed group near index {error.pos}\n{pattern}") from None


def java_replacement(replacement: str, groups: int) -> str:
    """Java ``Matcher.appendReplacement`` syntax (``$1``, ``${name}``, ``\\$``) -> ``re.sub``."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        char = replacement[i]
        if char == "\\":
            i += 1
            if i >= len(replacement):
                raise _bad("character to be escaped is missing")
            literal = replacement[i]
            out.append("\\\\" if literal == "\\" else literal)
            i += 1
        elif char == "$":
            i += 1
            if i >= len(replacement):
                raise _bad("Illegal group reference: group index is missing")
            if replacement[i] == "{":
                end = replacement.find("}", i)
                if end < 0:
                    raise _bad("named capturing group is missing trailing '}'")
                out.append(f"\\g<{replacement[i + 1 : end]}>")
                i = end + 1
                continue
            if not replacement[i].isdigit():
                raise _bad("Illegal group reference")
            number = int(replacement[i])
            if number > groups:
                raise ApiError(500, "index_out_of_bounds_exception", f"No group {number}")
            i += 1
            # Java takes further digits while the number stays a valid group
            while i < len(replacement) and replacement[i].isdigit():
                candidate = number * 10 + int(replacement[i])
                if candidate > groups:
                    break
                number = candidate
                i += 1
            out.append(f"\\g<{number}>")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def java_replace_all(name: str, pattern: str, replacement: str) -> str:
    """``name.replaceAll(pattern, replacement)`` with Java semantics."""
    compiled = java_pattern(pattern)
    return compiled.sub(java_replacement(replacement, compiled.groups), name)


def rename_index(name: str, request: RestoreRequest, *, data_stream_backing: bool) -> str:
    """The restored name; backing indices keep their ``.ds-`` prefix out of the rename."""
    if request.rename_pattern is None or request.rename_replacement is None:
        return name
    prefix = ""
    if data_stream_backing and name.startswith((".ds-", ".fs-")):
        prefix, name = name[:4], name[4:]
    return prefix + java_replace_all(name, request.rename_pattern, request.rename_replacement)


# --------------------------------------------------------------------------------------------
# versions as the cluster sees them


def version_id_of(version: VersionRange | None) -> int | None:
    """The numeric id of a snapshot/index version (legacy id, IndexVersion id, masked OS id).

    The raw 8.11+ id the range was decoded from wins: Elasticsearch compares ids, and an id
    esnap's table does not know maps to a range whose first release may write another id.
    """
    if version is None:
        return None
    raw = getattr(version, "index_version_id", None)
    if isinstance(raw, int):
        return raw
    low = version.low
    if low.product is Product.OPENSEARCH or (low.major, low.minor) < (8, 11):
        return low.legacy_id
    try:
        return index_version_id_for(low)
    except ValueError:
        return None


def release_text(version_id: int) -> str:
    """``toReleaseVersion()``: the release (or ``lo-hi`` range) an id stands for."""
    try:
        return str(decode_version_id(version_id))
    except ValueError:
        return str(version_id)


def _legacy_text(version_id: int) -> str:
    """``Version.toString()`` of a legacy id as ≤ 8.10 prints it (OpenSearch ids unmasked)."""
    try:
        return str(Version.from_legacy_id(version_id))
    except ValueError:
        return str(version_id)


def _version_text(cluster: SimCluster, version_id: int) -> str:
    dialect = cluster.dialect
    if dialect.supports("index_version_ids"):
        return release_text(version_id)
    return _legacy_text(version_id)


def _node_version_text(cluster: SimCluster) -> str:
    return cluster.dialect.number


def _min_compat_id(cluster: SimCluster) -> int:
    return cluster.dialect.min_index_compat.legacy_id


# --------------------------------------------------------------------------------------------
# the plan


@dataclass
class IndexPlan:
    """One index the restore will create (or restore over a closed index)."""

    source: IndexInSnapshot
    target: str
    settings: dict[str, str]  # final flat settings of the restored index
    primary_shards: int
    replicas: int
    aliases: list[str]
    data_stream: str | None
    system: bool
    archive: bool = False
    replaces_closed: IndexState | None = None
    size_in_bytes: int | None = None


@dataclass
class DataStreamPlan:
    source: str
    target: str
    backing: list[str]  # restored backing index names, oldest first
    replaces_existing: bool = False


@dataclass
class RestorePlan:
    repository: str
    snapshot: str
    snapshot_uuid: str
    snapshot_version_id: int | None
    indices: list[IndexPlan]
    data_streams: list[DataStreamPlan]
    feature_states: list[str]
    system_indices_to_delete: list[str]
    include_global_state: bool
    global_metadata: dict[str, Any] | None = None


def _snap_error(repo: str, snapshot: SnapshotDetail, message: str) -> ApiError:
    return ApiError(
        500, "snapshot_restore_exception", f"[{repo}:{snapshot.name}/{snapshot.uuid}] {message}"
    )


def _restorable_states() -> tuple[SnapshotState, ...]:
    return (SnapshotState.SUCCESS, SnapshotState.PARTIAL)


def _licence_allows_archive(cluster: SimCluster) -> bool:
    licence = cluster.state.license
    if licence is None:
        return False
    return licence.type in _ARCHIVE_LICENCES and licence.status == "active"


def _archive_capable(cluster: SimCluster) -> bool:
    return cluster.dialect.supports("archive_indices")


def _archive_floor_id(cluster: SimCluster) -> int:
    """Snapshots and indices below this id go through the archive path (8.3+)."""
    if cluster.dialect.major >= 9:
        return Version(7, 0, 0).legacy_id
    return _min_compat_id(cluster)


def _archive_licence_error() -> ApiError:
    return ApiError(
        403,
        "security_exception",
        "current license is non-compliant for [archive]",
        extra={"license.expired.feature": "archive"},
    )


def check_snapshot_restorable(
    cluster: SimCluster, repo: str, snapshot: SnapshotDetail, request: RestoreRequest
) -> None:
    """``RestoreService.validateSnapshotRestorable`` + the pre-restore version check."""
    if snapshot.state not in _restorable_states():
        state = snapshot.state.value if snapshot.state else "null"
        raise _snap_error(repo, snapshot, f"unsupported snapshot state [{state}]")
    dialect = cluster.dialect
    snap_id = version_id_of(snapshot.version)
    product = "OpenSearch" if dialect.is_opensearch else "Elasticsearch"
    if snap_id is not None:
        current = dialect.index_version_id
        newer = snap_id > current
        if dialect.is_opensearch and not snap_id & OPENSEARCH_MASK:
            newer = False  # an OpenSearch node reads any Elasticsearch legacy id as older
        if newer:
            if dialect.supports("index_version_ids"):
                raise _snap_error(
                    repo,
                    snapshot,
                    f"the snapshot was created with version [{release_text(snap_id)}] which is "
                    f"higher than the version of this node [{_node_version_text(cluster)}]",
                )
            raise _snap_error(
                repo,
                snapshot,
                f"the snapshot was created with {product} version [{_legacy_text(snap_id)}]"
                f" which is higher than the version of this node [{_node_version_text(cluster)}]",
            )
        if _archive_capable(cluster):
            # the archive plugin replaces the default check: legacy snapshots need a licence
            if snap_id < _archive_floor_id(cluster) and not _licence_allows_archive(cluster):
                raise _archive_licence_error()
        elif (snap_id & OPENSEARCH_MASK) == 0 and snap_id < _min_compat_id(cluster):
            raise _snap_error(
                repo,
                snapshot,
                f"the snapshot was created with {product} version "
                f"[{_version_text(cluster, snap_id)}] which is below the current versions "
                "minimum index compatibility version "
                f"[{dialect.minimum_index_compatibility_version}]",
            )
    if (
        request.include_global_state
        and snapshot.include_global_state is False
        and not dialect.is_opensearch
        and dialect.major >= 8
    ):
        raise _snap_error(
            repo,
            snapshot,
            "cannot restore global state since the snapshot was created without global state",
        )


def _resolve_feature_states(
    cluster: SimCluster, repo: str, snapshot: SnapshotDetail, request: RestoreRequest
) -> list[str]:
    if not cluster.dialect.supports("feature_states"):
        return []
    in_snapshot = [f.feature_name for f in snapshot.feature_states]
    requested = request.feature_states
    if requested is None or requested == []:
        return list(in_snapshot) if request.include_global_state else []
    if "none" in requested:
        if len(requested) > 1:
            raise ApiError(
                500,
                "snapshot_restore_exception",
                f"[{repo}:{snapshot.name}/{snapshot.uuid}] the feature_states value [none] "
                "indicates that no feature states should be restored, but other feature states "
                f"were requested: [{', '.join(requested)}]",
            )
        return []
    missing = [name for name in requested if name not in in_snapshot]
    if missing:
        raise _snap_error(
            repo,
            snapshot,
            f"requested feature states [[{', '.join(sorted(missing))}]] are not present in "
            "snapshot",
        )
    installed = cluster.state.features
    not_installed = [name for name in requested if installed and name not in installed]
    if not_installed:
        raise _snap_error(
            repo,
            snapshot,
            f"requested feature states [{', '.join(sorted(not_installed))}] are present in "
            "snapshot but those features are not installed on the current master node",
        )
    return list(dict.fromkeys(requested))


def filter_snapshot_indices(
    available: list[str], patterns: list[str] | None, *, ignore_unavailable: bool
) -> list[str]:
    """``SnapshotUtils.filterIndices``: names, ``*`` wildcards, ``_all``, ``-exclusions``."""
    if not patterns or patterns in (["_all"], ["*"]):
        return list(available)
    chosen: dict[str, None] = {}
    for position, part in enumerate(patterns):
        if part.startswith("-") and position > 0:
            for name in fnmatch.filter(list(chosen), part[1:]):
                chosen.pop(name, None)
            continue
        if any(ch in part for ch in "*?"):
            for name in available:
                if fnmatch.fnmatchcase(name, part):
                    chosen[name] = None
        elif part in available:
            chosen[part] = None
        elif not ignore_unavailable:
            raise index_not_found(part)
    return [name for name in available if name in chosen]


def _deletion_entry_text(deletion: Any) -> str:
    snapshots = ", ".join(deletion.snapshots)
    return (
        f"SnapshotDeletionsInProgress.Entry[[{deletion.repository}][{snapshots}][{deletion.state}]]"
    )


def plan_restore(
    cluster: SimCluster,
    repo: str,
    snapshot: SnapshotDetail,
    indices: list[IndexInSnapshot],
    request: RestoreRequest,
    *,
    index_sizes: dict[str, int] | None = None,
) -> RestorePlan:
    """Everything a real cluster checks, in its order; raises ``ApiError`` like it would."""
    dialect = cluster.dialect
    check_snapshot_restorable(cluster, repo, snapshot, request)
    feature_states = _resolve_feature_states(cluster, repo, snapshot, request)

    by_name = {index.name: index for index in indices}
    available = [name for name in snapshot.indices if name in by_name] or sorted(by_name)
    streams_in_snapshot = set(snapshot.data_streams)
    # request names that are data streams select their backing indices (matched leniently)
    requested = request.indices
    stream_patterns = [p for p in (requested or ["*"]) if not p.startswith("-")]
    chosen_streams = [
        s
        for s in sorted(streams_in_snapshot)
        if any(fnmatch.fnmatchcase(s, p) or p == "_all" for p in stream_patterns)
    ]
    index_patterns = requested
    if requested:
        index_patterns = [p for p in requested if p not in streams_in_snapshot]
    selected = (
        filter_snapshot_indices(
            available, index_patterns, ignore_unavailable=request.ignore_unavailable
        )
        if index_patterns or not requested
        else []
    )
    for stream in chosen_streams:
        for index in indices:
            if index.data_stream == stream and index.name not in selected:
                selected.append(index.name)

    feature_indices: dict[str, str] = {}
    for feature in snapshot.feature_states:
        for name in feature.indices:
            feature_indices[name] = feature.feature_name
    if dialect.supports("system_indices_via_features_only"):
        explicit_system = sorted(
            name
            for name in selected
            if (by_name[name].system or name in feature_indices) and requested and name in requested
        )
        if explicit_system:
            raise _bad(
                f"requested system indices [{', '.join(explicit_system)}], but system indices "
                "can only be restored as part of a feature state"
            )
        selected = [n for n in selected if not by_name[n].system and n not in feature_indices]
    if feature_states:
        # indices of the restored feature states join, never renamed
        for feature in snapshot.feature_states:
            if feature.feature_name in feature_states:
                selected.extend(n for n in feature.indices if n in by_name and n not in selected)

    # renames and their collisions
    targets: dict[str, str] = {}
    for name in selected:
        info = by_name[name]
        if name in feature_indices and feature_indices[name] in feature_states:
            target = name
        else:
            target = rename_index(name, request, data_stream_backing=info.data_stream is not None)
        for other, other_target in targets.items():
            if other_target == target:
                raise ApiError(
                    500,
                    "snapshot_restore_exception",
                    f"[{repo}:{snapshot.name}] indices [{other}] and [{name}] are renamed into "
                    f"the same index [{target}]",
                )
        targets[name] = target

    # cluster-state task
    for deletion in cluster.state.snapshot_deletions:
        if deletion.repository == repo and snapshot.name in deletion.snapshots:
            raise ApiError(
                503,
                "concurrent_snapshot_execution_exception",
                f"[{repo}:{snapshot.name}/{snapshot.uuid}] cannot restore a snapshot while a "
                f"snapshot deletion is in-progress [{_deletion_entry_text(deletion)}]",
            )

    failed_indices = {f.index for f in snapshot.failures}
    plans: list[IndexPlan] = []
    for name in selected:
        info = by_name[name]
        target = targets[name]
        partial = name in failed_indices
        if partial and not request.partial:
            raise _snap_error(
                repo, snapshot, f"index [{name}] wasn't fully snapshotted - cannot restore"
            )
        settings = _apply_settings(repo, snapshot, info, request)
        archive = _verify_index(cluster, repo, snapshot, info, settings)
        if archive:
            settings["index.version.compatibility"] = str(dialect.index_version_id)
            settings["index.blocks.write"] = "true"
        existing = cluster.index(target)
        aliases_in_cluster = {a for i in cluster.state.indices.values() for a in i.aliases}
        if existing is None and target in aliases_in_cluster:
            raise _snap_error(
                repo,
                snapshot,
                f"cannot rename index [{name}] into [{target}] because of conflict with an alias "
                "with the same name",
            )
        shards = int(settings.get("index.number_of_shards", info.primary_shards or 1))
        replicas = _replicas(settings)
        replaces: IndexState | None = None
        if existing is not None and not (
            name in feature_indices and feature_indices[name] in feature_states
        ):
            if existing.is_open:
                raise _snap_error(
                    repo,
                    snapshot,
                    f"cannot restore index [{target}] because an open index with same name "
                    "already exists in the cluster. Either close or delete the existing index or "
                    "restore the index under a different name by providing a rename pattern and "
                    "replacement name",
                )
            if partial:
                raise _snap_error(
                    repo,
                    snapshot,
                    f"cannot restore partial index [{target}] because such index already exists",
                )
            if existing.primary_shards != shards:
                raise _snap_error(
                    repo,
                    snapshot,
                    f"cannot restore index [{target}] with [{existing.primary_shards}] shards from "
                    f"a snapshot of index [{name}] with [{shards}] shards",
                )
            replaces = existing
        else:
            _check_shard_limit(cluster, shards * (1 + replicas))
        aliases = list(info.aliases) if request.include_aliases else []
        if request.include_aliases and request.rename_alias_pattern is not None:
            aliases = [
                java_replace_all(
                    a, request.rename_alias_pattern, request.rename_alias_replacement or ""
                )
                for a in aliases
            ]
        plans.append(
            IndexPlan(
                source=info,
                target=target,
                settings=settings,
                primary_shards=shards,
                replicas=replicas,
                aliases=aliases,
                data_stream=None,
                system=info.system or name in feature_indices,
                archive=archive,
                replaces_closed=replaces,
                size_in_bytes=(index_sizes or {}).get(name),
            )
        )

    stream_plans: list[DataStreamPlan] = []
    for stream in chosen_streams:
        backing = [p for p in plans if p.source.data_stream == stream]
        if not backing:
            continue
        target = rename_index(stream, request, data_stream_backing=False)
        for plan in backing:
            plan.data_stream = target
        stream_plans.append(
            DataStreamPlan(
                source=stream,
                target=target,
                backing=[p.target for p in backing],
                replaces_existing=target in cluster.state.data_streams,
            )
        )

    to_delete = []
    for feature in snapshot.feature_states:
        if feature.feature_name in feature_states:
            to_delete.extend(n for n in feature.indices if cluster.index(n) is not None)
    return RestorePlan(
        repository=repo,
        snapshot=snapshot.name,
        snapshot_uuid=snapshot.uuid,
        snapshot_version_id=version_id_of(snapshot.version),
        indices=plans,
        data_streams=stream_plans,
        feature_states=feature_states,
        system_indices_to_delete=to_delete,
        include_global_state=request.include_global_state,
    )


def _replicas(settings: dict[str, str]) -> int:
    try:
        return int(settings.get("index.number_of_replicas", "1"))
    except ValueError:
        return 1


def _apply_settings(
    repo: str, snapshot: SnapshotDetail, info: IndexInSnapshot, request: RestoreRequest
) -> dict[str, str]:
    """``RestoreService.updateIndexSettings``: overrides and removals, with the refusals."""
    settings = dict(info.settings)
    for key in request.index_settings:
        if key in UNMODIFIABLE_SETTINGS:
            raise _snap_error(repo, snapshot, f"cannot modify setting [{key}] on restore")
    if request.index_settings.get("index.soft_deletes.enabled") == "false" and (
        settings.get("index.soft_deletes.enabled", "true") != "false"
    ):
        raise _snap_error(
            repo, snapshot, "cannot disable setting [index.soft_deletes.enabled] on restore"
        )
    for key in request.ignore_index_settings:
        if not key.endswith("*") and key in UNREMOVABLE_SETTINGS:
            raise _snap_error(repo, snapshot, f"cannot remove setting [{key}] on restore")
    for pattern in request.ignore_index_settings:
        for key in list(settings):
            if key in UNREMOVABLE_SETTINGS:
                continue
            if fnmatch.fnmatchcase(key, pattern) or key == pattern:
                del settings[key]
    settings.update(request.index_settings)
    return settings


def _index_text(info: IndexInSnapshot) -> str:
    return f"[{info.name}/{info.uuid or '_na_'}]"


def _verify_index(
    cluster: SimCluster,
    repo: str,
    snapshot: SnapshotDetail,
    info: IndexInSnapshot,
    settings: dict[str, str],
) -> bool:
    """``IndexMetadataVerifier.verifyIndexMetadata`` (+ archive conversion on 8.3+).

    Returns True when the index becomes an archive index; raises the wrapped
    "cannot be upgraded" error when the cluster cannot read it.
    """
    raw = settings.get("index.version.created")
    if raw is None or not raw.isdigit():
        return False
    created = int(raw)
    dialect = cluster.dialect
    if dialect.is_opensearch and created & OPENSEARCH_MASK:
        return False  # an OpenSearch-created index: same line or older OpenSearch, readable
    if created > dialect.index_version_id and not dialect.is_opensearch:
        return False  # newer indices were already refused at snapshot level
    minimum = _min_compat_id(cluster)
    if created >= minimum:
        return False
    if (
        _archive_capable(cluster)
        and Version(5, 0, 0).legacy_id <= created < Version(7, 0, 0).legacy_id
    ):
        if not _licence_allows_archive(cluster):
            raise _archive_licence_error()
        return True
    if (
        not dialect.is_opensearch
        and dialect.major >= 9
        and created >= Version(7, 0, 0).legacy_id
        and settings.get("index.blocks.write") == "true"
    ):
        return False  # N-2 read-only (9.x)
    raise wrapped(
        _snap_error(
            repo,
            snapshot,
            f"cannot restore index [{_index_text(info)}] because it cannot be upgraded",
        ),
        ApiError(500, "illegal_state_exception", _upgrade_message(cluster, info, created)),
        root_is_inner=False,
    )


def _upgrade_message(cluster: SimCluster, info: IndexInSnapshot, created: int) -> str:
    dialect = cluster.dialect
    current = dialect.number
    minimum = dialect.minimum_index_compatibility_version
    if dialect.is_opensearch:
        created_text = _legacy_text(created)
        if dialect.major == 2:
            return (
                f"The index {_index_text_brackets(info)} was created with version [{created_text}] "
                "but the minimum compatible version is OpenSearch 1.0.0 (or Elasticsearch 7.0.0). "
                "It should be re-indexed in OpenSearch 1.x (or Elasticsearch 7.x) before "
                f"upgrading to {current}."
            )
        return (
            f"The index {_index_text_brackets(info)} was created with version [{created_text}] "
            f"but the minimum compatible version is [{minimum}]. It should be re-indexed in "
            f"Elasticsearch {dialect.min_index_compat.major}.x before upgrading to {current}."
        )
    if dialect.major >= 9:
        return (
            f"The index {_index_text(info)} has current compatibility version "
            f"[{release_text(created)}] but the minimum compatible version is [{minimum}]. It "
            f"should be re-indexed in Elasticsearch {dialect.major - 1}.x before upgrading to "
            f"{current}."
        )
    return (
        f"The index {_index_text_brackets(info)} was created with version "
        f"[{_version_text(cluster, created)}] but the minimum compatible version is [{minimum}]. "
        f"It should be re-indexed in Elasticsearch {dialect.min_index_compat.major}.x before "
        f"upgrading to {current}."
    )


def _index_text_brackets(info: IndexInSnapshot) -> str:
    return f"[{_index_text(info)}]"


def _check_shard_limit(cluster: SimCluster, new_shards: int) -> None:
    dialect = cluster.dialect
    if not dialect.is_opensearch and dialect.major < 7:
        return
    current = cluster.total_open_shards()
    limit = cluster.shard_limit()
    if current + new_shards <= limit:
        return
    old_wording = dialect.is_opensearch or (dialect.version.major, dialect.version.minor) < (7, 12)
    if old_wording:
        message = (
            f"this action would add [{new_shards}] total shards, but this cluster currently has "
            f"[{current}]/[{limit}] maximum shards open;"
        )
    else:
        message = (
            f"this action would add [{new_shards}] shards, but this cluster currently has "
            f"[{current}]/[{limit}] maximum normal shards open;"
        )
    raise ApiError(400, "validation_exception", f"Validation Failed: 1: {message}")


# --------------------------------------------------------------------------------------------
# applying a plan


_BASE_SETTINGS = {
    "index.creation_date",
    "index.number_of_replicas",
    "index.number_of_shards",
    "index.uuid",
    "index.version.created",
}


def apply_restore(cluster: SimCluster, plan: RestorePlan, restore_uuid: str) -> list[IndexState]:
    """Create the restored indices, data streams and global state in the cluster state.

    Shards start initialising (``initializing_primaries``); ``recovery.start_restore`` moves
    them on with the clock.
    """
    from esnap_tui.sandbox.state import DataStreamState

    for name in plan.system_indices_to_delete:
        cluster.remove_index(name)
    created: list[IndexState] = []
    for item in plan.indices:
        settings = item.settings
        uuid = item.replaces_closed.uuid if item.replaces_closed else cluster.ids.uuid()
        extra = {k: v for k, v in settings.items() if k not in _BASE_SETTINGS}
        try:
            created_id = int(settings.get("index.version.created", "0"))
        except ValueError:
            created_id = cluster.dialect.index_version_id
        try:
            creation = int(settings.get("index.creation_date", "0"))
        except ValueError:
            creation = cluster.clock.now_ms()
        if item.replaces_closed is not None:
            cluster.remove_index(item.target)
        index = cluster.new_index(
            item.target,
            uuid=uuid,
            created_version_id=created_id,
            creation_date_ms=creation,
            primary_shards=item.primary_shards,
            replicas=item.replicas,
            aliases=list(item.aliases),
            settings=extra,
            system=item.system,
            hidden=settings.get("index.hidden") == "true",
            data_stream=item.data_stream,
            size_in_bytes=item.size_in_bytes or 0,
            initializing_primaries=item.primary_shards,
            restored_from={
                "repository": plan.repository,
                "snapshot": plan.snapshot,
                "uuid": plan.snapshot_uuid,
                "restoreUUID": restore_uuid,
                "index": item.source.name,
            },
        )
        cluster.add_index(index)
        created.append(index)
    for stream in plan.data_streams:
        existing = cluster.state.data_streams.get(stream.target)
        cluster.state.data_streams[stream.target] = DataStreamState(
            name=stream.target,
            indices=list(stream.backing),
            generation=max(len(stream.backing), existing.generation if existing else 1),
            template=existing.template if existing else "",
            ilm_policy=existing.ilm_policy if existing else None,
        )
    if plan.include_global_state and plan.global_metadata:
        _apply_global_state(cluster, plan.global_metadata)
    return created


def _apply_global_state(cluster: SimCluster, metadata: dict[str, Any]) -> None:
    """Persistent settings and templates replace the cluster's; legacy templates merge."""
    state = cluster.state
    settings = metadata.get("settings")
    if isinstance(settings, dict):
        state.persistent_settings = dict(settings)
    templates = metadata.get("templates")
    if isinstance(templates, dict):
        state.templates.update(templates)
    for key, target in (
        ("index_template", state.index_templates),
        ("component_template", state.component_templates),
    ):
        custom = metadata.get(key)
        if isinstance(custom, dict):
            inner = custom.get(key, custom)
            if isinstance(inner, dict):
                target.clear()
                target.update(inner)


__all__ = [
    "DataStreamPlan",
    "IndexPlan",
    "RestorePlan",
    "RestoreRequest",
    "apply_restore",
    "check_snapshot_restorable",
    "filter_snapshot_indices",
    "java_replace_all",
    "parse_restore_request",
    "plan_restore",
    "rename_index",
    "version_id_of",
]
