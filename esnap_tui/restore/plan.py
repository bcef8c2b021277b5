"""A restore plan: what to bring back, from which snapshot, into which cluster, and how.

Why a separate, plain object: the wizard, the CLI (``esnap restore --plan``), the pre-flight
checks and the request builder all read the same plan, and the audit log records it. It holds
only the user's choices; facts about clusters live in :mod:`esnap_tui.restore.checks`.

Defaults are the safe ones: no global state, no feature states, nothing renamed, nothing
partial. ``indices`` and ``data_streams`` both empty with ``all_indices=False`` means "no
index at all" (a global-state or feature-state only restore), never "everything".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPLICAS_ZERO: dict[str, Any] = {"index.number_of_replicas": 0}
"""The one-key ``index_settings`` preset: restore without replicas (fast, add them later)."""

NO_INDICES = "-*"
"""The ``indices`` expression that selects nothing (``SnapshotUtils.filterIndices``)."""


@dataclass
class RestorePlan:
    """The user's choices for one restore.

    ``repository`` is the repository name where the snapshot was browsed (source cluster or
    offline); ``target_repository`` is the name it is registered under on the target cluster
    when that differs (the REST path uses the target's name).
    """

    repository: str
    snapshot: str
    target_cluster: str
    source_cluster: str | None = None
    target_repository: str | None = None
    indices: list[str] = field(default_factory=list)  # names and patterns (``*``, ``-x``)
    data_streams: list[str] = field(default_factory=list)
    all_indices: bool = False  # send no ``indices``: every index and data stream
    include_global_state: bool = False
    feature_states: list[str] = field(default_factory=list)  # empty = none
    include_aliases: bool = True
    partial: bool = False
    ignore_unavailable: bool = False
    rename_pattern: str | None = None
    rename_replacement: str | None = None
    index_settings: dict[str, Any] = field(default_factory=dict)
    ignore_index_settings: list[str] = field(default_factory=list)

    @property
    def repository_on_target(self) -> str:
        return self.target_repository or self.repository

    @property
    def renames(self) -> bool:
        """Elasticsearch renames only when both pattern and replacement are given."""
        return self.rename_pattern is not None and self.rename_replacement is not None

    @property
    def expressions(self) -> list[str] | None:
        """The ``indices`` expressions sent: ``None`` for everything, ``["-*"]`` for nothing."""
        if self.all_indices:
            return None
        chosen = [*self.indices, *(s for s in self.data_streams if s not in self.indices)]
        return chosen or [NO_INDICES]

    def with_replicas_zero(self) -> RestorePlan:
        """This plan with the ``replicas 0`` preset applied."""
        settings = {**self.index_settings, **REPLICAS_ZERO}
        return _replace(self, index_settings=settings)

    def with_rename(self, pattern: str | None, replacement: str | None) -> RestorePlan:
        return _replace(self, rename_pattern=pattern, rename_replacement=replacement)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the audit log."""
        return {
            "source_cluster": self.source_cluster,
            "repository": self.repository,
            "target_repository": self.repository_on_target,
            "snapshot": self.snapshot,
            "target_cluster": self.target_cluster,
            "indices": list(self.indices),
            "data_streams": list(self.data_streams),
            "all_indices": self.all_indices,
            "include_global_state": self.include_global_state,
            "feature_states": list(self.feature_states),
            "include_aliases": self.include_aliases,
            "partial": self.partial,
            "ignore_unavailable": self.ignore_unavailable,
            "rename_pattern": self.rename_pattern,
            "rename_replacement": self.rename_replacement,
            "index_settings": dict(self.index_settings),
            "ignore_index_settings": list(self.ignore_index_settings),
        }


def _replace(plan: RestorePlan, **changes: Any) -> RestorePlan:
    from dataclasses import replace

    return replace(plan, **changes)


def normalize_setting_key(key: str) -> str:
    """``Settings.normalizePrefix("index.")``: ``number_of_replicas`` gets its ``index.``."""
    return key if key.startswith("index.") else f"index.{key}"


def flatten_index_settings(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested ``{"index": {"number_of_replicas": 0}}`` -> flat, normalised keys."""
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_index_settings(value, f"{full}."))
        else:
            flat[full] = value
    if prefix:
        return flat
    return {normalize_setting_key(k): v for k, v in flat.items()}
