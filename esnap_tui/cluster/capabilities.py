"""What a cluster's snapshot APIs can do, derived from the version esnap detected.

Elasticsearch gained snapshot-API features release by release (reference: es-rest-api.md §3.4);
OpenSearch forked from 7.10.2 and has none of the 7.11+ additions. Sending a parameter an older
cluster does not know gets a 400, so the client asks ``Capabilities`` before adding one.
"""

from __future__ import annotations

from dataclasses import dataclass

from esnap_tui.versions import Product, Version

_BASE_SORTS = frozenset({"start_time", "duration", "name", "index_count"})
_716_SORTS = _BASE_SORTS | {"repository", "shard_count", "failed_shard_count"}


@dataclass(frozen=True)
class Capabilities:
    product: Product
    version: Version
    server_pagination: bool  # size/sort/order/after + "next" (ES 7.14)
    total_remaining: bool  # "total"/"remaining" in the envelope (ES 7.15)
    offset: bool  # numeric offset (ES 7.15)
    from_sort_value: bool  # ES 7.16
    slm_policy_filter: bool  # ES 7.16
    sort_fields: frozenset[str]  # what ?sort= accepts (empty without server pagination)
    index_details: bool  # ?index_details=true (ES 7.13)
    index_names_param: bool  # ?index_names=false (ES 8.3)
    state_filter: bool  # ?state= (ES 9.1)
    data_streams: bool  # data_streams in snapshots (ES 7.9, OpenSearch)
    feature_states: bool  # feature_states (ES 7.12)
    snapshot_metadata: bool  # user metadata on snapshots (ES 7.3, OpenSearch)
    repository_uuid: bool  # repository uuid in GET _snapshot (ES 7.12)
    multi_repository: bool  # comma lists / wildcards in the repository part (ES 7.14)
    verbose_false: bool  # ?verbose=false (ES 5.5, OpenSearch)
    slm: bool  # snapshot lifecycle management (ES 7.4)


def capabilities_for(version: Version, product: Product) -> Capabilities:
    """Capabilities of a cluster that reported ``version`` for ``product`` in ``GET /``."""
    if product is Product.OPENSEARCH:
        # OpenSearch is a 7.10.2 fork: data streams and metadata, none of ES 7.11+.
        return Capabilities(
            product=product,
            version=version,
            server_pagination=False,
            total_remaining=False,
            offset=False,
            from_sort_value=False,
            slm_policy_filter=False,
            sort_fields=frozenset(),
            index_details=False,
            index_names_param=False,
            state_filter=False,
            data_streams=True,
            feature_states=False,
            snapshot_metadata=True,
            repository_uuid=False,
            multi_repository=False,
            verbose_false=True,
            slm=False,
        )

    def at_least(major: int, minor: int) -> bool:
        return (version.major, version.minor) >= (major, minor)

    paged = at_least(7, 14)
    return Capabilities(
        product=product,
        version=version,
        server_pagination=paged,
        total_remaining=at_least(7, 15),
        offset=at_least(7, 15),
        from_sort_value=at_least(7, 16),
        slm_policy_filter=at_least(7, 16),
        sort_fields=(_716_SORTS if at_least(7, 16) else _BASE_SORTS) if paged else frozenset(),
        index_details=at_least(7, 13),
        index_names_param=at_least(8, 3),
        state_filter=at_least(9, 1),
        data_streams=at_least(7, 9),
        feature_states=at_least(7, 12),
        snapshot_metadata=at_least(7, 3),
        repository_uuid=at_least(7, 12),
        multi_repository=paged,
        verbose_false=at_least(5, 5),
        slm=at_least(7, 4),
    )
