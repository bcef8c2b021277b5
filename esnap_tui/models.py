"""Catalog models shared by every layer: what a snapshot and the indices in it are.

The offline repository reader and the live cluster client both produce these, so the
compatibility engine, restore planning and the UI never see raw JSON. Each fact that can
come from more than one place says where it came from (``CreatedVersionSource``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from esnap_tui.versions import Version, VersionRange


class SnapshotState(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    PARTIAL = "PARTIAL"
    INCOMPATIBLE = "INCOMPATIBLE"

    @classmethod
    def from_code(cls, code: int) -> SnapshotState:
        """The integer written in ``index-N`` catalogues (0 IN_PROGRESS ... 4 INCOMPATIBLE)."""
        return _STATE_CODES[code]

    @property
    def code(self) -> int:
        return _STATE_CODES.index(self)


_STATE_CODES = [
    SnapshotState.IN_PROGRESS,
    SnapshotState.SUCCESS,
    SnapshotState.FAILED,
    SnapshotState.PARTIAL,
    SnapshotState.INCOMPATIBLE,
]


class CreatedVersionSource(StrEnum):
    """Where an index's created version came from, in order of trust."""

    REPOSITORY = "repository"  # the index metadata blob in the repository: exact
    SOURCE_CLUSTER = "source-cluster"  # live settings of the same index (name and uuid)
    BOUNDS = "bounds"  # only the bounds we can prove from the snapshot and cluster
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ShardFailure:
    index: str
    shard_id: int | None
    reason: str
    node_id: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class IndexDetails:
    """Per-index sizes from ``index_details`` (7.13+ get-snapshots)."""

    shard_count: int
    size_in_bytes: int | None = None
    max_segments_per_shard: int | None = None


@dataclass(frozen=True)
class FeatureState:
    feature_name: str
    indices: tuple[str, ...] = ()


@dataclass
class SnapshotSummary:
    """One row of a snapshot list: cheap to obtain for thousands of snapshots."""

    name: str
    uuid: str
    repository: str
    state: SnapshotState | None = None
    version: VersionRange | None = None  # version of the master that wrote the snapshot
    start_time_ms: int | None = None
    end_time_ms: int | None = None
    indices_count: int | None = None
    slm_policy: str | None = None

    @property
    def duration_ms(self) -> int | None:
        if self.start_time_ms is None or self.end_time_ms is None:
            return None
        if self.start_time_ms < 0 or self.end_time_ms < 0:
            return None
        return self.end_time_ms - self.start_time_ms


@dataclass
class SnapshotDetail(SnapshotSummary):
    """Everything known about one snapshot (loaded only for the selected snapshot)."""

    indices: list[str] = field(default_factory=list)
    data_streams: list[str] = field(default_factory=list)
    feature_states: list[FeatureState] = field(default_factory=list)
    include_global_state: bool | None = None
    metadata: dict[str, Any] | None = None
    reason: str | None = None
    total_shards: int | None = None
    successful_shards: int | None = None
    failed_shards: int | None = None
    failures: list[ShardFailure] = field(default_factory=list)
    index_details: dict[str, IndexDetails] = field(default_factory=dict)


@dataclass
class IndexInSnapshot:
    """One index as stored in a snapshot, with its created version and where it came from."""

    name: str
    index_id: str | None = None  # repository index id: the directory under indices/
    uuid: str | None = None  # the index's own uuid (index.uuid)
    created: VersionRange | None = None
    created_source: CreatedVersionSource = CreatedVersionSource.UNKNOWN
    compatibility_version: Version | None = None  # index.version.compatibility (archive)
    primary_shards: int | None = None
    state: str | None = None  # "open" | "close"
    aliases: list[str] = field(default_factory=list)
    data_stream: str | None = None  # the data stream it backs, if any
    system: bool = False
    settings: dict[str, str] = field(default_factory=dict)  # flat index.* settings

    @property
    def is_data_stream_backing_index(self) -> bool:
        return self.data_stream is not None
