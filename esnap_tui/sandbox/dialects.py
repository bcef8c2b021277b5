"""What each simulated release says and accepts: root document, headers, media types, features.

Why: esnap must cope with every version a user runs, and the sandbox is only useful if each
simulated cluster answers like that release. All per-version facts live here, as data, so a
route asks ``cluster.dialect.supports("pagination")`` instead of comparing numbers, and a new
release is one more entry. Facts come from ``shared/reference/es-rest-api.md`` (section numbers
in comments); build hashes and dates are illustrative, the shapes are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esnap_tui.versions import Product, Version

OPENSEARCH_MASK = 0x08000000

# Feature flags and the first version that has them: (elasticsearch, opensearch); None = never.
# Later flags are listed with the route that needs them; names are stable API for route modules.
_FEATURES: dict[str, tuple[tuple[int, int] | None, tuple[int, int] | None]] = {
    "build_flavor": ((6, 3), None),  # root document (§1.1)
    "x_elastic_product": ((7, 14), None),  # response header (§1.3)
    "closed_index_health": ((7, 2), (1, 0)),  # replicated closed indices count in health
    "cleanup": ((7, 4), (1, 0)),  # POST _snapshot/<repo>/_cleanup (§3.3)
    "slm": ((7, 4), None),  # _slm/policy (ES default distribution)
    "license_api": ((7, 0), None),  # GET _license (6.x: _xpack/license)
    "data_streams": ((7, 9), (1, 0)),
    "snapshot_data_streams": ((7, 9), (1, 0)),  # data_streams in SnapshotInfo
    "snapshot_metadata": ((7, 3), (1, 0)),
    "repository_uuid": ((7, 12), None),  # uuid in GET _snapshot (§3.1)
    "feature_states": ((7, 12), None),  # feature_states in SnapshotInfo and restore
    "features_api": ((7, 12), None),  # GET _features
    "index_details": ((7, 13), None),  # get-snapshots ?index_details (§3.4)
    "pagination": ((7, 14), None),  # sort/size/order/after, repository field, next (§3.4/3.5)
    "multi_repository": ((7, 14), None),  # comma lists / wildcards of repositories
    "snapshot_repository_field": ((7, 14), None),
    "include_repository": ((7, 14), None),
    "cat_snapshots_repository": ((7, 14), None),
    "total_remaining": ((7, 15), None),  # total/remaining + offset
    "offset": ((7, 15), None),
    "from_sort_value": ((7, 16), None),
    "slm_policy_filter": ((7, 16), None),
    "sort_extended": ((7, 16), None),  # sort by repository/shard_count/failed_shard_count
    "snapshot_failures_field": ((7, 14), None),  # top-level failures map (removed in 9.0)
    "system_indices_via_features_only": ((8, 0), None),
    "restore_settings_key_removed": ((8, 0), None),
    "archive_indices": ((8, 3), None),  # 5.x/6.x indices readable with enterprise licence
    "index_names": ((8, 3), None),
    "index_version_ids": ((8, 11), None),  # index.version.created is an IndexVersion id
    "snapshot_version_as_id": ((8, 10), None),  # SnapshotInfo "version" printed as the id
    "whole_request_fails_on_repo_error": ((8, 15), None),
    "unassigned_primary_shards": ((8, 16), None),  # in _cluster/health (GUESS: 8.16)
    "state_filter": ((9, 1), None),  # get-snapshots ?state
    "cat_recovery_priority": ((9, 0), None),  # and human byte sizes (§5.2)
    "rename_alias": (None, (2, 18)),
    "error_envelope_for_unknown_route": ((8, 0), None),
}
# Flags that stop existing at some version (elasticsearch): flag -> first version without it.
_REMOVED: dict[str, tuple[int, int]] = {"snapshot_failures_field": (9, 0)}


@dataclass(frozen=True)
class Dialect:
    """One simulated release. Build it with ``get_dialect("es-8.15")``."""

    name: str
    version: Version
    number: str  # version.number as printed ("7.10.2", "6.0.0-beta1" style)
    build_hash: str
    build_date: str
    lucene_version: str
    minimum_wire_compatibility_version: str
    minimum_index_compatibility_version: str
    min_index_compat: Version
    build_type: str = "docker"
    index_version_id: int = 0  # id this release writes in index.version.created
    # compatible-with values accepted on vendor media types; () = vendor types not understood
    compatible_versions: tuple[int, ...] = ()
    validates_compatible_with: bool = False  # 8.x/9.x: out-of-range -> 400 (§2.1)
    extra: dict[str, Any] = field(default_factory=dict)

    # ---- identity
    @property
    def product(self) -> Product:
        return self.version.product

    @property
    def is_opensearch(self) -> bool:
        return self.product == Product.OPENSEARCH

    @property
    def major(self) -> int:
        return self.version.major

    @property
    def sends_elastic_product_header(self) -> bool:
        return self.supports("x_elastic_product")

    @property
    def tagline(self) -> str:
        if self.is_opensearch:
            return "The OpenSearch Project: https://opensearch.org/"
        return "You Know, for Search"

    def supports(self, flag: str) -> bool:
        """Whether this release has a feature (see ``_FEATURES``); unknown flags raise."""
        es_since, os_since = _FEATURES[flag]
        since = os_since if self.is_opensearch else es_since
        if since is None:
            return False
        mine = (self.version.major, self.version.minor)
        if mine < since:
            return False
        removed = _REMOVED.get(flag)
        return not (removed is not None and not self.is_opensearch and mine >= removed)

    # ---- documents
    def root_document(self, node_name: str, cluster_name: str, cluster_uuid: str) -> dict:
        """``GET /`` exactly in the field order each product writes (§1.2)."""
        version: dict[str, Any] = {}
        if self.is_opensearch:
            version["distribution"] = "opensearch"
        version["number"] = self.number
        if self.supports("build_flavor"):
            version["build_flavor"] = "default"
        version["build_type"] = self.build_type
        version["build_hash"] = self.build_hash
        version["build_date"] = self.build_date
        version["build_snapshot"] = False
        version["lucene_version"] = self.lucene_version
        version["minimum_wire_compatibility_version"] = self.minimum_wire_compatibility_version
        version["minimum_index_compatibility_version"] = self.minimum_index_compatibility_version
        return {
            "name": node_name,
            "cluster_name": cluster_name,
            "cluster_uuid": cluster_uuid,
            "version": version,
            "tagline": self.tagline,
        }

    def json_content_type(self, compatible_with: int | None = None) -> str:
        """Content-Type of a JSON answer: 8.x+ print the bare type (and echo a compatible
        version when the client asked for one); 7.x and OpenSearch add the charset."""
        if self.validates_compatible_with:
            if compatible_with is not None:
                return f"application/vnd.elasticsearch+json;compatible-with={compatible_with}"
            return "application/json"
        return "application/json; charset=UTF-8"

    # ---- _cat columns
    @property
    def cat_indices_columns(self) -> list[tuple[str, bool]]:
        """(column, shown by default) for ``_cat/indices`` (§7)."""
        return [
            ("health", True),
            ("status", True),
            ("index", True),
            ("uuid", True),
            ("pri", True),
            ("rep", True),
            ("docs.count", True),
            ("docs.deleted", True),
            ("store.size", True),
            ("pri.store.size", True),
            ("creation.date", False),
            ("creation.date.string", False),
        ]

    @property
    def cat_allocation_columns(self) -> list[tuple[str, bool]]:
        """(column, shown by default) for ``_cat/allocation`` (§7). The 9.x forecast columns and
        ``node.role`` by default are a GUESS at the version they arrived."""
        if not self.is_opensearch and self.major >= 9:
            return [
                ("shards", True),
                ("shards.undesired", True),
                ("write_load.forecast", True),
                ("disk.indices.forecast", True),
                ("disk.indices", True),
                ("disk.used", True),
                ("disk.avail", True),
                ("disk.total", True),
                ("disk.percent", True),
                ("host", True),
                ("ip", True),
                ("node", True),
                ("node.role", True),
            ]
        columns = [
            ("shards", True),
            ("disk.indices", True),
            ("disk.used", True),
            ("disk.avail", True),
            ("disk.total", True),
            ("disk.percent", True),
            ("host", True),
            ("ip", True),
            ("node", True),
        ]
        if not self.is_opensearch and (self.major, self.version.minor) >= (7, 10):
            columns.append(("node.role", False))
        return columns


def _v(major: int, minor: int = 0, revision: int = 0, build: int = 99) -> Version:
    return Version(major, minor, revision, build)


def _os(major: int, minor: int = 0, revision: int = 0) -> Version:
    return Version(major, minor, revision, 99, Product.OPENSEARCH)


def legacy_id(major: int, minor: int, revision: int, build: int = 99) -> int:
    return major * 1_000_000 + minor * 10_000 + revision * 100 + build


def _index_version_id(version: Version) -> int:
    """The id a release writes in ``index.version.created``; asks ``versions`` first."""
    try:
        from esnap_tui.versions import index_version_id_for  # type: ignore[attr-defined]

        return int(index_version_id_for(version))
    except (ImportError, NotImplementedError, KeyError, ValueError):
        pass
    plain = legacy_id(version.major, version.minor, version.revision, version.build)
    if version.product == Product.OPENSEARCH:
        return plain ^ OPENSEARCH_MASK
    fallback = {(8, 15): 8_512_000, (9, 1): 9_033_0_00}  # repository-format.md §4.3; 9.1 GUESS
    return fallback.get((version.major, version.minor), plain)


def _make(
    name: str,
    version: Version,
    *,
    build_hash: str,
    build_date: str,
    lucene: str,
    min_wire: str,
    min_index: str,
    min_index_compat: Version,
    build_type: str = "docker",
    compatible: tuple[int, ...] = (),
    validates: bool = False,
) -> Dialect:
    rev = version.revision
    number = f"{version.major}.{version.minor}.{rev}"
    return Dialect(
        name=name,
        version=version,
        number=number,
        build_hash=build_hash,
        build_date=build_date,
        lucene_version=lucene,
        minimum_wire_compatibility_version=min_wire,
        minimum_index_compatibility_version=min_index,
        min_index_compat=min_index_compat,
        build_type=build_type,
        index_version_id=_index_version_id(version),
        compatible_versions=compatible,
        validates_compatible_with=validates,
    )


_BETA1 = _v(6, 0, 0, 26)

_DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        _make(
            "es-6.8", _v(6, 8, 23), build_hash="4f67856", build_type="tar",
            build_date="2022-01-06T21:30:50.087716Z", lucene="7.7.3",
            min_wire="5.6.0", min_index="5.0.0", min_index_compat=_v(5, 0, 0),
        ),
        _make(
            "es-7.10", _v(7, 10, 2), build_hash="747e1cc71def077253878a59143c1f785afa92b9",
            build_date="2021-01-13T00:42:12.435326Z", lucene="8.7.0", build_type="tar",
            min_wire="6.8.0", min_index="6.0.0-beta1", min_index_compat=_BETA1,
        ),
        _make(
            "es-7.13", _v(7, 13, 4), build_hash="c5f60e894ca0c61cdbae4f5a686d9f08bcefc942",
            build_date="2021-07-14T18:33:36.673943207Z", lucene="8.8.2",
            min_wire="6.8.0", min_index="6.0.0-beta1", min_index_compat=_BETA1,
            compatible=(7, 8),
        ),
        _make(
            "es-7.17", _v(7, 17, 28), build_hash="139cb5a961d8de68b8e02c45cc47f5289a3623af",
            build_date="2025-02-20T09:05:31.349013687Z", lucene="8.11.3",
            min_wire="6.8.0", min_index="6.0.0-beta1", min_index_compat=_BETA1,
            compatible=(7, 8),
        ),
        _make(
            "es-8.9", _v(8, 9, 2), build_hash="9d1b7b8ea9d3b6f0f8f02d3f0a3c0c2b8b1f9a3e",
            build_date="2023-08-31T02:43:14.210479707Z", lucene="9.7.0",
            min_wire="7.17.0", min_index="7.0.0", min_index_compat=_v(7, 0, 0),
            compatible=(8, 7), validates=True,
        ),
        _make(
            "es-8.15", _v(8, 15, 5), build_hash="1d5f1b56a5b2bd7b1d3c5a2b0a07c0f8e1b7bb5e",
            build_date="2024-11-26T14:56:07.542226052Z", lucene="9.11.1",
            min_wire="7.17.0", min_index="7.0.0", min_index_compat=_v(7, 0, 0),
            compatible=(8, 7), validates=True,
        ),
        _make(
            "es-9.1", _v(9, 1, 5), build_hash="90ee222e7e0136dd8ddbb34015538f3a00c129b7",
            build_date="2025-10-02T22:07:12.966975992Z", lucene="10.2.2",
            min_wire="8.19.0", min_index="8.0.0", min_index_compat=_v(8, 0, 0),
            compatible=(9, 8), validates=True,
        ),
        _make(
            "os-1.3", _os(1, 3, 20), build_hash="741cd0e1a2b7a1e4c47fe5d3ca0ffd0a5f7d7e33",
            build_date="2024-12-10T22:44:52.164126Z", lucene="8.10.1", build_type="tar",
            min_wire="6.8.0", min_index="6.0.0-beta1", min_index_compat=_BETA1,
        ),
        _make(
            "os-2.11", _os(2, 11, 1), build_hash="6b1986e964d440be9137eba1413015c31c5a7752",
            build_date="2023-11-29T21:43:10.135035992Z", lucene="9.7.0", build_type="tar",
            min_wire="7.10.0", min_index="7.0.0", min_index_compat=_v(7, 0, 0),
        ),
    )
}

_ALIASES = {
    "es-6": "es-6.8", "es-7": "es-7.17", "es-8": "es-8.15", "es-9": "es-9.1",
    "os-1": "os-1.3", "os-2": "os-2.11", "opensearch-1.3": "os-1.3", "opensearch-2.11": "os-2.11",
    "opensearch-2": "os-2.11", "opensearch-1": "os-1.3",
}


def dialect_names() -> list[str]:
    return list(_DIALECTS)


def get_dialect(name: str) -> Dialect:
    """A dialect by name: ``es-8.15``, ``os-2.11``, ``8.15``, ``opensearch-2.11``, ``es-9``."""
    key = name.strip().lower()
    if key in _DIALECTS:
        return _DIALECTS[key]
    if key in _ALIASES:
        return _DIALECTS[_ALIASES[key]]
    if f"es-{key}" in _DIALECTS:
        return _DIALECTS[f"es-{key}"]
    raise KeyError(
        f"unknown dialect {name!r}; known: {', '.join(_DIALECTS)} (aliases: {', '.join(_ALIASES)})"
    )
