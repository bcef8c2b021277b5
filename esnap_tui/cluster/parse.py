"""REST JSON -> shared models. Lenient by design: every version omits or adds fields
(es-rest-api.md §3.5-3.6), so a missing or odd field becomes ``None``/empty, never a crash.
"""

from __future__ import annotations

from typing import Any

from esnap_tui.cluster.models import ClusterHealth, ClusterIndex, ClusterLicense, RepositoryInfo
from esnap_tui.models import (
    FeatureState,
    IndexDetails,
    ShardFailure,
    SnapshotDetail,
    SnapshotState,
    SnapshotSummary,
)
from esnap_tui.versions import Product, Version, VersionRange, decode_version_id


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.rstrip("%"))
        except ValueError:
            return None
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _time_ms(value: Any) -> int | None:
    """Epoch millis; 0/negative mean "not recorded" (in-progress end, verbose=false)."""
    number = _int(value)
    return number if number is not None and number > 0 else None


def _str_list(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def snapshot_version(raw: dict[str, Any], product: Product | None = None) -> VersionRange | None:
    """The version that wrote a snapshot, from ``version_id`` (exact for legacy ids, a range
    for 8.11+ IndexVersion ids, OpenSearch by bit 27) or else the ``version`` string, which is a
    release ("7.9.2") before 8.10 and an id ("8503000") after."""
    version_id = _int(raw.get("version_id"))
    if version_id is not None:
        try:
            return decode_version_id(version_id)
        except (ValueError, KeyError):
            pass
    text = _str(raw.get("version"))
    if not text:
        return None
    if text.isdigit():
        try:
            return decode_version_id(int(text))
        except (ValueError, KeyError):
            return None
    try:
        major = int(text.split(".", 1)[0])
    except ValueError:
        return None
    # A release string on an OpenSearch cluster is OpenSearch's own (1.x-3.x) unless it is an
    # Elasticsearch 5-7 string from a snapshot taken before the migration.
    opensearch_own = product is Product.OPENSEARCH and major <= 4
    guess = Product.OPENSEARCH if opensearch_own else Product.ELASTICSEARCH
    try:
        version = Version.parse(text, guess)
    except ValueError:
        return None
    return VersionRange(version, version)


def slm_policy(raw: dict[str, Any]) -> str | None:
    metadata = raw.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("policy"), str):
        return metadata["policy"]
    return _str(raw.get("slm_policy"))


def _state(value: Any) -> SnapshotState | None:
    try:
        return SnapshotState(value) if isinstance(value, str) else None
    except ValueError:
        return None


def snapshot_summary(
    raw: dict[str, Any], repository: str, product: Product | None = None
) -> SnapshotSummary:
    indices = raw.get("indices")
    return SnapshotSummary(
        name=str(raw.get("snapshot", "")),
        uuid=str(raw.get("uuid", "")),
        repository=_str(raw.get("repository")) or repository,
        state=_state(raw.get("state")),
        version=snapshot_version(raw, product),
        start_time_ms=_time_ms(raw.get("start_time_in_millis")),
        end_time_ms=_time_ms(raw.get("end_time_in_millis")),
        indices_count=len(indices) if isinstance(indices, list) else None,
        slm_policy=slm_policy(raw),
    )


def _failure(raw: Any) -> ShardFailure | None:
    if not isinstance(raw, dict):
        return None
    return ShardFailure(
        index=str(raw.get("index", "")),
        shard_id=_int(raw.get("shard_id")),
        reason=str(raw.get("reason", "")),
        node_id=_str(raw.get("node_id")),
        status=_str(raw.get("status")),
    )


def _index_details(raw: Any) -> dict[str, IndexDetails]:
    if not isinstance(raw, dict):
        return {}
    result: dict[str, IndexDetails] = {}
    for name, details in raw.items():
        if not isinstance(details, dict):
            continue
        result[name] = IndexDetails(
            shard_count=_int(details.get("shard_count")) or 0,
            size_in_bytes=_int(details.get("size_in_bytes")),
            max_segments_per_shard=_int(details.get("max_segments_per_shard")),
        )
    return result


def snapshot_detail(
    raw: dict[str, Any], repository: str, product: Product | None = None
) -> SnapshotDetail:
    summary = snapshot_summary(raw, repository, product)
    shards = raw.get("shards") if isinstance(raw.get("shards"), dict) else {}
    feature_states = [
        FeatureState(str(item.get("feature_name", "")), tuple(_str_list(item.get("indices"))))
        for item in raw.get("feature_states") or []
        if isinstance(item, dict)
    ]
    failures = [f for f in map(_failure, raw.get("failures") or []) if f is not None]
    include_global = raw.get("include_global_state")
    metadata = raw.get("metadata")
    return SnapshotDetail(
        **vars(summary),
        indices=_str_list(raw.get("indices")),
        data_streams=_str_list(raw.get("data_streams")),
        feature_states=feature_states,
        include_global_state=include_global if isinstance(include_global, bool) else None,
        metadata=metadata if isinstance(metadata, dict) else None,
        reason=_str(raw.get("reason")),
        total_shards=_int(shards.get("total")),
        successful_shards=_int(shards.get("successful")),
        failed_shards=_int(shards.get("failed")),
        failures=failures,
        index_details=_index_details(raw.get("index_details")),
    )


def snapshot_list(body: Any) -> list[dict[str, Any]]:
    """The ``snapshots`` array of a get-snapshots answer (every version uses it)."""
    if not isinstance(body, dict):
        return []
    items = body.get("snapshots")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def repositories(body: Any) -> list[RepositoryInfo]:
    if not isinstance(body, dict):
        return []
    result = []
    for name, raw in body.items():
        if not isinstance(raw, dict):
            continue
        settings = raw.get("settings") if isinstance(raw.get("settings"), dict) else {}
        repo_type = str(raw.get("type", ""))
        location = _str(settings.get("location"))
        if repo_type == "url":
            location = _str(settings.get("url"))
        readonly_setting = str(settings.get("readonly", settings.get("read_only", ""))).lower()
        result.append(
            RepositoryInfo(
                name=str(name),
                type=repo_type,
                settings=dict(settings),
                location=location,
                readonly=repo_type == "url" or readonly_setting == "true",
                uuid=_str(raw.get("uuid")),
            )
        )
    return sorted(result, key=lambda repo: repo.name)


def health(body: Any) -> ClusterHealth:
    raw = body if isinstance(body, dict) else {}
    return ClusterHealth(
        status=str(raw.get("status", "unknown")),
        cluster_name=_str(raw.get("cluster_name")),
        number_of_nodes=_int(raw.get("number_of_nodes")),
        number_of_data_nodes=_int(raw.get("number_of_data_nodes")),
        active_primary_shards=_int(raw.get("active_primary_shards")),
        active_shards=_int(raw.get("active_shards")),
        relocating_shards=_int(raw.get("relocating_shards")),
        initializing_shards=_int(raw.get("initializing_shards")),
        unassigned_shards=_int(raw.get("unassigned_shards")),
        active_shards_percent=_float(raw.get("active_shards_percent_as_number")),
        timed_out=raw.get("timed_out") is True,
    )


def cat_indices(body: Any) -> list[ClusterIndex]:
    rows = body if isinstance(body, list) else []
    result = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("index"), str):
            continue
        result.append(
            ClusterIndex(
                name=row["index"],
                uuid=_str(row.get("uuid")),
                health=_str(row.get("health")),
                status=_str(row.get("status")),
                primary_shards=_int(row.get("pri")),
                replicas=_int(row.get("rep")),
                docs_count=_int(row.get("docs.count")),
                size_in_bytes=_int(row.get("store.size")),
            )
        )
    return sorted(result, key=lambda index: index.name)


def flat_settings(body: Any, index: str) -> dict[str, str]:
    """``GET <index>/_settings?flat_settings=true`` -> ``{"index.version.created": "7100299"}``."""
    if not isinstance(body, dict) or not body:
        return {}
    entry = body.get(index)
    if entry is None and len(body) == 1:
        entry = next(iter(body.values()))
    settings = entry.get("settings") if isinstance(entry, dict) else None
    if not isinstance(settings, dict):
        return {}
    return {str(key): _setting_text(value) for key, value in settings.items()}


def _setting_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_setting_text(item) for item in value)
    return str(value)


def error_summary(body: Any) -> tuple[str | None, str | None]:
    """(type, reason) of an Elasticsearch error body, or of the 6.x/7.x string form."""
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    if isinstance(error, str):
        return None, error
    if isinstance(error, dict):
        reason = _str(error.get("reason"))
        causes = error.get("root_cause")
        if not reason and isinstance(causes, list) and causes and isinstance(causes[0], dict):
            reason = _str(causes[0].get("reason"))
        return _str(error.get("type")), reason
    return None, None


def license_info(body: Any) -> ClusterLicense | None:
    """``{"license": {"type": .., "status": ..}}`` -> ``ClusterLicense`` (None if absent)."""
    licence = body.get("license") if isinstance(body, dict) else None
    if not isinstance(licence, dict) or not isinstance(licence.get("type"), str):
        return None
    status = licence.get("status")
    return ClusterLicense(
        type=licence["type"].lower(), status=status.lower() if isinstance(status, str) else "active"
    )
