"""Facts the pre-flight checks read: the target cluster's state and the snapshot's contents.

Why separate dataclasses instead of the client's models: checks stay pure and testable with
plain values, and the live client (or the sandbox, or an offline reader) fills them in from
whatever APIs its version has. ``None`` always means "not known", which the checks report as
such instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from esnap_tui.models import IndexInSnapshot, SnapshotDetail
from esnap_tui.versions import Version


@dataclass(frozen=True)
class ExistingIndex:
    name: str
    uuid: str | None = None
    state: str = "open"  # open | close
    primary_shards: int | None = None
    replicas: int | None = None
    aliases: tuple[str, ...] = ()
    data_stream: str | None = None
    system: bool = False

    @property
    def is_open(self) -> bool:
        return self.state != "close"


@dataclass(frozen=True)
class ExistingDataStream:
    name: str
    indices: tuple[str, ...] = ()
    system: bool = False


@dataclass(frozen=True)
class NodeDisk:
    name: str
    available_bytes: int
    total_bytes: int | None = None
    data: bool = True


@dataclass(frozen=True)
class RepositoryFacts:
    """A registered repository: where its bytes are (type + location/bucket) and its uuid."""

    name: str
    type: str
    location: str | None = None  # fs location, url repository URL
    bucket: str | None = None  # s3/gcs bucket, azure container
    base_path: str | None = None
    uuid: str | None = None
    readonly: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, name: str, type_: str, settings: dict[str, Any], *, uuid: str | None = None
    ) -> RepositoryFacts:
        delegate = settings.get("delegate_type") if type_ == "source" else None
        kind = str(delegate or type_)
        return cls(
            name=name,
            type=kind,
            location=_str(settings.get("location") if kind == "fs" else settings.get("url")),
            bucket=_str(settings.get("bucket") or settings.get("container")),
            base_path=_str(settings.get("base_path")),
            uuid=uuid,
            readonly=kind == "url" or str(settings.get("readonly", "false")).lower() == "true",
            settings=dict(settings),
        )

    def storage(self) -> tuple[str, str | None, str | None, str | None]:
        def norm(text: str | None) -> str | None:
            return text.rstrip("/") if text else text

        return (self.type, norm(self.location), self.bucket, norm(self.base_path))

    def same_storage(self, other: RepositoryFacts) -> bool:
        return self.storage() == other.storage()


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class RestoreInFlight:
    """A restore with shards still recovering (``_recovery``, type SNAPSHOT)."""

    snapshot: str
    repository: str | None = None
    indices: tuple[str, ...] = ()
    restore_uuid: str | None = None  # source.restoreUUID of its shard recoveries
    started_ms: int | None = None  # earliest shard start, cluster clock


@dataclass(frozen=True)
class DeletionInFlight:
    repository: str
    snapshots: tuple[str, ...]


@dataclass(frozen=True)
class SlmPolicyFacts:
    id: str
    repository: str
    expire_after_ms: int | None = None
    min_count: int | None = None
    max_count: int | None = None


@dataclass
class TargetFacts:
    """What the live client learned about the target cluster. ``None`` = not known."""

    name: str
    version: Version
    license: str | None = None
    minimum_index_compatibility: Version | None = None
    indices: list[ExistingIndex] = field(default_factory=list)
    data_streams: list[ExistingDataStream] = field(default_factory=list)
    aliases: dict[str, list[str]] | None = None  # alias -> indices; None: taken from indices
    nodes: list[NodeDisk] = field(default_factory=list)
    open_shards: int | None = None
    max_shards_per_node: int | None = None  # None: the default (1000)
    repositories: list[RepositoryFacts] | None = None
    repository_snapshots: list[str] | None = None  # snapshots the target sees in its repo
    restores_in_progress: list[RestoreInFlight] = field(default_factory=list)
    deletions_in_progress: list[DeletionInFlight] = field(default_factory=list)
    slm_policies: list[SlmPolicyFacts] = field(default_factory=list)
    installed_features: list[str] | None = None
    templates: list[str] | None = None  # legacy
    index_templates: list[str] | None = None  # composable
    component_templates: list[str] | None = None
    pipelines: list[str] | None = None
    ilm_policies: list[str] | None = None
    persistent_settings: dict[str, str] | None = None
    now_ms: int | None = None

    def index(self, name: str) -> ExistingIndex | None:
        return self._by_name().get(name)

    def _by_name(self) -> dict[str, ExistingIndex]:
        return {index.name: index for index in self.indices}

    def alias_map(self) -> dict[str, list[str]]:
        if self.aliases is not None:
            return self.aliases
        out: dict[str, list[str]] = {}
        for index in self.indices:
            for alias in index.aliases:
                out.setdefault(alias, []).append(index.name)
        return out

    @property
    def data_nodes(self) -> list[NodeDisk]:
        return [node for node in self.nodes if node.data]


@dataclass
class GlobalMetadataSummary:
    """What a snapshot's global state would put back: names only, and persistent settings."""

    templates: list[str] = field(default_factory=list)
    index_templates: list[str] = field(default_factory=list)
    component_templates: list[str] = field(default_factory=list)
    pipelines: list[str] = field(default_factory=list)
    ilm_policies: list[str] = field(default_factory=list)
    persistent_settings: dict[str, str] = field(default_factory=dict)
    stored_scripts: list[str] = field(default_factory=list)

    @classmethod
    def from_metadata(cls, decoded: dict[str, Any]) -> GlobalMetadataSummary:
        """From the decoded root ``meta-<uuid>.dat`` (``{"meta-data": {...}}``)."""
        meta = decoded.get("meta-data", decoded) if isinstance(decoded, dict) else {}

        def names(value: Any, inner: str | None = None) -> list[str]:
            if isinstance(value, dict) and inner is not None:
                value = value.get(inner, value)
            if isinstance(value, dict):
                return sorted(str(k) for k in value)
            if isinstance(value, list):
                return sorted(
                    str(item.get("id")) for item in value if isinstance(item, dict) and "id" in item
                )
            return []

        settings = meta.get("settings") or {}
        return cls(
            templates=names(meta.get("templates")),
            index_templates=names(meta.get("index_template"), "index_template"),
            component_templates=names(meta.get("component_template"), "component_template"),
            pipelines=names(meta.get("ingest"), "pipeline"),
            ilm_policies=names(meta.get("index_lifecycle"), "policies"),
            persistent_settings=_flat(settings) if isinstance(settings, dict) else {},
            stored_scripts=names(meta.get("stored_scripts")),
        )


def _flat(settings: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


class VerdictLike(Protocol):
    """``esnap_tui.compat.IndexVerdict`` (duck-typed: compat is a separate layer)."""

    index: str
    verdict: Any
    reason: str


@dataclass
class SnapshotFacts:
    detail: SnapshotDetail
    indices: list[IndexInSnapshot] = field(default_factory=list)
    global_metadata: GlobalMetadataSummary | None = None
    verdicts: Sequence[VerdictLike] = ()
    repository: RepositoryFacts | None = None  # the repository as the source sees it

    def index(self, name: str) -> IndexInSnapshot | None:
        for info in self.indices:
            if info.name == name:
                return info
        return None
