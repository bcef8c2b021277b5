"""Shard recoveries of a simulated cluster, driven by its clock: restores in flight, then done.

Why a model and not a loop: a restore is a schedule fixed when it starts (file sizes from the
repository's shard blobs, the node's recovery throughput, its concurrent-recovery slots), so any
instant can be answered exactly from the clock. With the fixed clock, progress advances only
when a test advances the clock, and identical runs give identical bytes.

Model (each piece has its real counterpart):
  * ``indices.recovery.max_bytes_per_sec`` (persistent setting, default ``40mb``) is a node's
    bandwidth, split over ``cluster.routing.allocation.node_concurrent_recoveries`` slots
    (default 2). A primary shard of a restore waits in ``INIT`` for a free slot on its node
    (shards are spread round-robin over data nodes), spends a fixed ``INIT`` overhead, then
    ``INDEX`` copies its files in order at the slot's rate, then ``VERIFY_INDEX``,
    ``TRANSLOG`` and ``FINALIZE`` take a few milliseconds each, then ``DONE``.
  * While the file list is not known yet (``INIT``) sizes and file counts are 0 and percents
    ``0.0%``; the translog total is ``-1`` (unknown) until ``TRANSLOG``.
  * After a primary is done, each replica copy that fits on another data node recovers by
    ``PEER`` from it at a slot's rate (no queueing).
  * A restore shard failure (scenario fault ``restore_shard_failures``: index glob, shard,
    fraction of the copy, reason) stops that primary partway through ``INDEX``: the shard is
    failed, leaves ``_recovery`` (it is unassigned, as in ES) and its index stays red.
  * Indices not restored show an ``EMPTY_STORE`` primary (and ``PEER`` replicas), done when the
    index was created, as ``GET _recovery`` lists every shard of a real cluster.

``refresh(cluster)`` brings the cluster's health counters (``initializing_primaries`` /
``initializing_replicas`` / ``unassigned_primaries``) up to the clock; ``install(app, cluster)``
calls it before every request so ``_cluster/health`` is always current.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esnap_tui.sandbox.httputil import byte_size, iso_ms, time_value

if TYPE_CHECKING:
    from aiohttp import web

    from esnap_tui.sandbox.state import IndexState, NodeState, SimCluster

INIT_MS = 100
VERIFY_MS = 10
TRANSLOG_MS = 10
FINALIZE_MS = 20
DEFAULT_MAX_BYTES_PER_SEC = 40 * 1024 * 1024
DEFAULT_CONCURRENT = 2
STAGES = ("INIT", "INDEX", "VERIFY_INDEX", "TRANSLOG", "FINALIZE", "DONE")
_EXTENSION = "recoveries"


@dataclass(frozen=True)
class RecoveryFile:
    name: str  # physical Lucene file name
    length: int


@dataclass
class ShardFailureFault:
    index: str = "*"
    shard: int | None = None
    at: float = 0.5  # fraction of the INDEX stage reached before failing
    reason: str = "simulated restore failure"

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ShardFailureFault:
        return cls(
            index=str(raw.get("index", "*")),
            shard=None if raw.get("shard") is None else int(raw["shard"]),
            at=float(raw.get("at", 0.5)),
            reason=str(raw.get("reason", "simulated restore failure")),
        )

    def matches(self, index: str, shard: int) -> bool:
        return fnmatch.fnmatchcase(index, self.index) and self.shard in (None, shard)


@dataclass
class ShardRecovery:
    """One shard copy's recovery; every reported number is a function of the clock."""

    index: str
    index_uuid: str
    shard: int
    primary: bool
    kind: str  # SNAPSHOT | PEER | EMPTY_STORE | EXISTING_STORE
    target: NodeState
    start_ms: int  # the shard started initialising on its node
    index_start_ms: int  # INDEX begins (after the slot wait and INIT overhead)
    files: list[RecoveryFile] = field(default_factory=list)
    rate: float = float(DEFAULT_MAX_BYTES_PER_SEC)  # bytes per second
    source_node: NodeState | None = None
    snapshot_source: dict[str, str] | None = None
    fail_at_ms: int | None = None
    failure_reason: str | None = None
    restore_uuid: str | None = None

    # ---- timeline
    @property
    def total_bytes(self) -> int:
        return sum(f.length for f in self.files)

    @property
    def index_ms(self) -> int:
        if not self.files or self.total_bytes == 0:
            return 0
        return max(1, -(-self.total_bytes * 1000 // max(1, int(self.rate))))

    @property
    def verify_start_ms(self) -> int:
        return self.index_start_ms + self.index_ms

    @property
    def translog_start_ms(self) -> int:
        return self.verify_start_ms + VERIFY_MS

    @property
    def finalize_start_ms(self) -> int:
        return self.translog_start_ms + TRANSLOG_MS

    @property
    def stop_ms(self) -> int:
        return self.finalize_start_ms + FINALIZE_MS

    @property
    def end_ms(self) -> int:
        """When this copy stops being in flight (done or failed)."""
        return self.fail_at_ms if self.fail_at_ms is not None else self.stop_ms

    def failed(self, now: int) -> bool:
        return self.fail_at_ms is not None and now >= self.fail_at_ms

    def done(self, now: int) -> bool:
        return self.fail_at_ms is None and now >= self.stop_ms

    def visible(self, now: int) -> bool:
        return now >= self.start_ms and not self.failed(now)

    def stage(self, now: int) -> str:
        if now < self.index_start_ms:
            return "INIT"
        if now < self.verify_start_ms:
            return "INDEX"
        if now < self.translog_start_ms:
            return "VERIFY_INDEX"
        if now < self.finalize_start_ms:
            return "TRANSLOG"
        if now < self.stop_ms:
            return "FINALIZE"
        return "DONE"

    def recovered_bytes(self, now: int) -> int:
        if now <= self.index_start_ms:
            return 0
        if now >= self.verify_start_ms:
            return self.total_bytes
        return min(self.total_bytes, int((now - self.index_start_ms) * self.rate / 1000))

    def file_progress(self, now: int) -> list[tuple[RecoveryFile, int]]:
        """(file, bytes recovered) in copy order."""
        left = self.recovered_bytes(now)
        out = []
        for item in self.files:
            got = min(item.length, left)
            left -= got
            out.append((item, got))
        return out


@dataclass
class RecoveryRegistry:
    """All recoveries of one cluster plus each node's slot availability."""

    shards: list[ShardRecovery] = field(default_factory=list)
    slots: dict[str, list[int]] = field(default_factory=dict)  # node id -> slot free times
    next_node: int = 0

    def for_index(self, index: IndexState) -> list[ShardRecovery]:
        return [r for r in self.shards if r.index == index.name and r.index_uuid == index.uuid]


def registry(cluster: SimCluster) -> RecoveryRegistry:
    found = cluster.extensions.get(_EXTENSION)
    if not isinstance(found, RecoveryRegistry):
        found = RecoveryRegistry()
        cluster.extensions[_EXTENSION] = found
    return found


# --------------------------------------------------------------------------------------------
# settings


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?b?)\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "p": 1024**5,
    "pb": 1024**5,
}


def parse_byte_size(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        return None
    match = _SIZE.match(value)
    if match is None:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _setting(cluster: SimCluster, key: str) -> Any:
    for source in (cluster.state.transient_settings, cluster.state.persistent_settings):
        if key in source:
            return source[key]
        # nested form {"indices": {"recovery": {...}}}
        node: Any = source
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return node
    config = cluster.extensions.get("recovery")
    if isinstance(config, dict):
        short = key.rsplit(".", 1)[-1]
        if short in config:
            return config[short]
    return None


def node_bandwidth(cluster: SimCluster) -> int:
    """Bytes per second a node may recover (``indices.recovery.max_bytes_per_sec``)."""
    value = parse_byte_size(_setting(cluster, "indices.recovery.max_bytes_per_sec"))
    return value if value and value > 0 else DEFAULT_MAX_BYTES_PER_SEC


def node_slots(cluster: SimCluster) -> int:
    raw = _setting(cluster, "cluster.routing.allocation.node_concurrent_recoveries")
    try:
        value = int(raw) if raw is not None else DEFAULT_CONCURRENT
    except (TypeError, ValueError):
        value = DEFAULT_CONCURRENT
    return max(1, value)


def failure_faults(cluster: SimCluster) -> list[ShardFailureFault]:
    """Scenario faults that make restored shards fail (``cluster.extensions``)."""
    raw = cluster.extensions.get("restore_shard_failures") or []
    out = []
    for item in raw:
        if isinstance(item, ShardFailureFault):
            out.append(item)
        elif isinstance(item, dict):
            out.append(ShardFailureFault.from_dict(item))
    return out


# --------------------------------------------------------------------------------------------
# starting recoveries


def start_restore(
    cluster: SimCluster,
    index: IndexState,
    *,
    repository: str,
    snapshot: str,
    snapshot_version: str,
    source_index: str,
    restore_uuid: str,
    files_by_shard: dict[int, list[RecoveryFile]],
) -> list[ShardRecovery]:
    """Schedule the primaries of one restored index (replicas follow when they are done)."""
    reg = registry(cluster)
    now = cluster.clock.now_ms()
    nodes = cluster.data_nodes or cluster.nodes
    slots = node_slots(cluster)
    rate = node_bandwidth(cluster) / slots
    faults = failure_faults(cluster)
    # a restore over an index of the same name replaces its old recoveries
    reg.shards = [r for r in reg.shards if r.index != index.name]
    started = []
    for shard in range(index.primary_shards):
        node = nodes[reg.next_node % len(nodes)]
        reg.next_node += 1
        free = reg.slots.setdefault(node.id, [0] * slots)
        slot = min(range(len(free)), key=lambda i: free[i])
        begin = max(now, free[slot])
        recovery = ShardRecovery(
            index=index.name,
            index_uuid=index.uuid,
            shard=shard,
            primary=True,
            kind="SNAPSHOT",
            target=node,
            start_ms=now,
            index_start_ms=begin + INIT_MS,
            files=list(files_by_shard.get(shard, [])),
            rate=rate,
            snapshot_source={
                "repository": repository,
                "snapshot": snapshot,
                "version": snapshot_version,
                "index": source_index,
                "restoreUUID": restore_uuid,
            },
            restore_uuid=restore_uuid,
        )
        for fault in faults:
            if fault.matches(index.name, shard):
                fraction = min(max(fault.at, 0.0), 1.0)
                recovery.fail_at_ms = recovery.index_start_ms + int(recovery.index_ms * fraction)
                recovery.failure_reason = fault.reason
                break
        free[slot] = recovery.end_ms
        reg.shards.append(recovery)
        started.append(recovery)
        reg.shards.extend(_replicas_of(cluster, index, recovery, rate))
    refresh(cluster)
    return started


def _replicas_of(
    cluster: SimCluster, index: IndexState, primary: ShardRecovery, rate: float
) -> list[ShardRecovery]:
    if primary.fail_at_ms is not None:
        return []
    others = [n for n in (cluster.data_nodes or cluster.nodes) if n.id != primary.target.id]
    out = []
    for copy in range(min(index.replicas, len(others))):
        node = others[(primary.shard + copy) % len(others)]
        out.append(
            ShardRecovery(
                index=index.name,
                index_uuid=index.uuid,
                shard=primary.shard,
                primary=False,
                kind="PEER",
                target=node,
                start_ms=primary.stop_ms,
                index_start_ms=primary.stop_ms + INIT_MS,
                files=list(primary.files),
                rate=rate,
                source_node=primary.target,
                restore_uuid=primary.restore_uuid,
            )
        )
    return out


def completion_ms(cluster: SimCluster, restore_uuid: str) -> int:
    """When every primary of a restore is done or failed (``wait_for_completion``)."""
    ends = [
        r.end_ms for r in registry(cluster).shards if r.restore_uuid == restore_uuid and r.primary
    ]
    return max(ends, default=cluster.clock.now_ms())


def restore_outcome(cluster: SimCluster, restore_uuid: str) -> tuple[int, int]:
    """(total primaries, failed primaries) of a restore."""
    primaries = [
        r for r in registry(cluster).shards if r.restore_uuid == restore_uuid and r.primary
    ]
    return len(primaries), sum(1 for r in primaries if r.fail_at_ms is not None)


# --------------------------------------------------------------------------------------------
# keeping health current


def refresh(cluster: SimCluster) -> None:
    """Set each restored index's initialising counters from the clock (health red/yellow)."""
    reg = cluster.extensions.get(_EXTENSION)
    if not isinstance(reg, RecoveryRegistry) or not reg.shards:
        return
    now = cluster.clock.now_ms()
    live = {(i.name, i.uuid): i for i in cluster.state.indices.values()}
    reg.shards = [r for r in reg.shards if (r.index, r.index_uuid) in live]
    touched: dict[tuple[str, str], tuple[int, int, int]] = {}
    for recovery in reg.shards:
        key = (recovery.index, recovery.index_uuid)
        primaries, replicas, failed = touched.get(key, (0, 0, 0))
        if recovery.primary:
            if recovery.failed(now):
                failed += 1  # a failed restore shard is unassigned, not initialising
            elif not recovery.done(now):
                primaries += 1
        elif now >= recovery.start_ms and not recovery.done(now):
            replicas += 1
        touched[key] = (primaries, replicas, failed)
    for key, (primaries, replicas, failed) in touched.items():
        index = live[key]
        index.initializing_primaries = primaries
        index.initializing_replicas = replicas
        index.unassigned_primaries = failed


def install(app: web.Application, cluster: SimCluster) -> None:
    """Refresh recoveries before every request this cluster answers."""
    from aiohttp import web

    @web.middleware
    async def _refresh(request: web.Request, handler: Any) -> web.StreamResponse:
        refresh(cluster)
        return await handler(request)

    app.middlewares.append(_refresh)


# --------------------------------------------------------------------------------------------
# rendering


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def _bytes_percent(total: int, recovered: int, files_known: bool) -> float:
    if total == 0:
        return 100.0 if files_known else 0.0
    if total == recovered:
        return 100.0
    return 100.0 * recovered / total


def _node_doc(node: NodeState) -> dict[str, Any]:
    return {
        "id": node.id,
        "host": node.host,
        "transport_address": f"{node.ip}:9300",
        "ip": node.ip,
        "name": node.name,
    }


def _timer(doc: dict[str, Any], human: bool, raw: str, readable: str, ms: int) -> None:
    if human:
        doc[readable] = time_value(ms)
    doc[raw] = ms


def _size(doc: dict[str, Any], human: bool, raw: str, readable: str, value: int) -> None:
    if human:
        doc[readable] = byte_size(value)
    doc[raw] = value


def shard_document(
    recovery: ShardRecovery, now: int, *, human: bool = False, detailed: bool = False
) -> dict[str, Any]:
    """``RecoveryState.toXContent`` for one shard at ``now`` (§5.1)."""
    stage = recovery.stage(now)
    done = stage == "DONE"
    files_known = now >= recovery.index_start_ms
    files = recovery.files if files_known else []
    progress = recovery.file_progress(now) if files_known else []
    total = sum(f.length for f in files)
    recovered = sum(got for _, got in progress)
    recovered_files = sum(1 for item, got in progress if got == item.length)
    doc: dict[str, Any] = {
        "id": recovery.shard,
        "type": recovery.kind,
        "stage": stage,
        "primary": recovery.primary,
    }
    if human:
        doc["start_time"] = iso_ms(recovery.start_ms)
    doc["start_time_in_millis"] = recovery.start_ms
    if done:
        if human:
            doc["stop_time"] = iso_ms(recovery.stop_ms)
        doc["stop_time_in_millis"] = recovery.stop_ms
    end = recovery.stop_ms if done else now
    _timer(doc, human, "total_time_in_millis", "total_time", max(0, end - recovery.start_ms))
    if recovery.source_node is not None:
        doc["source"] = _node_doc(recovery.source_node)
    else:
        doc["source"] = dict(recovery.snapshot_source or {})
    doc["target"] = _node_doc(recovery.target)

    size: dict[str, Any] = {}
    _size(size, human, "total_in_bytes", "total", total)
    _size(size, human, "reused_in_bytes", "reused", 0)
    _size(size, human, "recovered_in_bytes", "recovered", recovered)
    size["percent"] = _percent(_bytes_percent(total, recovered, files_known))
    files_doc: dict[str, Any] = {
        "total": len(files),
        "reused": 0,
        "recovered": recovered_files,
        "percent": _percent(
            100.0
            if files_known and (not files or recovered_files == len(files))
            else (100.0 * recovered_files / len(files) if files else 0.0)
        ),
    }
    if detailed:
        details = []
        for item, got in progress:
            entry: dict[str, Any] = {"name": item.name}
            _size(entry, human, "length_in_bytes", "length", item.length)
            entry["reused"] = False
            _size(entry, human, "recovered_in_bytes", "recovered", got)
            details.append(entry)
        files_doc["details"] = details
    index_doc: dict[str, Any] = {"size": size, "files": files_doc}
    index_time = 0
    if now >= recovery.index_start_ms:
        index_time = min(now, recovery.verify_start_ms) - recovery.index_start_ms
    _timer(index_doc, human, "total_time_in_millis", "total_time", index_time)
    _timer(index_doc, human, "source_throttle_time_in_millis", "source_throttle_time", 0)
    _timer(index_doc, human, "target_throttle_time_in_millis", "target_throttle_time", 0)
    doc["index"] = index_doc

    translog_known = now >= recovery.translog_start_ms
    translog: dict[str, Any] = {
        "recovered": 0,
        "total": 0 if translog_known else -1,
        "percent": _percent(100.0 if translog_known else -1.0),
        "total_on_start": 0 if translog_known else -1,
    }
    translog_time = 0
    if translog_known:
        translog_time = min(now, recovery.finalize_start_ms) - recovery.translog_start_ms
    _timer(translog, human, "total_time_in_millis", "total_time", translog_time)
    doc["translog"] = translog
    verify: dict[str, Any] = {}
    _timer(verify, human, "check_index_time_in_millis", "check_index_time", 0)
    verify_time = 0
    if now >= recovery.verify_start_ms:
        verify_time = min(now, recovery.translog_start_ms) - recovery.verify_start_ms
    _timer(verify, human, "total_time_in_millis", "total_time", verify_time)
    doc["verify_index"] = verify
    return doc


def recoveries_for(
    cluster: SimCluster, indices: list[IndexState], *, active_only: bool = False
) -> list[tuple[IndexState, list[ShardRecovery]]]:
    """Each index's shard recoveries at the clock (synthesised ``EMPTY_STORE`` for indices
    that were not restored), ordered by index name then shard, primaries first."""
    reg = registry(cluster)
    now = cluster.clock.now_ms()
    out = []
    for index in sorted(indices, key=lambda i: i.name):
        if not index.is_open:
            continue
        found = [r for r in reg.for_index(index) if r.visible(now)]
        if not reg.for_index(index):
            found = _synthetic(cluster, index)
        if active_only:
            found = [r for r in found if not r.done(now)]
        found.sort(key=lambda r: (r.shard, not r.primary, r.target.name))
        if found:
            out.append((index, found))
    return out


def _synthetic(cluster: SimCluster, index: IndexState) -> list[ShardRecovery]:
    nodes = cluster.data_nodes or cluster.nodes
    # done by the time the index was created (primary, then replicas from it)
    start = max(0, index.creation_date_ms - 2 * (INIT_MS + VERIFY_MS + TRANSLOG_MS + FINALIZE_MS))
    out = []
    for shard in range(index.primary_shards):
        node = nodes[shard % len(nodes)]
        primary = ShardRecovery(
            index=index.name,
            index_uuid=index.uuid,
            shard=shard,
            primary=True,
            kind="EMPTY_STORE",
            target=node,
            start_ms=start,
            index_start_ms=start + INIT_MS,
        )
        out.append(primary)
        others = [n for n in nodes if n.id != node.id]
        for copy in range(min(index.replicas, len(others))):
            out.append(
                ShardRecovery(
                    index=index.name,
                    index_uuid=index.uuid,
                    shard=shard,
                    primary=False,
                    kind="PEER",
                    target=others[(shard + copy) % len(others)],
                    start_ms=primary.stop_ms,
                    index_start_ms=primary.stop_ms + INIT_MS,
                    source_node=node,
                )
            )
    return out


def recovery_document(
    cluster: SimCluster,
    indices: list[IndexState],
    *,
    active_only: bool = False,
    human: bool = False,
    detailed: bool = False,
) -> dict[str, Any]:
    """The body of ``GET _recovery`` / ``GET <index>/_recovery``."""
    now = cluster.clock.now_ms()
    return {
        index.name: {
            "shards": [shard_document(r, now, human=human, detailed=detailed) for r in recoveries]
        }
        for index, recoveries in recoveries_for(cluster, indices, active_only=active_only)
    }


def cat_rows(
    cluster: SimCluster, indices: list[IndexState], *, active_only: bool = False
) -> list[dict[str, Any]]:
    """Rows of ``_cat/recovery`` (``RestCatRecoveryAction``)."""
    now = cluster.clock.now_ms()
    dialect = cluster.dialect
    human_bytes = dialect.supports("cat_recovery_priority")
    rows = []
    for index, recoveries in recoveries_for(cluster, indices, active_only=active_only):
        for r in recoveries:
            stage = r.stage(now)
            done = stage == "DONE"
            files_known = now >= r.index_start_ms
            progress = r.file_progress(now) if files_known else []
            total = sum(item.length for item, _ in progress)
            recovered = sum(got for _, got in progress)
            files_recovered = sum(1 for item, got in progress if got == item.length)
            files_total = len(progress)
            stop = r.stop_ms if done else 0
            snapshot = r.snapshot_source or {}
            row: dict[str, Any] = {
                "index": index.name,
                "shard": r.shard,
                "start_time": iso_ms(r.start_ms),
                "start_time_millis": r.start_ms,
                "stop_time": iso_ms(stop) if done else "1970-01-01T00:00:00.000Z",
                "stop_time_millis": stop,
                "time": time_value(max(0, (r.stop_ms if done else now) - r.start_ms)),
                "type": r.kind.lower(),
                "stage": stage.lower(),
            }
            if human_bytes:
                row["priority"] = index.settings.get("index.priority", "1")
            row.update(
                {
                    "source_host": r.source_node.host if r.source_node else "n/a",
                    "source_node": r.source_node.name if r.source_node else "n/a",
                    "target_host": r.target.host,
                    "target_node": r.target.name,
                    "repository": snapshot.get("repository", "n/a"),
                    "snapshot": snapshot.get("snapshot", "n/a"),
                    "files": files_total,
                    "files_recovered": files_recovered,
                    "files_percent": _percent(
                        100.0
                        if files_known and files_recovered == files_total
                        else (100.0 * files_recovered / files_total if files_total else 0.0)
                    ),
                    "files_total": files_total,
                    "bytes": total,
                    "bytes_recovered": recovered,
                    "bytes_percent": _percent(_bytes_percent(total, recovered, files_known)),
                    "bytes_total": total,
                    "translog_ops": 0 if now >= r.translog_start_ms else -1,
                    "translog_ops_recovered": 0,
                    "translog_ops_percent": _percent(100.0 if now >= r.translog_start_ms else -1.0),
                }
            )
            rows.append(row)
    return rows


__all__ = [
    "RecoveryFile",
    "RecoveryRegistry",
    "ShardFailureFault",
    "ShardRecovery",
    "cat_rows",
    "completion_ms",
    "install",
    "node_bandwidth",
    "recovery_document",
    "refresh",
    "registry",
    "restore_outcome",
    "shard_document",
    "start_restore",
]
