"""Scenario files: the clusters, indices, repositories, snapshots and faults a sandbox runs.

Why YAML: a scenario is a story ("a 6.8 legacy cluster and a 9.1 production cluster share a
backup mount; nightly SLM snapshots since June, two of them failed") that a test, the demo and
a benchmark should be able to tell without Python. ``Scenario.from_dict`` takes the same
schema for tests. Problems name the file, line and field.

Schema (every key optional unless said)::

    seed: 7                      # ids and generated names; same seed -> same bytes
    now: 2026-01-01T00:00:00Z    # fixed-clock start; relative times ("-30d") count from it
    clusters:
      - name: prod-eu            # required
        dialect: es-9.1          # required (dialects.get_dialect names)
        cluster_name: prod-eu
        nodes: 3                 # or a list of {name, disk_total, disk_free, roles}
        disk: {total: 1tb, free: 400gb}          # per node
        license: enterprise      # or {type, status, expiry}; "none" = no licence
        credentials: {username: elastic, password: s3cret, password_env: ESNAP_PROD_PASSWORD}
        api_keys: [{id: k1, key: secret}]
        protected: true          # written into the generated esnap config
        max_shards_per_node: 1000
        features: [security, kibana, tasks]      # default: the version's usual features
        indices:
          - name: logs-2025.11   # or "count: N" with "{i}" in the name
            created: 7.17.0      # release string, or a numeric id; default: the cluster's
            docs: 1000
            size: 1.2gb
            shards: 1
            replicas: 1
            state: open
            aliases: [logs]
            system: false
            hidden: false
            settings: {index.codec: best_compression}
        data_streams:
          - {name: logs-app-default, backing: 3, docs: 5000, size: 2gb, created: 8.15.0}
        repositories:
          - {name: backups, path: shared/backups, readonly: false}   # path under the root
        slm: [{id: nightly, repository: backups, name: "<nightly-{now/d}>", schedule: ...}]
        faults: [{path: "/_cat/*", latency_ms: 200}, {path: "/_snapshot/*", status: 500}]
                 # after: true = delay/drop the answer after the cluster acted on the request
        recovery:                # restore speed when the cluster has no such setting of its own
          max_bytes_per_sec: 40mb              # per node (indices.recovery.max_bytes_per_sec)
          node_concurrent_recoveries: 2        # slots per node sharing that bandwidth
        restore_shard_failures:  # restored shards that fail partway through copying their files
          - {index: "broken-*", shard: 1, at: 0.5, reason: "simulated corruption"}
                 # index: name or glob (required); shard: omit for every shard;
                 # at: fraction of the copy done when it fails (0-1, default 0.5)
        snapshot_delete_ms: 30000  # a snapshot delete stays in flight this long (or "30s")
    repositories:                # directories written on disk before the clusters start
      - path: shared/backups     # required; relative to the sandbox root
        dialect: es-8.15         # writing version (default: first cluster registering it)
        shard_blobs: false       # also write indices/<id>/<shard>/snap-*.dat (slower)
        snapshots:
          - name: manual-1
            start: 2025-10-01T02:00:00Z        # or "-90d"
            duration: 4m
            state: SUCCESS       # SUCCESS | PARTIAL | FAILED
            indices_from: prod-eu               # copy that cluster's non-system indices
            indices: [legacy-2019, {name: old-5x, created: 5.6.16, shards: 5}]
            data_streams: [logs-app-default]
            feature_states: [{feature_name: security, indices: [.security-7]}]
            include_global_state: true
            metadata: {taken_by: ops}
            failures: [{index: logs-2025.11, shard: 0, reason: "IndexShardSnapshotFailedException"}]
            dialect: es-7.17     # a snapshot written by another version into the same dir
          - generate: {count: 180, name: nightly, policy: nightly, every: 1d, start: -180d,
                       indices_from: prod-eu, partial_every: 29, failed_every: 61}
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from esnap_tui.sandbox.dialects import Dialect, get_dialect
from esnap_tui.sandbox.state import Fault

SCENARIO_PACKAGE = "esnap_tui.sandbox.scenarios"


class ScenarioError(ValueError):
    """A bad scenario: ``str()`` is ``<file>:<line>: <field>: <problem>``."""

    def __init__(self, source: str, line: int | None, where: str, problem: str) -> None:
        location = source if line is None else f"{source}:{line}"
        super().__init__(f"{location}: {where}: {problem}" if where else f"{location}: {problem}")
        self.source = source
        self.line = line
        self.field = where
        self.problem = problem


# --------------------------------------------------------------------------------------------
# YAML with line numbers


class _Map(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int | None = None
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# --------------------------------------------------------------------------------------------
# value parsers

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?b?)\s*$", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3,
          "gb": 1024**3, "t": 1024**4, "tb": 1024**4, "p": 1024**5, "pb": 1024**5}
_DURATION_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
                "w": 7 * 86_400_000}


def parse_size(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"not a size: {value!r} (use e.g. 512mb, 1.5gb, 2tb)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_duration_ms(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value * 1000)  # plain numbers are seconds
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 12h, 1d)")
    return int(float(match.group(1)) * _DURATION_MS[match.group(2)])


def parse_time_ms(value: Any, now_ms: int) -> int:
    """ISO dates/times (YAML may have parsed them already), epoch millis, or ``-30d``/``+2h``."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return int(moment.timestamp() * 1000)
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
                   * 1000)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text[:1] in "+-" and _DURATION.match(text.lstrip("+")):
        return now_ms + parse_duration_ms(text.lstrip("+"))
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {value!r} (ISO 8601, epoch millis, or -30d)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def _strict_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"not a whole number: {value!r}")


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r} (a fraction from 0 to 1, e.g. 0.5)")
    if not 0 <= value <= 1:
        raise ValueError(f"must be from 0 to 1, got {value!r}")
    return float(value)


def _delay_ms(value: Any) -> int:
    """Milliseconds as a whole number, or a duration with a unit (``30s``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        milliseconds = value
    elif isinstance(value, str) and value.strip().isdigit():
        milliseconds = int(value)
    else:
        milliseconds = parse_duration_ms(str(value))
    if milliseconds < 0:
        raise ValueError(f"must not be negative, got {value!r}")
    return milliseconds


def parse_created(value: Any, default: int) -> int:
    """A created version as a release (``7.17.0``, ``opensearch-2.11.0``) or an id."""
    from esnap_tui.versions import Product, Version, index_version_id_for

    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    product = Product.ELASTICSEARCH
    for prefix in ("opensearch-", "os-"):
        if text.lower().startswith(prefix):
            product = Product.OPENSEARCH
            text = text[len(prefix):]
    if text.lower().startswith("es-"):
        text = text[3:]
    return int(index_version_id_for(Version.parse(text, product)))


# --------------------------------------------------------------------------------------------
# scenario model


@dataclass
class IndexSpec:
    name: str
    created: Any = None
    docs: int = 0
    size: int = 0
    shards: int = 1
    replicas: int = 1
    state: str = "open"
    aliases: list[str] = field(default_factory=list)
    system: bool = False
    hidden: bool = False
    settings: dict[str, str] = field(default_factory=dict)
    data_stream: str | None = None


@dataclass
class DataStreamSpec:
    name: str
    backing: int = 1
    docs: int = 0
    size: int = 0
    created: Any = None
    shards: int = 1
    replicas: int = 1
    hidden: bool = False
    system: bool = False
    ilm_policy: str | None = None
    template: str = ""


@dataclass
class RepositoryRef:
    name: str
    path: str
    readonly: bool = False
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class ClusterSpec:
    name: str
    dialect: Dialect
    cluster_name: str
    nodes: list[dict[str, Any]]
    license: dict[str, Any] | None
    username: str | None = None
    password: str | None = None
    password_env: str | None = None
    api_keys: dict[str, str] = field(default_factory=dict)
    api_key_env: str | None = None
    protected: bool = False
    read_only: bool = False
    max_shards_per_node: int = 1000
    features: list[str] | None = None
    indices: list[IndexSpec] = field(default_factory=list)
    data_streams: list[DataStreamSpec] = field(default_factory=list)
    repositories: list[RepositoryRef] = field(default_factory=list)
    slm: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    fault_seed: int | None = None
    # cluster.extensions read by recovery.py / snapshots.py
    recovery: dict[str, int] = field(default_factory=dict)
    restore_shard_failures: list[dict[str, Any]] = field(default_factory=list)
    snapshot_delete_ms: int = 0


@dataclass
class SnapshotSpec:
    name: str
    start: Any = None
    duration_ms: int = 60_000
    state: str = "SUCCESS"
    indices_from: str | None = None
    indices: list[IndexSpec] = field(default_factory=list)
    data_streams: list[str] | None = None
    feature_states: list[dict[str, Any]] = field(default_factory=list)
    include_global_state: bool = True
    metadata: dict[str, Any] | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    dialect: str | None = None


@dataclass
class GenerateSpec:
    count: int
    name: str = "nightly"
    policy: str | None = None
    every_ms: int = 86_400_000
    start: Any = "-30d"
    duration_ms: int = 300_000
    indices_from: str | None = None
    indices: list[IndexSpec] = field(default_factory=list)
    partial_every: int = 0
    failed_every: int = 0
    include_global_state: bool = True
    feature_states: list[dict[str, Any]] | None = None
    dialect: str | None = None


@dataclass
class RepositorySpec:
    path: str
    dialect: str | None = None
    compress: bool | None = None
    shard_blobs: bool = False  # per-shard snap-*.dat blobs: real, but slow to write in bulk
    snapshots: list[SnapshotSpec | GenerateSpec] = field(default_factory=list)


@dataclass
class Scenario:
    name: str
    clusters: list[ClusterSpec]
    repositories: list[RepositorySpec] = field(default_factory=list)
    seed: int = 0
    now: Any = "2026-01-01T00:00:00Z"
    source: str = "<dict>"

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>", name: str | None = None
                  ) -> Scenario:
        return _Parser(source).scenario(data, name or Path(source).stem)

    def cluster(self, name: str) -> ClusterSpec:
        for spec in self.clusters:
            if spec.name == name:
                return spec
        raise KeyError(name)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A packaged scenario by name (``demo``, ``small``) or a YAML file path."""
    text_name = str(name_or_path)
    path = Path(text_name)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in text_name:
        if not path.is_file():
            raise ScenarioError(text_name, None, "", "no such scenario file")
        return _load_text(path.read_text(encoding="utf-8"), str(path), path.stem)
    package = resources.files(SCENARIO_PACKAGE)
    candidate = package / f"{text_name}.yaml"
    if not candidate.is_file():
        known = sorted(p.name[:-5] for p in package.iterdir() if p.name.endswith(".yaml"))
        raise ScenarioError(text_name, None, "", f"unknown scenario (packaged: {', '.join(known)})")
    return _load_text(candidate.read_text(encoding="utf-8"), f"scenarios/{text_name}.yaml",
                      text_name)


def _load_text(text: str, source: str, name: str) -> Scenario:
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(source, line, "", f"invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ScenarioError(source, 1, "", "a scenario must be a mapping with a 'clusters' list")
    return _Parser(source).scenario(data, name)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Any, where: str, problem: str, key: str | None = None) -> ScenarioError:
        line = None
        if isinstance(node, _Map):
            line = node.key_lines.get(key, node.line) if key else node.line
        return ScenarioError(self.source, line, where, problem)

    def mapping(self, value: Any, where: str, parent: Any = None, key: str | None = None
                ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(parent, where, "must be a mapping", key)
        return value

    def listing(self, value: Any, where: str, parent: Any, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(parent, where, "must be a list", key)
        return value

    def known(self, data: dict[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(data, f"{where}.{key}", f"unknown key (known: {hint})", key)

    def convert(self, data: dict[str, Any], key: str, where: str, parse: Any, default: Any = None
                ) -> Any:
        if key not in data or data[key] is None:
            return default
        try:
            return parse(data[key])
        except (ValueError, TypeError) as error:
            raise self.fail(data, f"{where}.{key}", str(error), key) from None

    # ---- top level
    def scenario(self, data: dict[str, Any], name: str) -> Scenario:
        self.known(data, {"seed", "now", "clusters", "repositories", "description", "name"},
                   "scenario")
        clusters_raw = self.listing(data.get("clusters"), "clusters", data, "clusters")
        if not clusters_raw:
            raise self.fail(data, "clusters", "a scenario needs at least one cluster", "clusters")
        clusters = [self.cluster(item, f"clusters[{i}]", data)
                    for i, item in enumerate(clusters_raw)]
        names = [c.name for c in clusters]
        for i, cluster_name in enumerate(names):
            if names.index(cluster_name) != i:
                raise self.fail(clusters_raw[i], f"clusters[{i}].name",
                                f"duplicate cluster name {cluster_name!r}", "name")
        repos = [self.repository(item, f"repositories[{i}]", data, set(names))
                 for i, item in enumerate(self.listing(data.get("repositories"), "repositories",
                                                       data, "repositories"))]
        return Scenario(
            name=str(data.get("name") or name),
            clusters=clusters,
            repositories=repos,
            seed=self.convert(data, "seed", "scenario", int, 0),
            now=data.get("now", "2026-01-01T00:00:00Z"),
            source=self.source,
        )

    # ---- clusters
    _CLUSTER_KEYS = frozenset({
        "name", "dialect", "cluster_name", "nodes", "disk", "license", "credentials", "api_keys",
        "protected", "read_only", "max_shards_per_node", "features", "indices", "data_streams",
        "repositories", "slm", "faults", "fault_seed", "description", "recovery",
        "restore_shard_failures", "snapshot_delete_ms",
    })

    def cluster(self, raw: Any, where: str, parent: Any) -> ClusterSpec:
        data = self.mapping(raw, where, parent)
        self.known(data, self._CLUSTER_KEYS, where)
        name = data.get("name")
        if not name:
            raise self.fail(data, f"{where}.name", "missing (every cluster needs a name)")
        if "dialect" not in data:
            raise self.fail(data, f"{where}.dialect", "missing (e.g. es-9.1, es-6.8, os-2.11)")
        try:
            dialect = get_dialect(str(data["dialect"]))
        except KeyError as error:
            raise self.fail(data, f"{where}.dialect", str(error.args[0]), "dialect") from None
        disk = self.mapping(data.get("disk") or {}, f"{where}.disk", data, "disk")
        disk_total = self.convert(disk, "total", f"{where}.disk", parse_size, 500 * 1024**3)
        disk_free = self.convert(disk, "free", f"{where}.disk", parse_size, disk_total * 7 // 10)
        nodes_raw = data.get("nodes", 1)
        nodes: list[dict[str, Any]] = []
        if isinstance(nodes_raw, int) and not isinstance(nodes_raw, bool):
            if nodes_raw < 1:
                raise self.fail(data, f"{where}.nodes", "needs at least one node", "nodes")
            nodes = [{"name": f"{name}-node-{i}", "disk_total": disk_total,
                      "disk_free": disk_free} for i in range(nodes_raw)]
        else:
            for i, item in enumerate(self.listing(nodes_raw, f"{where}.nodes", data, "nodes")):
                node = self.mapping(item, f"{where}.nodes[{i}]", data, "nodes")
                self.known(node, {"name", "disk_total", "disk_free", "roles"},
                           f"{where}.nodes[{i}]")
                nodes.append({
                    "name": str(node.get("name") or f"{name}-node-{i}"),
                    "disk_total": self.convert(node, "disk_total", f"{where}.nodes[{i}]",
                                               parse_size, disk_total),
                    "disk_free": self.convert(node, "disk_free", f"{where}.nodes[{i}]",
                                              parse_size, disk_free),
                    "roles": node.get("roles"),
                })
        licence_raw = data.get("license", "basic" if not dialect.is_opensearch else "none")
        licence: dict[str, Any] | None
        if licence_raw in (None, "none", False):
            licence = None
        elif isinstance(licence_raw, str):
            licence = {"type": licence_raw}
        else:
            licence = dict(self.mapping(licence_raw, f"{where}.license", data, "license"))
        credentials = self.mapping(data.get("credentials") or {}, f"{where}.credentials", data,
                                   "credentials")
        self.known(credentials, {"username", "password", "password_env", "api_key_env"},
                   f"{where}.credentials")
        if credentials and not credentials.get("password") and not data.get("api_keys"):
            raise self.fail(credentials, f"{where}.credentials.password",
                            "missing (the simulated cluster needs the password it accepts)")
        api_keys: dict[str, str] = {}
        for i, item in enumerate(self.listing(data.get("api_keys"), f"{where}.api_keys", data,
                                              "api_keys")):
            key = self.mapping(item, f"{where}.api_keys[{i}]", data, "api_keys")
            if "id" not in key or "key" not in key:
                raise self.fail(key, f"{where}.api_keys[{i}]", "needs id and key")
            api_keys[str(key["id"])] = str(key["key"])
        spec = ClusterSpec(
            name=str(name),
            dialect=dialect,
            cluster_name=str(data.get("cluster_name") or name),
            nodes=nodes,
            license=licence,
            username=credentials.get("username", "elastic" if credentials else None),
            password=None if credentials.get("password") is None
            else str(credentials["password"]),
            password_env=credentials.get("password_env"),
            api_key_env=credentials.get("api_key_env"),
            api_keys=api_keys,
            protected=bool(data.get("protected", False)),
            read_only=bool(data.get("read_only", False)),
            max_shards_per_node=self.convert(data, "max_shards_per_node", where, int, 1000),
            features=data.get("features"),
            fault_seed=data.get("fault_seed"),
        )
        for i, item in enumerate(self.listing(data.get("indices"), f"{where}.indices", data,
                                              "indices")):
            spec.indices += self.indices(item, f"{where}.indices[{i}]", data)
        for i, item in enumerate(self.listing(data.get("data_streams"), f"{where}.data_streams",
                                              data, "data_streams")):
            spec.data_streams.append(self.data_stream(item, f"{where}.data_streams[{i}]", data))
        for i, item in enumerate(self.listing(data.get("repositories"), f"{where}.repositories",
                                              data, "repositories")):
            spec.repositories.append(self.repository_ref(item, f"{where}.repositories[{i}]",
                                                         data))
        for i, item in enumerate(self.listing(data.get("slm"), f"{where}.slm", data, "slm")):
            policy = self.mapping(item, f"{where}.slm[{i}]", data, "slm")
            self.known(policy, {"id", "name", "schedule", "repository", "config", "retention"},
                       f"{where}.slm[{i}]")
            if "id" not in policy or "repository" not in policy:
                raise self.fail(policy, f"{where}.slm[{i}]", "needs id and repository")
            spec.slm.append(dict(policy))
        for i, item in enumerate(self.listing(data.get("faults"), f"{where}.faults", data,
                                              "faults")):
            spec.faults.append(self.fault(item, f"{where}.faults[{i}]", data))
        if data.get("recovery") is not None:
            spec.recovery = self.recovery(data["recovery"], f"{where}.recovery", data)
        for i, item in enumerate(self.listing(data.get("restore_shard_failures"),
                                              f"{where}.restore_shard_failures", data,
                                              "restore_shard_failures")):
            spec.restore_shard_failures.append(
                self.shard_failure(item, f"{where}.restore_shard_failures[{i}]", data))
        spec.snapshot_delete_ms = self.convert(data, "snapshot_delete_ms", where, _delay_ms, 0)
        return spec

    def recovery(self, raw: Any, where: str, parent: Any) -> dict[str, int]:
        data = self.mapping(raw, where, parent, "recovery")
        self.known(data, {"max_bytes_per_sec", "node_concurrent_recoveries"}, where)
        out: dict[str, int] = {}
        rate = self.convert(data, "max_bytes_per_sec", where, parse_size)
        if rate is not None:
            if rate <= 0:
                raise self.fail(data, f"{where}.max_bytes_per_sec", "must be more than 0 bytes",
                                "max_bytes_per_sec")
            out["max_bytes_per_sec"] = rate
        slots = self.convert(data, "node_concurrent_recoveries", where, _strict_int)
        if slots is not None:
            if slots < 1:
                raise self.fail(data, f"{where}.node_concurrent_recoveries",
                                "must be at least 1", "node_concurrent_recoveries")
            out["node_concurrent_recoveries"] = slots
        return out

    def shard_failure(self, raw: Any, where: str, parent: Any) -> dict[str, Any]:
        data = self.mapping(raw, where, parent, "restore_shard_failures")
        self.known(data, {"index", "shard", "at", "reason"}, where)
        if not data.get("index"):
            raise self.fail(data, f"{where}.index", "missing (an index name or glob, e.g. logs-*)")
        shard = self.convert(data, "shard", where, _strict_int)
        if shard is not None and shard < 0:
            raise self.fail(data, f"{where}.shard", "must be 0 or more", "shard")
        at = self.convert(data, "at", where, _fraction, 0.5)
        return {"index": str(data["index"]), "shard": shard, "at": at,
                "reason": str(data.get("reason") or "simulated restore failure")}

    _INDEX_KEYS = frozenset({"name", "created", "docs", "size", "shards", "replicas", "state",
                             "aliases", "system", "hidden", "settings", "count", "data_stream"})

    def indices(self, raw: Any, where: str, parent: Any) -> list[IndexSpec]:
        if isinstance(raw, str):
            return [IndexSpec(name=raw)]
        data = self.mapping(raw, where, parent)
        self.known(data, self._INDEX_KEYS, where)
        if not data.get("name"):
            raise self.fail(data, f"{where}.name", "missing")
        state = str(data.get("state", "open"))
        if state not in ("open", "close", "closed"):
            raise self.fail(data, f"{where}.state", "must be open or close", "state")
        settings = {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in (data.get("settings") or {}).items()}
        count = self.convert(data, "count", where, int, 0)
        names = ([str(data["name"]).replace("{i}", str(i)) for i in range(1, count + 1)]
                 if count else [str(data["name"])])
        return [
            IndexSpec(
                name=name,
                created=data.get("created"),
                docs=self.convert(data, "docs", where, int, 0),
                size=self.convert(data, "size", where, parse_size, 0),
                shards=self.convert(data, "shards", where, int, 1),
                replicas=self.convert(data, "replicas", where, int, 1),
                state="close" if state.startswith("close") else "open",
                aliases=[str(a) for a in data.get("aliases") or []],
                system=bool(data.get("system", False)),
                hidden=bool(data.get("hidden", False)),
                settings=settings,
                data_stream=data.get("data_stream"),
            )
            for name in names
        ]

    def data_stream(self, raw: Any, where: str, parent: Any) -> DataStreamSpec:
        data = self.mapping(raw, where, parent)
        self.known(data, {"name", "backing", "docs", "size", "created", "shards", "replicas",
                          "hidden", "system", "ilm_policy", "template"}, where)
        if not data.get("name"):
            raise self.fail(data, f"{where}.name", "missing")
        return DataStreamSpec(
            name=str(data["name"]),
            backing=self.convert(data, "backing", where, int, 1),
            docs=self.convert(data, "docs", where, int, 0),
            size=self.convert(data, "size", where, parse_size, 0),
            created=data.get("created"),
            shards=self.convert(data, "shards", where, int, 1),
            replicas=self.convert(data, "replicas", where, int, 1),
            hidden=bool(data.get("hidden", False)),
            system=bool(data.get("system", False)),
            ilm_policy=data.get("ilm_policy"),
            template=str(data.get("template") or data["name"]),
        )

    def repository_ref(self, raw: Any, where: str, parent: Any) -> RepositoryRef:
        data = self.mapping(raw, where, parent)
        self.known(data, {"name", "path", "readonly", "settings"}, where)
        if not data.get("name") or not data.get("path"):
            raise self.fail(data, where, "a repository needs name and path")
        return RepositoryRef(
            name=str(data["name"]),
            path=str(data["path"]),
            readonly=bool(data.get("readonly", False)),
            settings=dict(data.get("settings") or {}),
        )

    def fault(self, raw: Any, where: str, parent: Any) -> Fault:
        data = self.mapping(raw, where, parent)
        self.known(data, {"path", "method", "latency_ms", "latency", "status", "error_type",
                          "type", "reason", "drop", "probability", "after"}, where)
        latency = self.convert(data, "latency_ms", where, int, 0)
        if "latency" in data:
            latency = self.convert(data, "latency", where, parse_duration_ms, 0)
        return Fault(
            path=str(data.get("path", "*")),
            method=data.get("method"),
            latency_ms=latency,
            status=self.convert(data, "status", where, int, None),
            error_type=str(data.get("error_type") or data.get("type") or "exception"),
            reason=str(data.get("reason", "simulated failure")),
            drop=bool(data.get("drop", False)),
            probability=self.convert(data, "probability", where, float, 1.0),
            after=bool(data.get("after", False)),
        )

    # ---- repositories and snapshots
    def repository(self, raw: Any, where: str, parent: Any, clusters: set[str]) -> RepositorySpec:
        data = self.mapping(raw, where, parent)
        self.known(data, {"path", "dialect", "compress", "shard_blobs", "snapshots"}, where)
        if not data.get("path"):
            raise self.fail(data, f"{where}.path", "missing")
        spec = RepositorySpec(path=str(data["path"]), dialect=self._dialect(data, where),
                              compress=data.get("compress"),
                              shard_blobs=bool(data.get("shard_blobs", False)))
        for i, item in enumerate(self.listing(data.get("snapshots"), f"{where}.snapshots", data,
                                              "snapshots")):
            spec.snapshots.append(self.snapshot(item, f"{where}.snapshots[{i}]", data, clusters))
        return spec

    def _dialect(self, data: dict[str, Any], where: str) -> str | None:
        if data.get("dialect") is None:
            return None
        try:
            return get_dialect(str(data["dialect"])).name
        except KeyError as error:
            raise self.fail(data, f"{where}.dialect", str(error.args[0]), "dialect") from None

    def _cluster_ref(self, data: dict[str, Any], where: str, clusters: set[str]) -> str | None:
        ref = data.get("indices_from")
        if ref is not None and ref not in clusters:
            raise self.fail(data, f"{where}.indices_from", f"no cluster named {ref!r}",
                            "indices_from")
        return ref

    def snapshot(self, raw: Any, where: str, parent: Any, clusters: set[str]
                 ) -> SnapshotSpec | GenerateSpec:
        data = self.mapping(raw, where, parent)
        if "generate" in data:
            self.known(data, {"generate", "dialect"}, where)
            gen = self.mapping(data["generate"], f"{where}.generate", data, "generate")
            at = f"{where}.generate"
            self.known(gen, {"count", "name", "policy", "every", "start", "duration",
                             "indices_from", "indices", "partial_every", "failed_every",
                             "include_global_state", "feature_states", "dialect"}, at)
            if "count" not in gen:
                raise self.fail(gen, f"{at}.count", "missing")
            return GenerateSpec(
                count=self.convert(gen, "count", at, int),
                name=str(gen.get("name") or gen.get("policy") or "nightly"),
                policy=gen.get("policy"),
                every_ms=self.convert(gen, "every", at, parse_duration_ms, 86_400_000),
                start=gen.get("start", "-30d"),
                duration_ms=self.convert(gen, "duration", at, parse_duration_ms, 300_000),
                indices_from=self._cluster_ref(gen, at, clusters),
                indices=[s for i, item in enumerate(gen.get("indices") or [])
                         for s in self.indices(item, f"{at}.indices[{i}]", gen)],
                partial_every=self.convert(gen, "partial_every", at, int, 0),
                failed_every=self.convert(gen, "failed_every", at, int, 0),
                include_global_state=bool(gen.get("include_global_state", True)),
                feature_states=gen.get("feature_states"),
                dialect=self._dialect(gen, at) or self._dialect(data, where),
            )
        self.known(data, {"name", "start", "duration", "state", "indices_from", "indices",
                          "data_streams", "feature_states", "include_global_state", "metadata",
                          "failures", "reason", "dialect"}, where)
        if not data.get("name"):
            raise self.fail(data, f"{where}.name", "missing")
        state = str(data.get("state", "SUCCESS")).upper()
        if state not in ("SUCCESS", "PARTIAL", "FAILED"):
            raise self.fail(data, f"{where}.state", "must be SUCCESS, PARTIAL or FAILED", "state")
        return SnapshotSpec(
            name=str(data["name"]),
            start=data.get("start"),
            duration_ms=self.convert(data, "duration", where, parse_duration_ms, 60_000),
            state=state,
            indices_from=self._cluster_ref(data, where, clusters),
            indices=[s for i, item in enumerate(data.get("indices") or [])
                     for s in self.indices(item, f"{where}.indices[{i}]", data)],
            data_streams=data.get("data_streams"),
            feature_states=list(data.get("feature_states") or []),
            include_global_state=bool(data.get("include_global_state", True)),
            metadata=data.get("metadata"),
            failures=list(data.get("failures") or []),
            reason=data.get("reason"),
            dialect=self._dialect(data, where),
        )
