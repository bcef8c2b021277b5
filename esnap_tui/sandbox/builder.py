"""Turn a ``Scenario`` into live ``SimCluster`` objects and real repository directories.

Why separate from the server: building is pure set-up (parse sizes and versions, write the
snapshots through the repository writer, register repositories) that tests and benchmarks can
call without opening a port.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esnap_tui.models import FeatureState, ShardFailure, SnapshotState
from esnap_tui.sandbox.dialects import Dialect, get_dialect
from esnap_tui.sandbox.scenario import (
    ClusterSpec,
    GenerateSpec,
    IndexSpec,
    RepositorySpec,
    Scenario,
    ScenarioError,
    SnapshotSpec,
    parse_created,
    parse_time_ms,
)
from esnap_tui.sandbox.state import (
    Clock,
    DataStreamState,
    FixedClock,
    FlowingClock,
    IdGenerator,
    IndexState,
    License,
    NodeState,
    RegisteredRepository,
    SimCluster,
    SlmPolicy,
)

DAY_MS = 86_400_000

# feature name -> (description, system index prefix) as GET _features lists them (8.x)
FEATURES: dict[str, tuple[str, str]] = {
    "async_search": ("Manages results of async searches", ".async-search"),
    "enrich": ("Manages data related to Enrich policies", ".enrich-"),
    "fleet": ("Manages configuration for Fleet", ".fleet-"),
    "geoip": ("Manages data related to GeoIP database downloader", ".geoip_databases"),
    "kibana": ("Manages Kibana configuration and reports", ".kibana"),
    "logstash_management": ("Enables Logstash Central Management pipeline storage", ".logstash"),
    "machine_learning": ("Provides anomaly detection and forecasting functionality", ".ml-"),
    "searchable_snapshots": ("Manages caches and configuration for searchable snapshots",
                             ".snapshot-blob-cache"),
    "security": ("Manages configuration for Security features", ".security"),
    "tasks": ("Manages task results", ".tasks"),
    "transform": ("Manages configuration and state for transforms", ".transform-internal-"),
    "watcher": ("Manages Watch definitions and state", ".watches"),
}


def feature_of(index_name: str) -> str | None:
    """The feature a system index belongs to, from its name."""
    for name, (_, prefix) in FEATURES.items():
        if index_name.startswith(prefix):
            return name
    return None


@dataclass
class BuiltCluster:
    spec: ClusterSpec
    cluster: SimCluster


def scenario_now_ms(scenario: Scenario, fixed_clock: bool | str) -> int:
    if not fixed_clock:
        return Clock().now_ms()
    try:
        return parse_time_ms(scenario.now, 0)
    except ValueError as error:
        raise ScenarioError(scenario.source, None, "now", str(error)) from None


def build(scenario: Scenario, root: Path, *, fixed_clock: bool | str = False
          ) -> dict[str, BuiltCluster]:
    """Write the scenario's repositories under ``root`` and return its clusters, ready to serve.

    ``fixed_clock``: False = wall clock; True = ``FixedClock`` at the scenario's instant;
    ``"flowing"`` = ``FlowingClock`` from that instant (both seed the ids)."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    now_ms = scenario_now_ms(scenario, fixed_clock)
    built: dict[str, BuiltCluster] = {}
    for spec in scenario.clusters:
        clock: Clock = (
            FlowingClock(now_ms) if fixed_clock == "flowing"
            else FixedClock(now_ms) if fixed_clock else Clock()
        )
        ids = IdGenerator(f"{scenario.seed}:{spec.name}") if fixed_clock else IdGenerator()
        built[spec.name] = BuiltCluster(spec, _cluster(spec, root, clock, ids, now_ms, scenario))
    writer = _RepositoryBuilder(scenario, root, built, now_ms)
    for repo_spec in scenario.repositories:
        writer.write(repo_spec)
    for item in built.values():
        for ref in item.spec.repositories:
            _register(item.cluster, ref.name, root / ref.path, ref.readonly, ref.settings)
        _slm(item, writer.policy_runs, now_ms)
    return built


# --------------------------------------------------------------------------------------------
# clusters


def _cluster(spec: ClusterSpec, root: Path, clock: Clock, ids: IdGenerator, now_ms: int,
             scenario: Scenario) -> SimCluster:
    dialect = spec.dialect
    nodes = []
    for node in spec.nodes:
        roles = node.get("roles") or _default_roles(dialect)
        nodes.append(NodeState(name=node["name"], id=ids.uuid(), roles=list(roles),
                               disk_total_bytes=node["disk_total"],
                               disk_free_bytes=min(node["disk_free"], node["disk_total"])))
    cluster = SimCluster(spec.cluster_name, dialect, clock=clock, ids=ids,
                         repo_roots=[root], fault_seed=spec.fault_seed or spec.name)
    cluster.state.nodes[:] = nodes
    cluster.state.max_shards_per_node = spec.max_shards_per_node
    cluster.state.license = _license(spec.license, now_ms, scenario, spec)
    cluster.faults[:] = spec.faults
    # read by recovery.py (throughput, failing shards) and snapshots.py (slow deletes)
    if spec.recovery:
        cluster.extensions["recovery"] = dict(spec.recovery)
    if spec.restore_shard_failures:
        cluster.extensions["restore_shard_failures"] = [
            dict(item) for item in spec.restore_shard_failures
        ]
    if spec.snapshot_delete_ms:
        cluster.extensions["snapshot_delete_ms"] = spec.snapshot_delete_ms
    if spec.password is not None and spec.username:
        cluster.users[spec.username] = spec.password
    cluster.api_keys.update(spec.api_keys)
    if dialect.supports("features_api"):
        wanted = spec.features if spec.features is not None else [
            "async_search", "enrich", "fleet", "geoip", "kibana", "logstash_management",
            "machine_learning", "searchable_snapshots", "security", "tasks", "transform",
            "watcher",
        ]
        for name in wanted:
            cluster.state.features[str(name)] = FEATURES.get(str(name), ("", ""))[0]
    for i, index_spec in enumerate(spec.indices):
        cluster.add_index(_index_state(cluster, index_spec, now_ms - (len(spec.indices) - i)
                                       * DAY_MS, spec))
    for stream_spec in spec.data_streams:
        _data_stream(cluster, stream_spec, now_ms, spec)
    return cluster


def _default_roles(dialect: Dialect) -> list[str]:
    if dialect.is_opensearch:
        return ["cluster_manager", "data", "ingest"] if dialect.major >= 2 else [
            "data", "ingest", "master"]
    if (dialect.major, dialect.version.minor) >= (7, 10):
        return ["data", "data_cold", "data_content", "data_frozen", "data_hot", "data_warm",
                "ingest", "master", "ml", "remote_cluster_client", "transform"]
    return ["data", "ingest", "master"]


def _license(raw: dict[str, Any] | None, now_ms: int, scenario: Scenario, spec: ClusterSpec
             ) -> License | None:
    if raw is None:
        return None
    licence = License(type=str(raw.get("type", "basic")), status=str(raw.get("status", "active")))
    licence.issue_date_ms = now_ms - 200 * DAY_MS
    if licence.type not in ("basic",):
        licence.expiry_date_ms = now_ms + 365 * DAY_MS
    if raw.get("expiry") is not None:
        try:
            licence.expiry_date_ms = parse_time_ms(raw["expiry"], now_ms)
        except ValueError as error:
            raise ScenarioError(scenario.source, None, f"{spec.name}.license.expiry",
                                str(error)) from None
    if licence.type == "enterprise":
        licence.max_nodes = None
        licence.max_resource_units = 100
    if licence.type == "trial":
        licence.expiry_date_ms = now_ms + 30 * DAY_MS
    licence.uid = IdGenerator(f"licence:{spec.name}").hex(32)
    licence.uid = "-".join([licence.uid[:8], licence.uid[8:12], licence.uid[12:16],
                            licence.uid[16:20], licence.uid[20:32]])
    return licence


def _index_state(cluster: SimCluster, spec: IndexSpec, created_ms: int,
                 cluster_spec: ClusterSpec) -> IndexState:
    try:
        created = parse_created(spec.created, cluster.dialect.index_version_id)
    except ValueError as error:
        raise ScenarioError("<scenario>", None, f"{cluster_spec.name}.indices.{spec.name}.created",
                            str(error)) from None
    return cluster.new_index(
        spec.name,
        created_version_id=created,
        primary_shards=spec.shards,
        replicas=spec.replicas,
        state=spec.state,
        aliases=list(spec.aliases),
        docs_count=spec.docs,
        size_in_bytes=spec.size,
        creation_date_ms=created_ms,
        settings=dict(spec.settings),
        system=spec.system,
        hidden=spec.hidden or spec.system,
        data_stream=spec.data_stream,
    )


def backing_index_name(dialect: Dialect, stream: str, generation: int, day_ms: int) -> str:
    """``.ds-<stream>-<yyyy.MM.dd>-<generation>`` (7.11+) or ``.ds-<stream>-<generation>``."""
    if dialect.is_opensearch or (dialect.major, dialect.version.minor) < (7, 11):
        return f".ds-{stream}-{generation:06d}"
    day = dt.datetime.fromtimestamp(day_ms / 1000, tz=dt.UTC).strftime("%Y.%m.%d")
    return f".ds-{stream}-{day}-{generation:06d}"


def _data_stream(cluster: SimCluster, spec: Any, now_ms: int, cluster_spec: ClusterSpec) -> None:
    stream = DataStreamState(name=spec.name, generation=spec.backing, template=spec.template,
                             ilm_policy=spec.ilm_policy, hidden=spec.hidden, system=spec.system)
    for generation in range(1, spec.backing + 1):
        day_ms = now_ms - (spec.backing - generation) * 7 * DAY_MS
        name = backing_index_name(cluster.dialect, spec.name, generation, day_ms)
        index_spec = IndexSpec(name=name, created=spec.created, docs=spec.docs // spec.backing,
                               size=spec.size // spec.backing, shards=spec.shards,
                               replicas=spec.replicas, hidden=True, system=spec.system,
                               data_stream=spec.name)
        cluster.add_index(_index_state(cluster, index_spec, day_ms, cluster_spec))
        stream.indices.append(name)
    cluster.add_data_stream(stream)


def _register(cluster: SimCluster, name: str, path: Path, readonly: bool,
              settings: dict[str, Any]) -> None:
    path = path.resolve()
    if not any(path == r or r in path.parents for r in cluster.repo_roots):
        cluster.repo_roots.append(path)
    values = {"location": str(path), **{k: str(v).lower() if isinstance(v, bool) else str(v)
                                        for k, v in settings.items()}}
    if readonly:
        values["readonly"] = "true"
    if not readonly:
        path.mkdir(parents=True, exist_ok=True)
    cluster.repositories[name] = RegisteredRepository(
        name=name, type="fs", settings=values, path=path
    )


def _slm(item: BuiltCluster, runs: dict[str, dict[str, Any]], now_ms: int) -> None:
    cluster = item.cluster
    if not cluster.dialect.supports("slm"):
        return
    for raw in item.spec.slm:
        policy_id = str(raw["id"])
        policy = SlmPolicy(
            id=policy_id,
            name=str(raw.get("name") or f"<{policy_id}-{{now/d}}>"),
            schedule=str(raw.get("schedule") or "0 30 1 * * ?"),
            repository=str(raw["repository"]),
            config=dict(raw.get("config") or {"include_global_state": True}),
            retention=dict(raw.get("retention") or {}),
            modified_date_ms=now_ms - 400 * DAY_MS,
            next_execution_ms=(now_ms // DAY_MS + 1) * DAY_MS + 5_400_000,
        )
        run = runs.get(policy_id)
        if run:
            if run.get("success"):
                policy.last_success = run["success"]
            if run.get("failure"):
                policy.last_failure = run["failure"]
            policy.stats = {
                "snapshots_taken": run.get("taken", 0),
                "snapshots_failed": run.get("failed", 0),
                "snapshots_deleted": 0,
                "snapshot_deletion_failures": 0,
            }
        cluster.state.slm_policies[policy_id] = policy


# --------------------------------------------------------------------------------------------
# repositories on disk


class _RepositoryBuilder:
    def __init__(self, scenario: Scenario, root: Path, built: dict[str, BuiltCluster],
                 now_ms: int) -> None:
        self.scenario = scenario
        self.root = root
        self.built = built
        self.now_ms = now_ms
        self.ids = IdGenerator(f"{scenario.seed}:repositories")
        self.policy_runs: dict[str, dict[str, Any]] = {}

    def _writer_dialect(self, spec: RepositorySpec) -> Dialect:
        if spec.dialect:
            return get_dialect(spec.dialect)
        target = (self.root / spec.path).resolve()
        for item in self.built.values():
            for ref in item.spec.repositories:
                if (self.root / ref.path).resolve() == target:
                    return item.cluster.dialect
        return get_dialect("es-9.1")

    def write(self, spec: RepositorySpec) -> None:
        from esnap_tui.repository.writer import RepositoryWriter

        path = (self.root / spec.path).resolve()
        path.mkdir(parents=True, exist_ok=True)
        if any(p.name == "index.latest" or p.name.startswith("index-") for p in path.iterdir()):
            # a repository from an earlier run under the same root: keep it as it is (so a
            # restarted sandbox keeps snapshots taken meanwhile, and answers identically)
            return
        default = self._writer_dialect(spec)
        groups: list[tuple[Dialect, list[Any]]] = []
        for item in spec.snapshots:
            dialect = get_dialect(item.dialect) if item.dialect else default
            snapshots = list(self._expand(item, dialect))
            if groups and groups[-1][0] is dialect:
                groups[-1][1].extend(snapshots)
            else:
                groups.append((dialect, snapshots))
        if not groups:
            return
        for dialect, snapshots in groups:
            writer = RepositoryWriter(path, dialect.version, compress=spec.compress,
                                      shard_blobs=spec.shard_blobs)
            writer.add_snapshots(snapshots)

    # ---- snapshot content
    def _source_indices(self, cluster_name: str, dialect: Dialect) -> list[Any]:
        from esnap_tui.repository.writer import IndexToWrite

        cluster = self.built[cluster_name].cluster
        result = []
        for index in sorted(cluster.state.indices.values(), key=lambda i: i.name):
            result.append(IndexToWrite(
                name=index.name, uuid=index.uuid, created_version_id=index.created_version_id,
                primary_shards=index.primary_shards, replicas=index.replicas,
                state=index.state, aliases=list(index.aliases), data_stream=index.data_stream,
                system=index.system, settings=dict(index.settings),
                size_in_bytes=index.size_in_bytes, docs_count=index.docs_count,
                creation_date_ms=index.creation_date_ms,
            ))
        return result

    def _spec_indices(self, specs: list[IndexSpec], dialect: Dialect) -> list[Any]:
        from esnap_tui.repository.writer import IndexToWrite

        result = []
        for spec in specs:
            try:
                created = parse_created(spec.created, dialect.index_version_id)
            except ValueError as error:
                raise ScenarioError(self.scenario.source, None, f"indices.{spec.name}.created",
                                    str(error)) from None
            result.append(IndexToWrite(
                name=spec.name, uuid=IdGenerator(f"{self.scenario.seed}:index:{spec.name}")
                .uuid(), created_version_id=created, primary_shards=spec.shards,
                replicas=spec.replicas, state=spec.state, aliases=list(spec.aliases),
                data_stream=spec.data_stream, system=spec.system, settings=dict(spec.settings),
                size_in_bytes=spec.size, docs_count=spec.docs,
            ))
        return result

    def _content(self, indices_from: str | None, explicit: list[IndexSpec], dialect: Dialect,
                 feature_states: list[dict[str, Any]] | None, include_global_state: bool
                 ) -> tuple[list[Any], list[str], list[FeatureState]]:
        indices = self._source_indices(indices_from, dialect) if indices_from else []
        indices += self._spec_indices(explicit, dialect)
        if not dialect.supports("snapshot_data_streams"):
            indices = [i for i in indices if i.data_stream is None]
        streams = sorted({i.data_stream for i in indices if i.data_stream})
        features: list[FeatureState] = []
        if dialect.supports("feature_states"):
            if feature_states is not None:
                features = [FeatureState(str(f["feature_name"]),
                                         tuple(str(x) for x in f.get("indices") or []))
                            for f in feature_states]
            elif include_global_state:
                grouped: dict[str, list[str]] = {}
                for index in indices:
                    name = feature_of(index.name) if index.system else None
                    if name:
                        grouped.setdefault(name, []).append(index.name)
                features = [FeatureState(n, tuple(v)) for n, v in sorted(grouped.items())]
            in_features = {n for f in features for n in f.indices}
            # system indices travel only inside feature states from 7.12 on
            indices = [i for i in indices if not i.system or i.name in in_features]
        elif not include_global_state:
            indices = [i for i in indices if not i.system]
        return indices, streams, features

    def _expand(self, item: SnapshotSpec | GenerateSpec, dialect: Dialect) -> Iterator[Any]:
        if isinstance(item, GenerateSpec):
            yield from self._generate(item, dialect)
            return
        from esnap_tui.repository.writer import SnapshotToWrite

        indices, streams, features = self._content(
            item.indices_from, item.indices, dialect,
            item.feature_states or None, item.include_global_state)
        if item.data_streams is not None:
            streams = [str(s) for s in item.data_streams]
        start = self._time(item.start, f"snapshot {item.name} start", self.now_ms - DAY_MS)
        state = SnapshotState(item.state)
        failures = [self._failure(f, indices) for f in item.failures]
        if state is SnapshotState.PARTIAL and not failures and indices:
            failures = [self._failure({}, indices)]
        reason = item.reason
        if state is SnapshotState.FAILED and reason is None:
            reason = "Indices don't have primary shards [" + (
                indices[0].name if indices else "unknown") + "]"
        yield SnapshotToWrite(
            name=item.name, uuid=self.ids.uuid(), state=state, start_time_ms=start,
            end_time_ms=start + item.duration_ms, indices=indices, data_streams=streams,
            feature_states=features, include_global_state=item.include_global_state,
            metadata=item.metadata, failures=failures, reason=reason,
        )

    def _generate(self, spec: GenerateSpec, dialect: Dialect) -> Iterator[Any]:
        from esnap_tui.repository.writer import SnapshotToWrite

        indices, streams, features = self._content(
            spec.indices_from, spec.indices, dialect, spec.feature_states,
            spec.include_global_state)
        start = self._time(spec.start, "generate.start", self.now_ms - spec.count * spec.every_ms)
        run = self.policy_runs.setdefault(spec.policy or spec.name, {"taken": 0, "failed": 0})
        names = IdGenerator(f"{self.scenario.seed}:{spec.name}:{start}")
        for i in range(spec.count):
            at = start + i * spec.every_ms
            day = dt.datetime.fromtimestamp(at / 1000, tz=dt.UTC).strftime("%Y.%m.%d")
            name = f"{spec.name}-{day}-{names.uuid().lower()}"
            number = i + 1
            state = SnapshotState.SUCCESS
            failures: list[ShardFailure] = []
            reason = None
            if spec.failed_every and number % spec.failed_every == 0:
                state = SnapshotState.FAILED
                reason = "[" + (indices[0].name if indices else "?") + "] shard failed: " + \
                    "org.elasticsearch.index.snapshots.IndexShardSnapshotFailedException: " + \
                    "Failed to snapshot"
            elif spec.partial_every and number % spec.partial_every == 0 and indices:
                state = SnapshotState.PARTIAL
                failures = [self._failure({"index": indices[(i // spec.partial_every)
                                                             % len(indices)].name}, indices)]
            metadata = {"policy": spec.policy} if spec.policy else None
            duration = spec.duration_ms + (i * 7919) % 60_000
            snapshot = SnapshotToWrite(
                name=name, uuid=self.ids.uuid(), state=state, start_time_ms=at,
                end_time_ms=at + duration, indices=indices, data_streams=streams,
                feature_states=features, include_global_state=spec.include_global_state,
                metadata=metadata, failures=failures, reason=reason,
            )
            run["taken" if state is not SnapshotState.FAILED else "failed"] += 1
            record = {"snapshot_name": name, "time": at + duration}
            if state is SnapshotState.FAILED:
                run["failure"] = {**record, "details": reason}
            else:
                run["success"] = record
            yield snapshot

    def _failure(self, raw: dict[str, Any], indices: list[Any]) -> ShardFailure:
        index = str(raw.get("index") or (indices[0].name if indices else "unknown"))
        return ShardFailure(
            index=index,
            shard_id=int(raw.get("shard", 0)),
            reason=str(raw.get("reason") or "IndexShardSnapshotFailedException[Failed to "
                       "snapshot]; nested: NoSuchFileException[segments_3]"),
            node_id=raw.get("node_id"),
            status=str(raw.get("status") or "INTERNAL_SERVER_ERROR"),
        )

    def _time(self, value: Any, where: str, default: int) -> int:
        if value is None:
            return default
        try:
            return parse_time_ms(value, self.now_ms)
        except ValueError as error:
            raise ScenarioError(self.scenario.source, None, where, str(error)) from None
