"""In-memory state of one simulated cluster, and the Python API every sandbox route codes against.

Why a separate module: the HTTP layer (``server.py``), the snapshot/restore/recovery routes
(``snapshots.py``, ``restore.py``, ``recovery.py``) and the scenario loader all read and change
the same facts; keeping them in plain dataclasses with a few methods means each route is a thin
translation between HTTP and this state, and tests can set up a cluster without YAML.

API summary (for route authors)
-------------------------------
``SimCluster`` (one per simulated cluster):
  * ``.name`` (node-side ``cluster_name``), ``.uuid``, ``.dialect`` (``dialects.Dialect``: version,
    product, feature flags, ``.supports(flag)``), ``.clock`` (``Clock``: ``now_ms()``,
    ``async sleep(s)``), ``.ids`` (``IdGenerator``: ``uuid()`` 22-char ES-style ids, seeded when
    the clock is fixed), ``.state`` (``ClusterState``), ``.repositories`` (same dict as
    ``state.repositories``: name -> ``RegisteredRepository`` with ``.path`` the real directory),
    ``.faults`` (list of ``Fault``), ``.repo_roots`` (allowed ``path.repo`` roots),
    ``.users`` / ``.api_keys`` (credentials; empty = no security).
  * indices: ``index(name) -> IndexState | None``, ``add_index(IndexState)`` (replaces a same-name
    index), ``remove_index(name)``, ``resolve(expression, *, open_only=False) -> list[IndexState]``
    (comma lists, ``*`` wildcards, ``_all``, ``-exclusions``; raises ``ApiError`` 404
    ``index_not_found_exception`` for a missing concrete name), ``new_index(name, **kw)`` builds an
    ``IndexState`` with a fresh uuid and this cluster's created version.
  * data streams: ``state.data_streams`` dict; ``add_data_stream(DataStreamState)``,
    ``remove_data_stream(name)`` (also removes its backing indices).
  * shards and health: ``total_open_shards()``, ``shard_limit()`` (``max_shards_per_node`` x data
    nodes), ``health()`` -> ``HealthSummary``. An index's health comes from its
    ``initializing_primaries`` / ``initializing_replicas`` counters (set them while a restore
    recovers shards: red while any primary is not yet active), ``unassigned_primaries`` (a
    restore shard failure: red, counted unassigned, not initialising) and from replicas that
    cannot be allocated on the number of data nodes (yellow).
  * global state: ``state.persistent_settings``, ``state.templates``, ``state.index_templates``,
    ``state.component_templates``, ``state.pipelines``, ``state.ilm_policies``.
  * ``state.snapshot_deletions``: list of ``SnapshotDeletion`` in flight (a restore of one of
    them answers 503 ``concurrent_snapshot_execution_exception``).
  * ``state.license`` (``License``), ``state.nodes`` (``NodeState``), ``state.slm_policies``,
    ``state.features`` (installed feature name -> description; feature states restorable here).
  * ``extensions``: a free dict for route modules (e.g. ``cluster.extensions["recoveries"]``).

Errors: raise ``esnap_tui.sandbox.errors.ApiError(status, type, reason, ...)``; the server
renders the envelope. HTTP helpers (param validation, JSON rendering) are in ``httputil.py``.

Routes: ``server.build_app(cluster)`` makes one ``aiohttp.web.Application`` per cluster
(``app[httputil.CLUSTER_KEY]`` is the ``SimCluster``) and calls, when the modules exist,
``snapshots.register_snapshot_routes(app, cluster)`` (and ``restore.register_restore_routes``,
``recovery.register_recovery_routes`` if they define them). Auth, media types, faults, the
``X-Elastic-Product`` header and the error envelope are handled by the server's middleware.
Dialect facts: ``cluster.dialect`` (``dialects.Dialect``): ``.version``, ``.number``,
``.min_index_compat``, ``.index_version_id``, ``.is_opensearch``, ``.supports(flag)``.
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import os
import random
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esnap_tui.sandbox.errors import ApiError, index_not_found

REQUEST_LOG_SIZE = 10_000

# --------------------------------------------------------------------------------------------
# time and ids


class Clock:
    """Wall-clock time. ``FixedClock`` replaces it when responses must be reproducible."""

    fixed = False

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FixedClock(Clock):
    """A clock that starts at a fixed instant and only moves when told to.

    ``sleep`` really waits (so concurrent progress still interleaves) and advances the virtual
    time by exactly the requested amount, so timestamps never depend on the machine's speed.
    """

    fixed = True

    def __init__(self, start_ms: int = 1_767_225_600_000) -> None:  # 2026-01-01T00:00:00Z
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> None:
        self._now += ms

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self.advance(round(seconds * 1000))


class FlowingClock(Clock):
    """A clock that starts at a fixed instant and then flows with real time.

    Why: the interactive demo wants the scenario's reproducible-looking listing (the fixed
    start instant, seeded ids) and restores that progress in the background while nobody
    watches; a ``FixedClock`` only moves in sleeps. Not ``fixed``: callers must not advance it.
    """

    fixed = False

    def __init__(self, start_ms: int = 1_767_225_600_000) -> None:
        self._start_ms = start_ms
        self._origin = time.monotonic()

    def now_ms(self) -> int:
        return self._start_ms + int((time.monotonic() - self._origin) * 1000)


class IdGenerator:
    """ES-style 22-character url-safe base64 ids (``Uuid``s), seeded for reproducible output."""

    def __init__(self, seed: str | int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def uuid(self) -> str:
        raw = self._random.randbytes(16) if self._random is not None else os.urandom(16)
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def hex(self, length: int = 40) -> str:
        if self._random is not None:
            return "".join(self._random.choice("0123456789abcdef") for _ in range(length))
        return os.urandom(length // 2 + 1).hex()[:length]


# --------------------------------------------------------------------------------------------
# state records


@dataclass
class IndexState:
    """One index of the cluster, with the facts the APIs of every version report."""

    name: str
    uuid: str
    created_version_id: int  # index.version.created (legacy id, IndexVersion id, or OS id)
    primary_shards: int = 1
    replicas: int = 1
    state: str = "open"  # "open" | "close"
    aliases: list[str] = field(default_factory=list)
    docs_count: int = 0
    docs_deleted: int = 0
    size_in_bytes: int = 0  # primaries only; total store = size * (1 + active replicas)
    creation_date_ms: int = 0
    settings: dict[str, str] = field(default_factory=dict)  # extra flat settings ("index.*")
    mappings: dict[str, Any] = field(default_factory=dict)
    system: bool = False
    hidden: bool = False
    data_stream: str | None = None
    initializing_primaries: int = 0  # shards whose primary is not active yet (restore: red)
    unassigned_primaries: int = 0  # primaries that failed to restore: unassigned (red)
    initializing_replicas: int = 0  # replica copies still recovering (yellow)
    restored_from: dict[str, Any] | None = None  # restore source (repository, snapshot, uuid)

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def flat_settings(self) -> dict[str, str]:
        """Every ``index.*`` setting as a real cluster lists it with ``flat_settings=true``."""
        base = {
            "index.creation_date": str(self.creation_date_ms),
            "index.number_of_replicas": str(self.replicas),
            "index.number_of_shards": str(self.primary_shards),
            "index.provided_name": self.name,
            "index.uuid": self.uuid,
            "index.version.created": str(self.created_version_id),
        }
        if self.hidden or self.system or self.data_stream is not None:
            base["index.hidden"] = "true"
        base.update(self.settings)
        return dict(sorted(base.items()))


@dataclass
class DataStreamState:
    name: str
    indices: list[str] = field(default_factory=list)  # backing indices, oldest first
    generation: int = 1
    timestamp_field: str = "@timestamp"
    status: str = "GREEN"
    template: str = ""
    ilm_policy: str | None = None
    hidden: bool = False
    system: bool = False


@dataclass
class NodeState:
    name: str
    id: str
    host: str = "127.0.0.1"
    ip: str = "127.0.0.1"
    roles: list[str] = field(default_factory=lambda: ["data", "ingest", "master"])
    disk_total_bytes: int = 500 * 1024**3
    disk_free_bytes: int = 350 * 1024**3

    @property
    def is_data(self) -> bool:
        return any(role == "data" or role.startswith("data_") for role in self.roles)


@dataclass
class License:
    type: str = "basic"  # basic | trial | gold | platinum | enterprise
    status: str = "active"
    uid: str = "3c0fd4c4-1b70-4d63-9c09-3b2ca1ee8e4f"
    issue_date_ms: int = 1_700_000_000_000
    expiry_date_ms: int | None = None
    issued_to: str = "sandbox"
    issuer: str = "elasticsearch"
    max_nodes: int | None = 1000
    max_resource_units: int | None = None


@dataclass
class RegisteredRepository:
    """A repository registered on this cluster. ``path`` is the real on-disk directory (fs)."""

    name: str
    type: str = "fs"
    settings: dict[str, str] = field(default_factory=dict)  # as stored: strings
    uuid: str | None = None
    path: Path | None = None

    @property
    def readonly(self) -> bool:
        return str(self.settings.get("readonly", "false")).lower() == "true"

    @property
    def location(self) -> str | None:
        return self.settings.get("location")


@dataclass
class SlmPolicy:
    id: str
    name: str  # date-math snapshot name, e.g. "<nightly-{now/d}>"
    schedule: str = "0 30 1 * * ?"
    repository: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    retention: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    modified_date_ms: int = 0
    last_success: dict[str, Any] | None = None
    last_failure: dict[str, Any] | None = None
    next_execution_ms: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class SnapshotDeletion:
    repository: str
    snapshots: list[str]
    start_time_ms: int = 0
    repository_state_id: int = 0
    state: str = "STARTED"


@dataclass
class Fault:
    """Something going wrong on purpose. ``path`` is a glob on the request path (``/_cat/*``).

    ``latency_ms`` delays the answer; ``status``/``error_type``/``reason`` answer an error
    instead; ``drop`` closes the connection without an answer; ``probability`` (seeded) applies
    the fault only to some requests; ``method`` limits it to one HTTP method. ``after`` applies
    the latency and the drop *after* the cluster has handled the request: the change happened
    but the answer is late or lost (a restore that started although the client timed out).
    """

    path: str = "*"
    method: str | None = None
    latency_ms: int = 0
    status: int | None = None
    error_type: str = "exception"
    reason: str = "simulated failure"
    drop: bool = False
    probability: float = 1.0
    after: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the cluster received it (before faults), for tests that must prove what
    was sent, e.g. that a restore was sent exactly once."""

    method: str
    path: str
    query: str
    at_ms: int


@dataclass
class HealthSummary:
    status: str
    active_primary_shards: int
    active_shards: int
    initializing_shards: int
    unassigned_shards: int
    unassigned_primary_shards: int
    total_shards: int

    @property
    def active_shards_percent(self) -> float:
        if self.total_shards == 0:
            return 100.0
        return 100.0 * self.active_shards / self.total_shards


@dataclass
class ClusterState:
    """Everything a cluster knows besides its dialect."""

    indices: dict[str, IndexState] = field(default_factory=dict)
    data_streams: dict[str, DataStreamState] = field(default_factory=dict)
    nodes: list[NodeState] = field(default_factory=list)
    license: License | None = field(default_factory=License)
    repositories: dict[str, RegisteredRepository] = field(default_factory=dict)
    slm_policies: dict[str, SlmPolicy] = field(default_factory=dict)
    snapshot_deletions: list[SnapshotDeletion] = field(default_factory=list)
    features: dict[str, str] = field(default_factory=dict)  # feature name -> description
    persistent_settings: dict[str, Any] = field(default_factory=dict)
    transient_settings: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, Any] = field(default_factory=dict)  # legacy templates
    index_templates: dict[str, Any] = field(default_factory=dict)  # composable
    component_templates: dict[str, Any] = field(default_factory=dict)
    pipelines: dict[str, Any] = field(default_factory=dict)
    ilm_policies: dict[str, Any] = field(default_factory=dict)
    max_shards_per_node: int = 1000


# --------------------------------------------------------------------------------------------
# the cluster


class SimCluster:
    """One simulated cluster: dialect + state + clock + ids + faults."""

    def __init__(
        self,
        name: str,
        dialect: Any,  # dialects.Dialect (not imported here to keep the module free of cycles)
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        state: ClusterState | None = None,
        uuid: str | None = None,
        repo_roots: list[Path] | None = None,
        faults: list[Fault] | None = None,
        fault_seed: int | str | None = None,
    ) -> None:
        self.name = name
        self.dialect = dialect
        self.clock = clock or Clock()
        self.ids = ids or IdGenerator()
        self.state = state or ClusterState()
        self.uuid = uuid or self.ids.uuid()
        self.repo_roots: list[Path] = list(repo_roots or [])
        self.faults: list[Fault] = list(faults or [])
        self.fault_random = random.Random(fault_seed if fault_seed is not None else name)
        self.extensions: dict[str, Any] = {}
        # every request received, oldest first (bounded: the demo runs for hours)
        self.requests: deque[RecordedRequest] = deque(maxlen=REQUEST_LOG_SIZE)
        # security: empty = open cluster (no security, like a default 6.x/7.x install)
        self.users: dict[str, str] = {}  # username -> password (basic auth)
        self.api_keys: dict[str, str] = {}  # api key id -> api key secret
        if not self.state.nodes:
            self.state.nodes.append(NodeState(name=f"{name}-node-0", id=self.ids.uuid()))

    # ---- convenience views
    @property
    def repositories(self) -> dict[str, RegisteredRepository]:
        return self.state.repositories

    @property
    def nodes(self) -> list[NodeState]:
        return self.state.nodes

    @property
    def master(self) -> NodeState:
        return self.state.nodes[0]

    @property
    def data_nodes(self) -> list[NodeState]:
        return [node for node in self.state.nodes if node.is_data]

    # ---- indices
    def index(self, name: str) -> IndexState | None:
        return self.state.indices.get(name)

    def new_index(self, name: str, **fields: Any) -> IndexState:
        """An ``IndexState`` created now by this cluster (fresh uuid, this version's id)."""
        fields.setdefault("uuid", self.ids.uuid())
        fields.setdefault("created_version_id", self.dialect.index_version_id)
        fields.setdefault("creation_date_ms", self.clock.now_ms())
        return IndexState(name=name, **fields)

    def add_index(self, index: IndexState) -> IndexState:
        self.state.indices[index.name] = index
        return index

    def remove_index(self, name: str) -> IndexState | None:
        removed = self.state.indices.pop(name, None)
        if removed is not None and removed.data_stream:
            stream = self.state.data_streams.get(removed.data_stream)
            if stream is not None and name in stream.indices:
                stream.indices.remove(name)
        return removed

    def resolve(
        self,
        expression: str | None,
        *,
        open_only: bool = False,
        include_hidden: bool = False,
        allow_missing: bool = False,
    ) -> list[IndexState]:
        """Indices named by an ES index expression (comma list, wildcards, ``_all``, ``-x``).

        Names of data streams and aliases resolve to their indices. A concrete name that does not
        exist raises the real 404 unless ``allow_missing``.
        """
        parts = [p for p in (expression or "_all").split(",") if p]
        if not parts or parts in (["_all"], ["*"]):
            parts = ["*"]
        chosen: dict[str, IndexState] = {}
        for part in parts:
            exclude = part.startswith("-") and bool(chosen)
            pattern = part[1:] if exclude else part
            matched = self._match(pattern, include_hidden=include_hidden or pattern.startswith("."))
            if not matched and not any(ch in pattern for ch in "*?") and not exclude:
                if allow_missing:
                    continue
                raise index_not_found(pattern)
            for index in matched:
                if exclude:
                    chosen.pop(index.name, None)
                else:
                    chosen[index.name] = index
        result = list(chosen.values())
        if open_only:
            result = [index for index in result if index.is_open]
        return sorted(result, key=lambda index: index.name)

    def _match(self, pattern: str, *, include_hidden: bool) -> list[IndexState]:
        wildcard = any(ch in pattern for ch in "*?")
        found: dict[str, IndexState] = {}
        for index in self.state.indices.values():
            if wildcard:
                hidden = index.hidden or index.system or index.data_stream
                if (
                    hidden
                    and not include_hidden
                    and not (index.data_stream and fnmatch.fnmatchcase(index.data_stream, pattern))
                ):
                    continue
                names = [index.name, *index.aliases]
                if index.data_stream:
                    names.append(index.data_stream)
                if any(fnmatch.fnmatchcase(n, pattern) for n in names):
                    found[index.name] = index
            elif pattern in (index.name, index.data_stream) or pattern in index.aliases:
                found[index.name] = index
        return list(found.values())

    # ---- data streams
    def add_data_stream(self, stream: DataStreamState) -> DataStreamState:
        self.state.data_streams[stream.name] = stream
        return stream

    def remove_data_stream(self, name: str) -> DataStreamState | None:
        stream = self.state.data_streams.pop(name, None)
        if stream is not None:
            for index_name in list(stream.indices):
                self.state.indices.pop(index_name, None)
        return stream

    # ---- shards and health
    def total_open_shards(self) -> int:
        return sum(
            index.primary_shards * (1 + index.replicas)
            for index in self.state.indices.values()
            if index.is_open
        )

    def shard_limit(self) -> int:
        return self.state.max_shards_per_node * max(1, len(self.data_nodes))

    def index_health(self, index: IndexState) -> str:
        if not index.is_open:
            return "green" if self.dialect.supports("closed_index_health") else ""
        if index.initializing_primaries > 0 or index.unassigned_primaries > 0:
            return "red"
        if self._unassigned_replicas(index) > 0 or index.initializing_replicas > 0:
            return "yellow"
        return "green"

    def _unassigned_replicas(self, index: IndexState) -> int:
        copies_per_shard = min(index.replicas, max(0, len(self.data_nodes) - 1))
        return (index.replicas - copies_per_shard) * index.primary_shards

    def health(self, indices: list[IndexState] | None = None) -> HealthSummary:
        chosen = (
            indices if indices is not None else [i for i in self.state.indices.values()]
        )
        active_primary = active = initializing = unassigned = unassigned_primary = total = 0
        status_rank = 0
        ranks = {"green": 0, "yellow": 1, "red": 2}
        for index in chosen:
            if not index.is_open and not self.dialect.supports("closed_index_health"):
                continue
            shards = index.primary_shards * (1 + index.replicas)
            total += shards
            init_primaries = min(index.initializing_primaries, index.primary_shards)
            lost_primaries = min(index.unassigned_primaries, index.primary_shards - init_primaries)
            unassigned_replica = self._unassigned_replicas(index)
            init_replicas = min(index.initializing_replicas, index.primary_shards * index.replicas)
            # replicas of a primary not yet active cannot start either: they wait unassigned
            waiting_replicas = (init_primaries + lost_primaries) * min(
                index.replicas, len(self.data_nodes) - 1
            )
            primaries_active = index.primary_shards - init_primaries - lost_primaries
            active_primary += primaries_active
            replicas_active = max(
                0,
                index.primary_shards * index.replicas
                - unassigned_replica
                - init_replicas
                - waiting_replicas,
            )
            active += primaries_active + replicas_active
            initializing += init_primaries + init_replicas
            unassigned += unassigned_replica + max(0, waiting_replicas) + lost_primaries
            unassigned_primary += lost_primaries
            status_rank = max(status_rank, ranks[self.index_health(index)])
        status = ["green", "yellow", "red"][status_rank]
        return HealthSummary(
            status=status,
            active_primary_shards=active_primary,
            active_shards=active,
            initializing_shards=initializing,
            unassigned_shards=unassigned,
            unassigned_primary_shards=unassigned_primary,
            total_shards=total,
        )

    # ---- request log
    def received(self, method: str, path: str) -> list[RecordedRequest]:
        """Requests received with this method whose path matches the glob ``path``."""
        return [
            r
            for r in self.requests
            if r.method == method.upper() and fnmatch.fnmatchcase(r.path, path)
        ]

    # ---- faults
    def faults_for(self, method: str, path: str) -> list[Fault]:
        chosen = []
        for fault in self.faults:
            if not fault.matches(method, path):
                continue
            if fault.probability < 1.0 and self.fault_random.random() >= fault.probability:
                continue
            chosen.append(fault)
        return chosen


__all__ = [
    "ApiError",
    "Clock",
    "ClusterState",
    "DataStreamState",
    "Fault",
    "FixedClock",
    "HealthSummary",
    "IdGenerator",
    "IndexState",
    "License",
    "NodeState",
    "RecordedRequest",
    "RegisteredRepository",
    "SimCluster",
    "SlmPolicy",
    "SnapshotDeletion",
]
