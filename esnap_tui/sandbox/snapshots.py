"""Snapshot, restore and recovery routes of a simulated cluster, answered from repository bytes.

Why from the bytes: several simulated clusters may register the same directory (a shared
backup mount), so a snapshot one cluster takes must appear on the others, as in real life.
Every answer re-reads the ``index-N`` catalogue when its generation changed and serves from
per-generation caches otherwise (snapshot blobs are immutable, so their decoded form is kept
across generations).

Routes (registered by ``register_snapshot_routes``, called by ``server.build_app``):
  GET    _snapshot/<repos>/<snapshots>          get-snapshots (§3.4-3.6 of es-rest-api.md)
  GET    _snapshot/_status, <repo>/_status, <repo>/<snaps>/_status   (§3.7)
  PUT|POST _snapshot/<repo>/<snap>             create snapshot (written in the cluster's dialect)
  DELETE _snapshot/<repo>/<snaps>               delete snapshot (optionally in flight for a while)
  POST   _snapshot/<repo>/<snap>/_restore       restore (``restore.py`` decides, §4)
  GET    _recovery, <index>/_recovery           recoveries (``recovery.py``, §5.1)
  GET    _cat/snapshots[/<repo>], _cat/recovery[/<index>]   (§3.8, §5.2)

Choices where the reference is silent or says GUESS (documented here once):
  * 9.x prints SnapshotInfo ``version`` as the id string, like 8.10+ (IndexVersion.toString).
  * 7.14-8.14 report a missing repository in ``failures`` (200); 8.15+ and ≤7.13 answer 404.
  * Unknown ``sort``/``order``/``state``/``after`` values: 400 ``illegal_argument_exception``
    with the wording below (not verified against source).
  * Create snapshot completes at once: ``start_time`` = now, ``end_time`` = now + a duration
    derived from the data size; there is no ``IN_PROGRESS`` phase (``_current`` lists none).
  * Delete snapshot stays "in flight" for ``cluster.extensions["snapshot_delete_ms"]`` of
    clock time (default 0), during which a restore of it answers the real 503.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from esnap_tui.models import SnapshotDetail, SnapshotState, SnapshotSummary
from esnap_tui.repository.errors import RepositoryError
from esnap_tui.repository.reader import RepositoryReader, ShardSnapshot
from esnap_tui.repository.writer import (
    DuplicateSnapshotError,
    IndexToWrite,
    RepositoryWriter,
    SnapshotToWrite,
)
from esnap_tui.sandbox import recovery, restore
from esnap_tui.sandbox.cat import CatColumn, CatTable, cat_response
from esnap_tui.sandbox.errors import ApiError
from esnap_tui.sandbox.httputil import (
    byte_size,
    check_params,
    cluster_of,
    flag,
    human,
    int_param,
    iso_ms,
    read_json,
    respond,
    time_value,
)
from esnap_tui.sandbox.state import SnapshotDeletion
from esnap_tui.versions import Version

if TYPE_CHECKING:
    from esnap_tui.sandbox.state import IndexState, RegisteredRepository, SimCluster

# --------------------------------------------------------------------------------------------
# repositories from the bytes


@dataclass
class _Generation:
    """Caches valid for one catalogue generation."""

    generation: int
    summaries: list[SnapshotSummary]
    by_name: dict[str, SnapshotSummary]
    orders: dict[tuple[str, str, str], list[_Entry]] = field(default_factory=dict)


@dataclass
class RepositoryView:
    """One repository directory shared by every cluster that registered it."""

    path: Path
    reader: RepositoryReader | None = None
    current: _Generation | None = None

    def _latest_unchanged(self) -> bool:
        """Cheap check: ``index.latest`` names our generation and no newer ``index-N`` exists."""
        reader = self.reader
        if reader is None:
            return False
        try:
            raw = (self.path / "index.latest").read_bytes()
        except OSError:
            return False
        if len(raw) != 8 or int.from_bytes(raw, "big", signed=True) != reader.generation:
            return False
        return not (self.path / f"index-{reader.generation + 1}").exists()

    def fresh(self) -> RepositoryReader:
        """The reader, re-read when another writer moved the repository on."""
        if self.reader is None:
            self.reader = RepositoryReader(self.path)
        elif not self._latest_unchanged():
            self.reader.refresh()
        return self.reader

    def generation(self) -> _Generation:
        reader = self.fresh()
        if self.current is None or self.current.generation != reader.generation:
            summaries = reader.snapshots()
            self.current = _Generation(reader.generation, summaries, {s.name: s for s in summaries})
        return self.current

    def _reader(self) -> RepositoryReader:
        return self.reader if self.reader is not None else self.fresh()

    def info(self, summary: SnapshotSummary) -> dict[str, Any]:
        """The raw SnapshotInfo of ``snap-<uuid>.dat`` (echoed verbatim; cached by the reader)."""
        return self._reader().snapshot_info(summary.name)

    def version_id(self, summary: SnapshotSummary) -> int | None:
        """The exact ``version_id`` the snapshot's blob records, if any."""
        return self._reader().snapshot_version_id(summary.name)

    def shard(self, snapshot: str, index: str, shard: int) -> ShardSnapshot | None:
        """A shard's own snapshot blob, or None when absent or unreadable."""
        try:
            return self._reader().shard_snapshot(snapshot, index, shard)
        except RepositoryError:
            return None


_VIEWS: dict[Path, RepositoryView] = {}


def repository_view(repo: RegisteredRepository) -> RepositoryView:
    """The shared view of a registered repository's directory."""
    if repo.path is None:
        raise ApiError(500, "repository_exception", f"[{repo.name}] repository has no location")
    key = repo.path.resolve()
    view = _VIEWS.get(key)
    if view is None:
        view = _VIEWS[key] = RepositoryView(key)
    return view


def _empty_repository(path: Path) -> bool:
    return not any(path.glob("index-*")) if path.is_dir() else True


def _summaries(repo: RegisteredRepository) -> list[SnapshotSummary]:
    view = repository_view(repo)
    if view.reader is None and _empty_repository(view.path):
        return []
    try:
        return view.generation().summaries
    except RepositoryError as error:
        raise ApiError(500, "repository_exception", f"[{repo.name}] {error}") from None


def _require_repository(cluster: SimCluster, name: str) -> RegisteredRepository:
    repo = cluster.repositories.get(name)
    if repo is None:
        raise ApiError(404, "repository_missing_exception", f"[{name}] missing")
    return repo


def _simple_match(pattern: str, value: str) -> bool:
    """ES ``Regex.simpleMatch``: only ``*`` is special."""
    if "*" not in pattern:
        return pattern == value
    parts = pattern.split("*")
    if not value.startswith(parts[0]) or not value.endswith(parts[-1]):
        return False
    position = len(parts[0])
    end = len(value) - len(parts[-1])
    for part in parts[1:-1]:
        found = value.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return position <= end


# --------------------------------------------------------------------------------------------
# SnapshotInfo rendering (§3.6)


def snapshot_version_text(cluster: SimCluster, version_id: int) -> str:
    """How this release prints a snapshot's version: the release string up to 8.9, the id
    string from 8.10 on (IndexVersion), the OpenSearch/legacy release string on OpenSearch."""
    dialect = cluster.dialect
    if not dialect.is_opensearch and dialect.supports("snapshot_version_as_id"):
        return str(version_id)
    try:
        return str(Version.from_legacy_id(version_id))
    except ValueError:
        return str(version_id)


def _version_id(entry: _Entry) -> int | None:
    found = entry.view.version_id(entry.summary)
    return found if found is not None else restore.version_id_of(entry.summary.version)


@dataclass
class _Entry:
    """One snapshot of one repository as listed by this cluster."""

    repository: str
    summary: SnapshotSummary
    view: RepositoryView

    @property
    def name(self) -> str:
        return self.summary.name

    def info(self) -> dict[str, Any]:
        return self.view.info(self.summary)

    def start_ms(self) -> int:
        if self.summary.start_time_ms is not None:
            return self.summary.start_time_ms
        return _int(self.info().get("start_time"))

    def end_ms(self) -> int:
        if self.summary.end_time_ms is not None:
            return self.summary.end_time_ms
        return _int(self.info().get("end_time"))

    def index_count(self) -> int:
        if self.summary.indices_count is not None:
            return self.summary.indices_count
        return len(self.info().get("indices") or [])

    def shards(self) -> tuple[int, int, int]:
        info = self.info()
        total = _int(info.get("total_shards"))
        successful = _int(info.get("successful_shards"))
        return total, total - successful, successful

    def state(self) -> str:
        info_state = None
        if self.summary.state is None:
            info_state = self.info().get("state")
        return str(self.summary.state.value if self.summary.state else info_state or "SUCCESS")

    def policy(self) -> str | None:
        if self.summary.slm_policy:
            return self.summary.slm_policy
        metadata = self.info().get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("policy"), str):
            return metadata["policy"]
        return None


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return 0


def snapshot_info_document(
    cluster: SimCluster,
    entry: _Entry,
    *,
    verbose: bool = True,
    human_fields: bool = False,
    index_details: bool = False,
    include_repository: bool = True,
    index_names: bool = True,
) -> dict[str, Any]:
    """``SnapshotInfo.toXContentExternal`` of this dialect, fields in its order."""
    dialect = cluster.dialect
    summary = entry.summary
    doc: dict[str, Any] = {"snapshot": summary.name, "uuid": summary.uuid}
    if dialect.supports("snapshot_repository_field") and include_repository:
        doc["repository"] = entry.repository
    if not verbose:
        view = entry.view.current
        indices = _catalogue_indices(entry) if view is not None else []
        if index_names:
            doc["indices"] = indices
        if dialect.supports("snapshot_data_streams"):
            doc["data_streams"] = []
        doc["state"] = entry.state()
        return doc
    info = entry.info()
    version_id = _version_id(entry)
    if version_id is not None:
        doc["version_id"] = version_id
        doc["version"] = snapshot_version_text(cluster, version_id)
    if index_names:
        doc["indices"] = [str(i) for i in info.get("indices") or []]
    details = info.get("index_details")
    if (
        index_details
        and dialect.supports("index_details")
        and isinstance(details, dict)
        and details
    ):
        out: dict[str, Any] = {}
        for name in sorted(details):
            item = details[name] if isinstance(details[name], dict) else {}
            detail: dict[str, Any] = {"shard_count": _int(item.get("shard_count"))}
            size = _int(item.get("size_in_bytes"))
            if human_fields:
                detail["size"] = byte_size(size)
            detail["size_in_bytes"] = size
            detail["max_segments_per_shard"] = _int(item.get("max_segments_per_shard"))
            out[name] = detail
        doc["index_details"] = out
    if dialect.supports("snapshot_data_streams"):
        doc["data_streams"] = [str(d) for d in info.get("data_streams") or []]
    if isinstance(info.get("include_global_state"), bool):
        doc["include_global_state"] = info["include_global_state"]
    if dialect.supports("snapshot_metadata") and isinstance(info.get("metadata"), dict):
        doc["metadata"] = info["metadata"]
    doc["state"] = entry.state()
    if isinstance(info.get("reason"), str):
        doc["reason"] = info["reason"]
    start, end = entry.start_ms(), entry.end_ms()
    doc["start_time"] = iso_ms(start)
    doc["start_time_in_millis"] = start
    doc["end_time"] = iso_ms(end)
    doc["end_time_in_millis"] = end
    duration = max(0, end - start)
    if human_fields:
        doc["duration"] = time_value(duration)
    doc["duration_in_millis"] = duration
    doc["failures"] = [_failure_doc(f) for f in info.get("failures") or [] if isinstance(f, dict)]
    total, failed, successful = entry.shards()
    doc["shards"] = {"total": total, "failed": failed, "successful": successful}
    if dialect.supports("feature_states"):
        doc["feature_states"] = [
            {"feature_name": str(f.get("feature_name", "")), "indices": list(f.get("indices", []))}
            for f in info.get("feature_states") or []
            if isinstance(f, dict)
        ]
    return doc


def _catalogue_indices(entry: _Entry) -> list[str]:
    reader = entry.view.reader
    if reader is None:
        return []
    return sorted(i.name for i in reader.catalogue.indices_of(entry.summary.uuid))


def _failure_doc(raw: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"index": raw.get("index")}
    if "index_uuid" in raw:
        doc["index_uuid"] = raw["index_uuid"]
    doc["shard_id"] = raw.get("shard_id", 0)
    doc["reason"] = raw.get("reason")
    if raw.get("node_id") is not None:
        doc["node_id"] = raw["node_id"]
    doc["status"] = raw.get("status", "INTERNAL_SERVER_ERROR")
    return doc


# --------------------------------------------------------------------------------------------
# get-snapshots (§3.4, §3.5)

_SORTS = ("start_time", "duration", "name", "index_count")
_SORTS_716 = ("repository", "shard_count", "failed_shard_count")
_STATES = ("IN_PROGRESS", "SUCCESS", "FAILED", "PARTIAL", "INCOMPATIBLE")


def _get_params(cluster: SimCluster) -> set[str]:
    dialect = cluster.dialect
    allowed = {"master_timeout", "ignore_unavailable", "verbose"}
    if dialect.is_opensearch:
        allowed.add("cluster_manager_timeout")
    for flag_name, params in (
        ("index_details", ("index_details",)),
        ("include_repository", ("include_repository",)),
        ("pagination", ("sort", "size", "order", "after")),
        ("offset", ("offset",)),
        ("from_sort_value", ("from_sort_value",)),
        ("slm_policy_filter", ("slm_policy_filter",)),
        ("index_names", ("index_names",)),
        ("state_filter", ("state",)),
    ):
        if dialect.supports(flag_name):
            allowed.update(params)
    return allowed


def _sort_value(entry: _Entry, sort: str) -> Any:
    if sort == "start_time":
        return entry.start_ms()
    if sort == "name":
        return entry.name
    if sort == "duration":
        return max(0, entry.end_ms() - entry.start_ms())
    if sort == "index_count":
        return entry.index_count()
    if sort == "repository":
        return entry.repository
    if sort == "shard_count":
        return entry.shards()[0]
    return entry.shards()[1]  # failed_shard_count


def _parse_sort_value(sort: str, text: str) -> Any:
    if sort in ("name", "repository"):
        return text
    try:
        return int(text)
    except ValueError:
        raise ApiError(
            400,
            "illegal_argument_exception",
            f"failed to parse from_sort_value [{text}] for sort [{sort}]",
        ) from None


def _encode_after(entry: _Entry, sort: str) -> str:
    value = f"{_sort_value(entry, sort)},{entry.repository},{entry.name}"
    return base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii")


def _decode_after(text: str, sort: str) -> tuple[Any, str, str]:
    try:
        decoded = base64.urlsafe_b64decode(text.encode("ascii")).decode("utf-8")
        value, repo, name = decoded.split(",", 2)
    except (ValueError, binascii.Error, UnicodeError):
        raise ApiError(
            400, "illegal_argument_exception", f"invalid after parameter [{text}]"
        ) from None
    return _parse_sort_value(sort, value), repo, name


def _validation(errors: list[str]) -> ApiError:
    text = "".join(f"{i}: {e};" for i, e in enumerate(errors, 1))
    return ApiError(400, "action_request_validation_exception", f"Validation Failed: {text}")


def _exclude(chosen: dict[str, Any], pattern: str) -> None:
    """A ``-pattern`` after the first part drops what earlier parts chose (repos or snapshots)."""
    for name in list(chosen):
        if _simple_match(pattern, name):
            chosen.pop(name)


def _select_repositories(
    cluster: SimCluster, expression: str
) -> tuple[list[RegisteredRepository], dict[str, ApiError]]:
    dialect = cluster.dialect
    if not dialect.supports("multi_repository"):
        return [_require_repository(cluster, expression)], {}
    chosen: dict[str, RegisteredRepository] = {}
    failures: dict[str, ApiError] = {}
    parts = [p for p in expression.split(",") if p]
    for position, part in enumerate(parts):
        if part.startswith("-") and position > 0:
            _exclude(chosen, part[1:])
            continue
        if part in ("_all", "*"):
            chosen.update(sorted(cluster.repositories.items()))
            continue
        if "*" in part:
            chosen.update(
                (n, r) for n, r in sorted(cluster.repositories.items()) if _simple_match(part, n)
            )
            continue
        repo = cluster.repositories.get(part)
        if repo is None:
            error = ApiError(404, "repository_missing_exception", f"[{part}] missing")
            if dialect.supports("whole_request_fails_on_repo_error") or not dialect.supports(
                "snapshot_failures_field"
            ):
                raise error
            failures[part] = error
            continue
        chosen[part] = repo
    return list(chosen.values()), failures


def _select_snapshots(
    repo: RegisteredRepository,
    patterns: list[str],
    *,
    ignore_unavailable: bool,
) -> list[_Entry]:
    view = repository_view(repo)
    summaries = _summaries(repo)
    by_name = view.current.by_name if view.current is not None else {}
    if not patterns or patterns in (["_all"], ["*"]):
        current = view.current
        if current is None:
            return [_Entry(repo.name, s, view) for s in summaries]
        key = (repo.name, "", "")
        cached = current.orders.get(key)
        if cached is None:
            cached = current.orders[key] = [_Entry(repo.name, s, view) for s in summaries]
        return list(cached)
    chosen: dict[str, SnapshotSummary] = {}
    for position, part in enumerate(patterns):
        if part == "_current":
            continue  # nothing is ever in progress in the sandbox
        if part.startswith("-") and position > 0:
            _exclude(chosen, part[1:])
            continue
        if part in ("_all", "*"):
            chosen.update((s.name, s) for s in summaries)
        elif "*" in part:
            chosen.update((s.name, s) for s in summaries if _simple_match(part, s.name))
        elif part in by_name:
            chosen[part] = by_name[part]
        elif not ignore_unavailable:
            raise ApiError(404, "snapshot_missing_exception", f"[{repo.name}:{part}] is missing")
    return [_Entry(repo.name, s, view) for s in chosen.values()]


async def get_snapshots(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    dialect = cluster.dialect
    params = check_params(request, _get_params(cluster))
    verbose = flag(params, "verbose", True)
    ignore_unavailable = flag(params, "ignore_unavailable", False)
    want_details = flag(params, "index_details", False)
    include_repository = flag(params, "include_repository", True)
    index_names = flag(params, "index_names", True)
    sort = params.get("sort", "start_time")
    order = params.get("order", "asc")
    size = int_param(params, "size", -1)
    offset = int_param(params, "offset", 0)
    after = params.get("after")
    from_sort_value = params.get("from_sort_value")
    policies = [p for p in params.get("slm_policy_filter", "").split(",") if p]
    states = [s for s in params.get("state", "").split(",") if s]

    allowed_sorts = _SORTS + (_SORTS_716 if dialect.supports("sort_extended") else ())
    if sort not in allowed_sorts:
        raise ApiError(400, "illegal_argument_exception", f"unknown snapshot sort [{sort}]")
    if order not in ("asc", "desc"):
        raise ApiError(400, "illegal_argument_exception", f"unknown order [{order}]")
    for state in states:
        if state.upper() not in _STATES:
            raise ApiError(400, "illegal_argument_exception", f"unknown snapshot state [{state}]")
    errors = []
    if size == 0 or size < -1:
        errors.append("size must be -1 or greater than 0")
    if offset < 0:
        errors.append("offset must be >= 0")
    if not verbose:
        if sort != "start_time":
            errors.append("can't use non-default sort with verbose=false")
        if size > 0:
            errors.append("can't use size limit with verbose=false")
        if offset > 0:
            errors.append("can't use offset with verbose=false")
        if after is not None:
            errors.append("can't use after with verbose=false")
        if order != "asc":
            errors.append("can't use non-default sort order with verbose=false")
        if policies:
            errors.append("can't use slm policy filter with verbose=false")
        if from_sort_value is not None:
            errors.append("can't use from_sort_value with verbose=false")
    else:
        if after is not None and from_sort_value is not None:
            errors.append("can't use after and from_sort_value simultaneously")
        if after is not None and offset > 0:
            errors.append("can't use after and offset simultaneously")
    if errors:
        raise _validation(errors)

    repos, failures = _select_repositories(cluster, request.match_info["repo"])
    patterns = [p for p in request.match_info["snapshot"].split(",") if p]
    entries: list[_Entry] = []
    for repo in repos:
        entries.extend(_select_snapshots(repo, patterns, ignore_unavailable=ignore_unavailable))

    if policies:
        entries = [e for e in entries if _policy_matches(policies, e.policy())]
    if states:
        wanted = {s.upper() for s in states}
        entries = [e for e in entries if e.state() in wanted]

    if not verbose:
        entries.sort(key=lambda e: (e.name, e.summary.uuid, e.repository))
    elif len(repos) == 1 and patterns in ([], ["_all"], ["*"]) and not policies and not states:
        entries = _sorted_cached(repos[0], entries, sort, order)
    else:
        entries = _sorted(entries, sort, order)
    if from_sort_value is not None:
        bound = _parse_sort_value(sort, from_sort_value)
        if order == "asc":
            entries = [e for e in entries if _sort_value(e, sort) >= bound]
        else:
            entries = [e for e in entries if _sort_value(e, sort) <= bound]
    total = len(entries)
    if after is not None:
        cursor = _decode_after(after, sort)
        if order == "asc":
            entries = [e for e in entries if _key(e, sort) > _cursor_key(cursor)]
        else:
            entries = [e for e in entries if _key(e, sort) < _cursor_key(cursor)]
    if offset:
        entries = entries[offset:]
    page = entries if size < 0 else entries[:size]
    remaining = len(entries) - len(page)

    human_fields = human(request)
    body: dict[str, Any] = {
        "snapshots": [
            snapshot_info_document(
                cluster,
                e,
                verbose=verbose,
                human_fields=human_fields,
                index_details=want_details,
                include_repository=include_repository,
                index_names=index_names,
            )
            for e in page
        ]
    }
    if dialect.supports("snapshot_failures_field") and failures:
        body["failures"] = {
            name: {"type": error.type, "reason": error.reason} for name, error in failures.items()
        }
    if dialect.supports("pagination") and remaining > 0 and page:
        body["next"] = _encode_after(page[-1], sort)
    if dialect.supports("total_remaining"):
        body["total"] = total
        body["remaining"] = remaining
    return respond(request, body)


def _policy_matches(patterns: list[str], policy: str | None) -> bool:
    matched = False
    for position, pattern in enumerate(patterns):
        if pattern.startswith("-") and position > 0:
            if policy is not None and _simple_match(pattern[1:], policy):
                matched = False
            continue
        if pattern == "_none":
            matched = matched or policy is None
        elif policy is not None and _simple_match(pattern, policy):
            matched = True
    return matched


def _key(entry: _Entry, sort: str) -> tuple[Any, str, str]:
    return (_sort_value(entry, sort), entry.name, entry.repository)


def _cursor_key(cursor: tuple[Any, str, str]) -> tuple[Any, str, str]:
    value, repo, name = cursor
    return (value, name, repo)


def _sorted(entries: list[_Entry], sort: str, order: str) -> list[_Entry]:
    """Entries in (value, name, repository) order."""
    return sorted(entries, key=lambda e: _key(e, sort), reverse=order == "desc")


def _sorted_cached(
    repo: RegisteredRepository, entries: list[_Entry], sort: str, order: str
) -> list[_Entry]:
    """A whole repository in one order, kept per catalogue generation (and repository name):
    a page of a 10,000-snapshot repository then costs a slice, not a sort."""
    generation = repository_view(repo).current
    if generation is None:
        return _sorted(entries, sort, order)
    key = (repo.name, sort, order)
    cached = generation.orders.get(key)
    if cached is None:
        cached = generation.orders[key] = _sorted(entries, sort, order)
    return list(cached)


# --------------------------------------------------------------------------------------------
# _status (§3.7)


def _stats_doc(
    cluster: SimCluster, files: int, size: int, start: int, time_ms: int, human_fields: bool
) -> dict[str, Any]:
    def sized(count: int, value: int) -> dict[str, Any]:
        doc: dict[str, Any] = {"file_count": count}
        if human_fields:
            doc["size"] = byte_size(value)
        doc["size_in_bytes"] = value
        return doc

    stats: dict[str, Any] = {"incremental": sized(files, size), "total": sized(files, size)}
    stats["start_time_in_millis"] = start
    if human_fields:
        stats["time"] = time_value(time_ms)
    stats["time_in_millis"] = time_ms
    dialect = cluster.dialect
    if not dialect.is_opensearch and dialect.major == 6:
        stats["number_of_files"] = files
        stats["processed_files"] = files
        if human_fields:
            stats["total_size"] = byte_size(size)
        stats["total_size_in_bytes"] = size
        if human_fields:
            stats["processed_size"] = byte_size(size)
        stats["processed_size_in_bytes"] = size
    return stats


def _shards_stats(done: int, failed: int) -> dict[str, int]:
    return {
        "initializing": 0,
        "started": 0,
        "finalizing": 0,
        "done": done,
        "failed": failed,
        "total": done + failed,
    }


def snapshot_status_document(
    cluster: SimCluster, entry: _Entry, human_fields: bool
) -> dict[str, Any]:
    reader = entry.view.fresh()
    info = entry.info()
    failures = {
        (str(f.get("index")), _int(f.get("shard_id"))): f
        for f in info.get("failures") or []
        if isinstance(f, dict)
    }
    start = entry.start_ms()
    indices_doc: dict[str, Any] = {}
    totals = [0, 0, 0, 0]  # files, bytes, done, failed
    for index in reader.catalogue.indices_of(entry.summary.uuid):
        shards_doc: dict[str, Any] = {}
        i_files = i_bytes = i_done = i_failed = 0
        count = len(index.shard_generations or []) or 1
        meta_shards = None
        try:
            meta_shards = reader.index(entry.name, index.name).primary_shards
        except RepositoryError:
            meta_shards = None
        count = meta_shards or count
        for shard in range(count):
            blob = entry.view.shard(entry.name, index.name, shard)
            files = (blob.number_of_files or 0) if blob else 0
            size = (blob.total_size or 0) if blob else 0
            shard_start = (blob.start_time_ms if blob else None) or start
            shard_time = (blob.time_ms or 0) if blob else 0
            failure = failures.get((index.name, shard))
            shard_doc: dict[str, Any] = {
                "stage": "FAILURE" if failure else "DONE",
                "stats": _stats_doc(cluster, files, size, shard_start, shard_time, human_fields),
            }
            if failure:
                shard_doc["reason"] = failure.get("reason")
                i_failed += 1
            else:
                i_done += 1
            shards_doc[str(shard)] = shard_doc
            i_files += files
            i_bytes += size
        indices_doc[index.name] = {
            "shards_stats": _shards_stats(i_done, i_failed),
            "stats": _stats_doc(
                cluster, i_files, i_bytes, start, max(0, entry.end_ms() - start), human_fields
            ),
            "shards": shards_doc,
        }
        totals[0] += i_files
        totals[1] += i_bytes
        totals[2] += i_done
        totals[3] += i_failed
    doc: dict[str, Any] = {
        "snapshot": entry.name,
        "repository": entry.repository,
        "uuid": entry.summary.uuid,
        "state": entry.state(),
    }
    if isinstance(info.get("include_global_state"), bool):
        doc["include_global_state"] = info["include_global_state"]
    doc["shards_stats"] = _shards_stats(totals[2], totals[3])
    doc["stats"] = _stats_doc(
        cluster, totals[0], totals[1], start, max(0, entry.end_ms() - start), human_fields
    )
    doc["indices"] = dict(sorted(indices_doc.items()))
    return doc


async def get_status(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    allowed = {"master_timeout", "ignore_unavailable"}
    if cluster.dialect.is_opensearch:
        allowed.add("cluster_manager_timeout")
    params = check_params(request, allowed)
    repo_name = request.match_info.get("repo")
    names = request.match_info.get("snapshot")
    if repo_name is None or names is None:
        if repo_name is not None:
            _require_repository(cluster, repo_name)
        return respond(request, {"snapshots": []})  # nothing is running
    repo = _require_repository(cluster, repo_name)
    ignore = flag(params, "ignore_unavailable", False)
    view = repository_view(repo)
    _summaries(repo)
    by_name = view.current.by_name if view.current is not None else {}
    docs = []
    for name in [n for n in names.split(",") if n]:
        summary = by_name.get(name)
        if summary is None:
            if ignore:
                continue
            raise ApiError(404, "snapshot_missing_exception", f"[{repo.name}:{name}] is missing")
        docs.append(
            snapshot_status_document(cluster, _Entry(repo.name, summary, view), human(request))
        )
    return respond(request, {"snapshots": docs})


# --------------------------------------------------------------------------------------------
# _cat/snapshots (§3.8)


def _cat_snapshot_columns(cluster: SimCluster) -> list[CatColumn]:
    columns = [CatColumn("id", aliases=("snapshot",), description="unique snapshot")]
    if cluster.dialect.supports("cat_snapshots_repository"):
        columns.append(
            CatColumn("repository", aliases=("re", "repo"), description="repository name")
        )
    columns += [
        CatColumn("status", aliases=("s",), description="snapshot name"),
        CatColumn(
            "start_epoch",
            aliases=("ste", "startEpoch"),
            kind="number",
            description="start time in seconds since 1970-01-01 00:00:00",
        ),
        CatColumn("start_time", aliases=("sti", "startTime"), description="start time in HH:MM:SS"),
        CatColumn(
            "end_epoch",
            aliases=("ete", "endEpoch"),
            kind="number",
            description="end time in seconds since 1970-01-01 00:00:00",
        ),
        CatColumn("end_time", aliases=("eti", "endTime"), description="end time in HH:MM:SS"),
        CatColumn("duration", aliases=("dur",), kind="number", description="duration"),
        CatColumn("indices", aliases=("i",), kind="number", description="number of indices"),
        CatColumn(
            "successful_shards",
            aliases=("ss",),
            kind="number",
            description="number of successful shards",
        ),
        CatColumn(
            "failed_shards", aliases=("fs",), kind="number", description="number of failed shards"
        ),
        CatColumn(
            "total_shards", aliases=("ts",), kind="number", description="number of total shards"
        ),
        CatColumn("reason", default=False, aliases=("r",), description="reason for failures"),
    ]
    return columns


def _hms(ms: int) -> str:
    return _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.UTC).strftime("%H:%M:%S")


async def cat_snapshots(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    expression = request.match_info.get("repo")
    extra = {"ignore_unavailable", "time"}
    check_params(
        request, set(extra) | {"h", "help", "s", "v", "format", "local", "master_timeout", "bytes"}
    )
    if expression is None:
        if not cluster.dialect.supports("multi_repository"):
            raise _validation(["repository is missing"])
        expression = "_all"
    repos, _failures = _select_repositories(cluster, expression)
    entries: list[_Entry] = []
    for repo in repos:
        entries.extend(_select_snapshots(repo, [], ignore_unavailable=True))
    entries = _sorted(entries, "start_time", "asc")
    rows = []
    for entry in entries:
        start, end = entry.start_ms(), entry.end_ms()
        total, failed, successful = entry.shards()
        info = entry.info()
        rows.append(
            {
                "id": entry.name,
                "repository": entry.repository,
                "status": entry.state(),
                "start_epoch": start // 1000,
                "start_time": _hms(start),
                "end_epoch": end // 1000,
                "end_time": _hms(end),
                "duration": time_value(max(0, end - start)),
                "indices": entry.index_count(),
                "successful_shards": successful,
                "failed_shards": failed,
                "total_shards": total,
                "reason": info.get("reason") if isinstance(info.get("reason"), str) else None,
            }
        )
    return cat_response(request, CatTable(_cat_snapshot_columns(cluster), rows), extra_params=extra)


# --------------------------------------------------------------------------------------------
# create and delete (readonly refusals, in-flight deletions)

_INVALID_NAME_CHARS = set('\\/*?"<>| ,#')
_CREATE_KEYS = {
    "indices",
    "partial",
    "include_global_state",
    "ignore_unavailable",
    "allow_no_indices",
    "expand_wildcards",
    "ignore_throttled",
}


def _date_math(name: str, now_ms: int) -> str:
    """``<nightly-{now/d}>`` style names (the common forms)."""
    if not (name.startswith("<") and name.endswith(">")):
        return name
    moment = _dt.datetime.fromtimestamp(now_ms / 1000, tz=_dt.UTC)

    def expand(match: re.Match[str]) -> str:
        expression, fmt = match.group(1), match.group(2)
        if fmt:
            java = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
            out = fmt
            for key, value in java.items():
                out = out.replace(key, value)
            return moment.strftime(out)
        return moment.strftime("%Y.%m.%d") if expression.startswith("now") else expression

    return re.sub(r"\{([^{}]*?)(?:\{([^{}]*)\})?\}", expand, name[1:-1])


def _validate_name(repo: str, name: str) -> None:
    def invalid(why: str) -> ApiError:
        return ApiError(
            400,
            "invalid_snapshot_name_exception",
            f"[{repo}:{name}] Invalid snapshot name [{name}], {why}",
        )

    if not name:
        raise invalid("cannot be empty")
    if any(ch in _INVALID_NAME_CHARS for ch in name):
        raise invalid('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]')
    if name.startswith("_"):
        raise invalid("must not start with '_'")
    if name.lower() != name:
        raise invalid("must be lowercase")


def _create_params(cluster: SimCluster) -> set[str]:
    allowed = {"master_timeout", "wait_for_completion"}
    if cluster.dialect.is_opensearch:
        allowed.add("cluster_manager_timeout")
    return allowed


async def create_snapshot(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    dialect = cluster.dialect
    params = check_params(request, _create_params(cluster))
    wait = flag(params, "wait_for_completion", False)
    body = await read_json(request) or {}
    allowed = set(_CREATE_KEYS)
    if dialect.supports("snapshot_metadata"):
        allowed.add("metadata")
    if dialect.supports("feature_states"):
        allowed.add("feature_states")
    for key in body:
        if key not in allowed:
            raise ApiError(400, "illegal_argument_exception", f"Unknown parameter {key}")
    repo = _require_repository(cluster, request.match_info["repo"])
    name = _date_math(request.match_info["snapshot"], cluster.clock.now_ms())
    _validate_name(repo.name, name)
    if repo.readonly:
        raise ApiError(
            500,
            "repository_exception",
            f"[{repo.name}] cannot create snapshot in a readonly repository",
        )
    existing = {s.name for s in _summaries(repo)}
    if name in existing:
        raise ApiError(
            400,
            "invalid_snapshot_name_exception",
            f"[{repo.name}:{name}] Invalid snapshot name [{name}], snapshot with the same name "
            "already exists",
        )
    indices_expr = body.get("indices")
    if isinstance(indices_expr, list):
        indices_expr = ",".join(str(i) for i in indices_expr)
    ignore_unavailable = body.get("ignore_unavailable") in (True, "true")
    include_global_state = body.get("include_global_state", True) not in (False, "false")
    partial = body.get("partial") in (True, "true")
    chosen = cluster.resolve(
        indices_expr or "*", include_hidden=True, allow_missing=ignore_unavailable
    )
    features: list[Any] = []
    from esnap_tui.models import FeatureState

    if dialect.supports("feature_states"):
        wanted = body.get("feature_states")
        system = [i for i in cluster.state.indices.values() if i.system]
        names = (
            sorted(cluster.state.features)
            if wanted in (None, [])
            else [f for f in wanted if f != "none"]
        )
        if (wanted is None and include_global_state) or (wanted and "none" not in wanted):
            for feature in names:
                members = tuple(sorted(i.name for i in system if _feature_of(i) == feature))
                if members:
                    features.append(FeatureState(feature, members))
        if dialect.supports("system_indices_via_features_only"):
            chosen = [i for i in chosen if not i.system]
    snapshot_indices = {i.name: i for i in chosen}
    for feature in features:
        for index_name in feature.indices:
            index = cluster.index(index_name)
            if index is not None:
                snapshot_indices[index_name] = index
    indices = [_index_to_write(i) for i in sorted(snapshot_indices.values(), key=lambda i: i.name)]
    streams = sorted({i.data_stream for i in snapshot_indices.values() if i.data_stream})
    now = cluster.clock.now_ms()
    total_bytes = sum(i.size_in_bytes for i in indices)
    duration = 50 + total_bytes * 1000 // max(1, recovery.node_bandwidth(cluster) * 4)
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
    uuid = cluster.ids.uuid()
    closed = [i for i in snapshot_indices.values() if not i.is_open]
    state = SnapshotState.SUCCESS
    if closed and dialect.version < Version(7, 2) and not partial:
        raise ApiError(
            500,
            "snapshot_exception",
            f"[{repo.name}:{name}/{uuid}] Indices are closed "
            f"[{', '.join(sorted(i.name for i in closed))}]",
        )
    to_write = SnapshotToWrite(
        name=name,
        uuid=uuid,
        version=dialect.version,
        state=state,
        start_time_ms=now,
        end_time_ms=now + duration,
        indices=indices,
        data_streams=list(streams) if dialect.supports("snapshot_data_streams") else [],
        feature_states=features,
        include_global_state=include_global_state,
        metadata=metadata,
        global_metadata=_global_metadata(cluster) if include_global_state else None,
    )
    writer = RepositoryWriter(repo.path, dialect.version, cluster_id=cluster.uuid)
    try:
        writer.add_snapshot(to_write)
    except DuplicateSnapshotError:
        raise ApiError(
            400,
            "invalid_snapshot_name_exception",
            f"[{repo.name}:{name}] Invalid snapshot name [{name}], snapshot with the same name "
            "already exists",
        ) from None
    if not wait:
        return respond(request, {"accepted": True})
    view = repository_view(repo)
    generation = view.generation()
    entry = _Entry(repo.name, generation.by_name[name], view)
    document = snapshot_info_document(cluster, entry, human_fields=human(request))
    return respond(request, {"snapshot": document})


def _feature_of(index: IndexState) -> str | None:
    """The feature owning a system index (by the prefixes ``GET _features`` reports)."""
    from esnap_tui.sandbox.builder import feature_of

    return feature_of(index.name)


def _index_to_write(index: IndexState) -> IndexToWrite:
    return IndexToWrite(
        name=index.name,
        uuid=index.uuid,
        created_version_id=index.created_version_id,
        primary_shards=index.primary_shards,
        replicas=index.replicas,
        state=index.state,
        aliases=list(index.aliases),
        data_stream=index.data_stream,
        system=index.system,
        settings=dict(index.settings),
        mappings=dict(index.mappings),
        size_in_bytes=index.size_in_bytes,
        docs_count=index.docs_count,
        creation_date_ms=index.creation_date_ms,
    )


def _global_metadata(cluster: SimCluster) -> dict[str, Any]:
    state = cluster.state
    meta: dict[str, Any] = {}
    if state.persistent_settings:
        meta["settings"] = dict(state.persistent_settings)
    if state.templates:
        meta["templates"] = dict(state.templates)
    if state.index_templates:
        meta["index_template"] = {"index_template": dict(state.index_templates)}
    if state.component_templates:
        meta["component_template"] = {"component_template": dict(state.component_templates)}
    return meta


def _restoring(cluster: SimCluster, repo: str, snapshot: str) -> bool:
    now = cluster.clock.now_ms()
    for item in recovery.registry(cluster).shards:
        source = item.snapshot_source or {}
        if (
            source.get("repository") == repo
            and source.get("snapshot") == snapshot
            and item.primary
            and not item.done(now)
            and not item.failed(now)
        ):
            return True
    return False


async def delete_snapshot(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, _create_params(cluster) - {"wait_for_completion"})
    repo = _require_repository(cluster, request.match_info["repo"])
    patterns = [p for p in request.match_info["snapshot"].split(",") if p]
    entries = _select_snapshots(repo, patterns, ignore_unavailable=False)
    if repo.readonly:
        raise ApiError(
            500,
            "repository_exception",
            f"[{repo.name}] cannot delete snapshot from a readonly repository",
        )
    for entry in entries:
        if _restoring(cluster, repo.name, entry.name):
            raise ApiError(
                503,
                "concurrent_snapshot_execution_exception",
                f"[{repo.name}:{entry.name}/{entry.summary.uuid}] cannot delete snapshot while "
                "it is being restored",
            )
    names = [e.name for e in entries]
    delay = int(cluster.extensions.get("snapshot_delete_ms", 0) or 0)
    if delay > 0 and names:
        deletion = SnapshotDeletion(
            repository=repo.name,
            snapshots=names,
            start_time_ms=cluster.clock.now_ms(),
            repository_state_id=repository_view(repo).generation().generation,
        )
        cluster.state.snapshot_deletions.append(deletion)
        try:
            while cluster.clock.now_ms() < deletion.start_time_ms + delay:
                await asyncio.sleep(0.005)
        finally:
            cluster.state.snapshot_deletions.remove(deletion)
    writer = RepositoryWriter(repo.path, cluster.dialect.version, cluster_id=cluster.uuid)
    for name in names:
        try:
            writer.delete_snapshot(name)
        except RepositoryError:
            raise ApiError(
                404, "snapshot_missing_exception", f"[{repo.name}:{name}] is missing"
            ) from None
    return respond(request, {"acknowledged": True})


# --------------------------------------------------------------------------------------------
# restore (§4)


def _restore_params(cluster: SimCluster) -> set[str]:
    allowed = {"master_timeout", "wait_for_completion"}
    if cluster.dialect.is_opensearch:
        allowed.add("cluster_manager_timeout")
    return allowed


def _files_for(
    view: RepositoryView, plan: restore.IndexPlan, detail: SnapshotDetail
) -> dict[int, list[recovery.RecoveryFile]]:
    """Each shard's files from its shard-level snapshot blob (sizes from ``index_details``
    when the repository holds no shard blobs)."""
    out: dict[int, list[recovery.RecoveryFile]] = {}
    details = detail.index_details.get(plan.source.name)
    for shard in range(plan.primary_shards):
        blob = (
            view.shard(detail.name, plan.source.name, shard) if plan.source.index_id else None
        )
        files = []
        if blob is not None:
            files = [recovery.RecoveryFile(f.physical_name, f.length) for f in blob.files]
        elif details is not None and details.size_in_bytes:
            share = details.size_in_bytes // max(1, plan.primary_shards)
            files = [recovery.RecoveryFile("segments_2", min(share, 512))]
            if share > 512:
                files.append(recovery.RecoveryFile("_0.cfs", share - 512))
        out[shard] = files
    return out


async def restore_snapshot(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(request, _restore_params(cluster))
    wait = flag(params, "wait_for_completion", False)
    body = await read_json(request)
    parsed = restore.parse_restore_request(body, cluster.dialect)
    repo = _require_repository(cluster, request.match_info["repo"])
    name = request.match_info["snapshot"]
    view = repository_view(repo)
    summaries = _summaries(repo)
    if name not in {s.name for s in summaries}:
        raise ApiError(
            500, "snapshot_restore_exception", f"[{repo.name}:{name}] snapshot does not exist"
        )
    reader = view.fresh()
    try:
        detail = reader.snapshot(name)
        indices = reader.indices(name)
    except RepositoryError as error:
        raise ApiError(500, "repository_exception", f"[{repo.name}] {error}") from None
    plan = restore.plan_restore(cluster, repo.name, detail, indices, parsed)
    if plan.include_global_state:
        try:
            plan.global_metadata = reader.global_metadata(name)
        except RepositoryError:
            plan.global_metadata = None
    restore_uuid = cluster.ids.uuid()
    files = {p.target: _files_for(view, p, detail) for p in plan.indices}
    for item in plan.indices:
        item.size_in_bytes = sum(f.length for shard in files[item.target].values() for f in shard)
    created = restore.apply_restore(cluster, plan, restore_uuid)
    # _recovery shows the snapshot's own version: the exact id its blob records
    version_id = reader.snapshot_version_id(name)
    if version_id is None:
        version_id = plan.snapshot_version_id
    version_text = snapshot_version_text(cluster, version_id) if version_id is not None else ""
    for item, index in zip(plan.indices, created, strict=True):
        recovery.start_restore(
            cluster,
            index,
            repository=repo.name,
            snapshot=plan.snapshot,
            snapshot_version=version_text,
            source_index=item.source.name,
            restore_uuid=restore_uuid,
            files_by_shard=files[item.target],
        )
    if not wait:
        return respond(request, {"accepted": True})
    remaining = recovery.completion_ms(cluster, restore_uuid) - cluster.clock.now_ms()
    if remaining > 0:
        await cluster.clock.sleep(remaining / 1000)
    recovery.refresh(cluster)
    total, failed = recovery.restore_outcome(cluster, restore_uuid)
    return respond(
        request,
        {
            "snapshot": {
                "snapshot": plan.snapshot,
                "indices": [p.target for p in plan.indices],
                "shards": {"total": total, "failed": failed, "successful": total - failed},
            }
        },
    )


# --------------------------------------------------------------------------------------------
# recovery (§5)

_RECOVERY_PARAMS = {
    "active_only",
    "detailed",
    "ignore_unavailable",
    "allow_no_indices",
    "expand_wildcards",
    "ignore_throttled",
}


def _recovery_indices(
    cluster: SimCluster, expression: str | None, *, ignore_unavailable: bool = False
) -> list[IndexState]:
    if expression is None:
        return list(cluster.state.indices.values())
    return cluster.resolve(expression, include_hidden=True, allow_missing=ignore_unavailable)


async def get_recovery(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(request, _RECOVERY_PARAMS)
    recovery.refresh(cluster)
    indices = _recovery_indices(
        cluster,
        request.match_info.get("index"),
        ignore_unavailable=flag(params, "ignore_unavailable", False),
    )
    body = recovery.recovery_document(
        cluster,
        indices,
        active_only=flag(params, "active_only", False),
        human=human(request),
        detailed=flag(params, "detailed", False),
    )
    return respond(request, body)


def _cat_recovery_columns(cluster: SimCluster) -> list[CatColumn]:
    size_kind = "bytes" if cluster.dialect.supports("cat_recovery_priority") else "number"
    columns = [
        CatColumn("index", aliases=("i", "idx"), description="index name"),
        CatColumn("shard", aliases=("s", "sh"), kind="number", description="shard name"),
        CatColumn(
            "start_time", default=False, aliases=("start",), description="recovery start time"
        ),
        CatColumn(
            "start_time_millis",
            default=False,
            aliases=("start_millis",),
            kind="number",
            description="recovery start time in epoch milliseconds",
        ),
        CatColumn("stop_time", default=False, aliases=("stop",), description="recovery stop time"),
        CatColumn(
            "stop_time_millis",
            default=False,
            aliases=("stop_millis",),
            kind="number",
            description="recovery stop time in epoch milliseconds",
        ),
        CatColumn("time", aliases=("t", "ti"), kind="number", description="recovery time"),
        CatColumn("type", aliases=("ty",), description="recovery type"),
        CatColumn("stage", aliases=("st",), description="recovery stage"),
    ]
    if cluster.dialect.supports("cat_recovery_priority"):
        columns.append(
            CatColumn(
                "priority", aliases=("p",), kind="number", description="index recovery priority"
            )
        )
    columns += [
        CatColumn("source_host", aliases=("shost",), description="source host"),
        CatColumn("source_node", aliases=("snode",), description="source node name"),
        CatColumn("target_host", aliases=("thost",), description="target host"),
        CatColumn("target_node", aliases=("tnode",), description="target node name"),
        CatColumn("repository", aliases=("rep",), description="repository"),
        CatColumn("snapshot", aliases=("snap",), description="snapshot"),
        CatColumn("files", aliases=("f",), kind="number", description="number of files to recover"),
        CatColumn("files_recovered", aliases=("fr",), kind="number", description="files recovered"),
        CatColumn(
            "files_percent",
            aliases=("fp",),
            kind="number",
            description="percent of files recovered",
        ),
        CatColumn(
            "files_total", aliases=("tf",), kind="number", description="total number of files"
        ),
        CatColumn(
            "bytes", aliases=("b",), kind=size_kind, description="number of bytes to recover"
        ),
        CatColumn(
            "bytes_recovered", aliases=("br",), kind=size_kind, description="bytes recovered"
        ),
        CatColumn(
            "bytes_percent",
            aliases=("bp",),
            kind="number",
            description="percent of bytes recovered",
        ),
        CatColumn(
            "bytes_total", aliases=("tb",), kind=size_kind, description="total number of bytes"
        ),
        CatColumn(
            "translog_ops",
            aliases=("to",),
            kind="number",
            description="number of translog ops to recover",
        ),
        CatColumn(
            "translog_ops_recovered",
            aliases=("tor",),
            kind="number",
            description="translog ops recovered",
        ),
        CatColumn(
            "translog_ops_percent",
            aliases=("top",),
            kind="number",
            description="percent of translog ops recovered",
        ),
    ]
    return columns


async def cat_recovery(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    extra = {"active_only", "detailed", "bytes", "time", "index"}
    params = check_params(
        request, extra | {"h", "help", "s", "v", "format", "local", "master_timeout"}
    )
    recovery.refresh(cluster)
    expression = request.match_info.get("index") or params.get("index")
    indices = _recovery_indices(cluster, expression)
    rows = recovery.cat_rows(cluster, indices, active_only=flag(params, "active_only", False))
    return cat_response(request, CatTable(_cat_recovery_columns(cluster), rows), extra_params=extra)


# --------------------------------------------------------------------------------------------
# registration


def register_snapshot_routes(app: web.Application, cluster: SimCluster) -> None:
    """Add this module's routes (before the server's generic ``/_snapshot/{repo}`` and
    ``/{index}`` routes) and keep recoveries current before every request."""
    recovery.install(app, cluster)
    r = app.router
    r.add_get("/_snapshot/_status", get_status, allow_head=False)
    r.add_get("/_snapshot/{repo}/_status", get_status, allow_head=False)
    r.add_get("/_snapshot/{repo}/{snapshot}/_status", get_status, allow_head=False)
    r.add_post("/_snapshot/{repo}/{snapshot}/_restore", restore_snapshot)
    r.add_get("/_snapshot/{repo}/{snapshot}", get_snapshots, allow_head=False)
    r.add_put("/_snapshot/{repo}/{snapshot}", create_snapshot)
    r.add_post("/_snapshot/{repo}/{snapshot}", create_snapshot)
    r.add_delete("/_snapshot/{repo}/{snapshot}", delete_snapshot)
    r.add_get("/_cat/snapshots", cat_snapshots, allow_head=False)
    r.add_get("/_cat/snapshots/{repo}", cat_snapshots, allow_head=False)
    r.add_get("/_cat/recovery", cat_recovery, allow_head=False)
    r.add_get("/_cat/recovery/{index}", cat_recovery, allow_head=False)
    r.add_get("/_recovery", get_recovery, allow_head=False)
    r.add_get("/{index}/_recovery", get_recovery, allow_head=False)


__all__ = [
    "RepositoryView",
    "register_snapshot_routes",
    "repository_view",
    "snapshot_info_document",
    "snapshot_version_text",
]
