"""A small, varied demo repository written with the real writer (``esnap --demo``, screenshots).

One directory whose history spans clusters upgraded from 6.8 to 9.1, plus an OpenSearch test
cluster sharing the location: an index created on 5.6 (restorable to 6.x only), data streams,
aliases, a closed index, system indices and feature states, SLM snapshots, a partial snapshot
with a shard failure, deflated (8.x+) and plain blobs. Fixed uuids and times: same bytes on
every run.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from esnap_tui.models import FeatureState, ShardFailure, SnapshotState
from esnap_tui.repository.reader import find_generation
from esnap_tui.repository.storage import LocalDirectoryStore
from esnap_tui.repository.writer import (
    DIALECTS,
    IndexToWrite,
    RepositoryWriter,
    SnapshotToWrite,
)
from esnap_tui.versions import Version, index_version_id_for

MB = 1024 * 1024


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def _uuid(tag: str) -> str:
    """A fixed 22-character base64url uuid, shaped like Elasticsearch's random ones."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"demo:{tag}".encode()).digest()).decode()[:22]


def _index(name: str, created: Version, **kwargs: Any) -> IndexToWrite:
    return IndexToWrite(name, _uuid(f"i-{name}"), index_version_id_for(created), **kwargs)


def _snapshot(
    name: str, version: Version, start: str, seconds: int, indices: list[IndexToWrite], **kw: Any
) -> SnapshotToWrite:
    begin = _ms(start)
    return SnapshotToWrite(
        name=name,
        uuid=_uuid(f"s-{name}"),
        version=version,
        start_time_ms=begin,
        end_time_ms=begin + seconds * 1000,
        indices=indices,
        **kw,
    )


def build_demo_repository(path: str | Path) -> None:
    """Write the demo repository into ``path`` (created if needed). Does nothing when ``path``
    already holds a repository, so a second ``esnap --demo`` reuses the first one's."""
    if find_generation(LocalDirectoryStore(path))[0] is not None:
        return
    v56 = Version(5, 6, 16)
    v68, v710, v717 = DIALECTS["6.8"], DIALECTS["7.10"], DIALECTS["7.17"]
    v815, v91, os211 = DIALECTS["8.15"], DIALECTS["9.1"], DIALECTS["opensearch-2.11"]

    customers = _index("customers-v1", v56, replicas=0, size_in_bytes=48 * MB, docs_count=120_000)
    orders_2019 = _index("orders-2019", v68, primary_shards=2, size_in_bytes=310 * MB)
    RepositoryWriter(path, "6.8").add_snapshots(
        [
            _snapshot(
                "legacy-2019.06.01", v68, "2019-06-01T02:00:00", 95, [customers, orders_2019]
            ),
            _snapshot("legacy-2019.12.31", v68, "2019-12-31T02:00:00", 140, [orders_2019]),
        ]
    )  # fmt: skip

    orders_2020 = _index(
        "orders-2020", v710, primary_shards=3, aliases=["orders"], size_in_bytes=620 * MB
    )
    logs_710 = _index(".ds-logs-app-000001", v710, data_stream="logs-app", size_in_bytes=80 * MB)
    RepositoryWriter(path, "7.10").add_snapshot(
        _snapshot(
            "weekly-2021.01.04", v710, "2021-01-04T03:00:00", 210, [orders_2020, logs_710],
            data_streams=["logs-app"], metadata={"taken_by": "ops", "ticket": "OPS-1432"},
        )
    )  # fmt: skip

    audit = _index("audit-2021", v710, state="close", replicas=0, size_in_bytes=12 * MB)
    security = _index(".security-7", v717, system=True, replicas=0, size_in_bytes=MB)
    logs_717 = _index(
        ".ds-logs-app-2022.03.01-000002", v717, data_stream="logs-app", size_in_bytes=95 * MB
    )
    features = [FeatureState("security", (".security-7",))]
    RepositoryWriter(path, "7.17").add_snapshots(
        _snapshot(
            f"nightly-2022.03.0{day}", v717, f"2022-03-0{day}T01:30:00", 40 + day * 7,
            [orders_2020, audit, security, logs_710, logs_717],
            data_streams=["logs-app"], feature_states=features,
            metadata={"policy": "nightly"},
        )
        for day in (1, 2, 3)
    )  # fmt: skip

    metrics = _index(
        ".ds-metrics-web-2024.06.01-000001", v815, data_stream="metrics-web",
        size_in_bytes=1_400 * MB,
    )
    kibana = _index(
        ".kibana_8.15.0_001", v815, system=True, aliases=[".kibana"], size_in_bytes=3 * MB
    )
    orders_2024 = _index(
        "orders-2024", v815, primary_shards=6, aliases=["orders"], size_in_bytes=2_900 * MB
    )  # fmt: skip
    RepositoryWriter(path, "8.15").add_snapshots(
        [
            _snapshot(
                "nightly-2024.06.01", v815, "2024-06-01T01:30:00", 512,
                [orders_2024, metrics, kibana], data_streams=["metrics-web"],
                feature_states=[FeatureState("kibana", (".kibana_8.15.0_001",))],
                metadata={"policy": "nightly"},
            ),
            _snapshot(
                "nightly-2024.06.02", v815, "2024-06-02T01:30:00", 1_860,
                [orders_2024, metrics], data_streams=["metrics-web"],
                state=SnapshotState.PARTIAL,
                failures=[ShardFailure("orders-2024", 4, "IOException[No space left on device]",
                                       node_id="node-2", status="INTERNAL_SERVER_ERROR")],
                metadata={"policy": "nightly"},
            ),
        ]
    )  # fmt: skip

    RepositoryWriter(path, "9.1").add_snapshot(
        _snapshot(
            "pre-upgrade-2025.08.01", v91, "2025-08-01T09:15:00", 3_725,
            [orders_2024, _index("orders-2025", v91, primary_shards=6, size_in_bytes=800 * MB)],
            include_global_state=True,
        )
    )  # fmt: skip

    RepositoryWriter(path, "opensearch-2.11").add_snapshot(
        _snapshot(
            "opensearch-trial", os211, "2025-09-10T12:00:00", 33,
            [_index("search-logs", os211, size_in_bytes=20 * MB)],
            include_global_state=False,
        )
    )  # fmt: skip
