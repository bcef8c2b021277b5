"""The sandbox compares IndexVersion ids as Elasticsearch 8.11+ does, and reads 7.x indices
read-only on 9.x when they carry a write block (N-2).

Repositories are built with ``RepositoryWriter`` the way 7.17, 9.1.0 and 9.1.9 write them;
the 9.1 dialect is 9.1.5, which writes 9033000 like every 9.1.0-9.1.8 (9.1.9 writes 9033001).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from esnap_tui.repository import RepositoryWriter
from esnap_tui.repository.writer import IndexToWrite, SnapshotToWrite
from esnap_tui.sandbox.dialects import get_dialect
from esnap_tui.sandbox.restore import version_id_of
from esnap_tui.sandbox.server import ClusterServer
from esnap_tui.sandbox.state import (
    FixedClock,
    IdGenerator,
    License,
    RegisteredRepository,
    SimCluster,
)
from esnap_tui.versions import Version, decode_version_id, index_version_id_for

BLOCKED = {"index.blocks.write": "true"}


def _index(name: str, created: int, settings: dict[str, str] | None = None) -> IndexToWrite:
    uuid = (name.replace("-", "") + "x" * 22)[:22]
    return IndexToWrite(name, uuid, created, settings=dict(settings or {}))


def build(root: Path) -> None:
    seven = RepositoryWriter(root / "r717", "7.17")
    legacy_id = Version(7, 17, 18).legacy_id
    seven.add_snapshot(
        SnapshotToWrite(
            "s717",
            "s717snapshotuuid000001",
            indices=[_index("blocked", legacy_id, BLOCKED), _index("writable", legacy_id)],
        )
    )
    nine = RepositoryWriter(root / "r91", "9.1")
    nine.add_snapshot(
        SnapshotToWrite(
            "s910", "s910snapshotuuid000001", indices=[_index("same-id", 9_033_000)]
        )
    )
    nine.add_snapshot(
        SnapshotToWrite(
            "s919",
            "s919snapshotuuid000001",
            version=Version(9, 1, 9),
            indices=[_index("newer-id", 9_033_001)],
        )
    )


@pytest.fixture
async def es91(tmp_path: Path) -> AsyncIterator[str]:
    build(tmp_path)
    dialect = get_dialect("es-9.1")
    assert (str(dialect.version), dialect.index_version_id) == ("9.1.5", 9_033_000)
    cluster = SimCluster("es91", dialect, clock=FixedClock(), ids=IdGenerator(3))
    cluster.state.license = License(type="basic")  # N-2 needs no licence, unlike archives
    for name in ("r717", "r91"):
        cluster.repositories[name] = RegisteredRepository(
            name,
            settings={"location": str(tmp_path / name), "readonly": "true"},
            path=tmp_path / name,
        )
    server = ClusterServer(cluster)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


async def restore(url: str, repo: str, snapshot: str, index: str) -> tuple[int, Any]:
    body = {"indices": [index], "include_global_state": False}
    path = f"{url}/_snapshot/{repo}/{snapshot}/_restore"
    async with aiohttp.ClientSession() as http, http.post(path, json=body) as response:
        return response.status, await response.json()


async def settings(url: str, index: str) -> dict[str, str]:
    path = f"{url}/{index}/_settings?flat_settings=true"
    async with aiohttp.ClientSession() as http, http.get(path) as response:
        assert response.status == 200
        return (await response.json())[index]["settings"]


async def test_a_snapshot_and_index_9_1_wrote_restore_into_9_1_5(es91: str) -> None:
    assert await restore(es91, "r91", "s910", "same-id") == (200, {"accepted": True})
    assert (await settings(es91, "same-id"))["index.version.created"] == "9033000"


async def test_an_index_version_newer_than_the_node_is_refused(es91: str) -> None:
    status, body = await restore(es91, "r91", "s919", "newer-id")
    assert status == 500
    assert body["error"]["type"] == "snapshot_restore_exception"
    assert body["error"]["reason"].endswith(
        "the snapshot was created with version [9.1.9-9.1.10] which is higher than the version "
        "of this node [9.1.5]"
    )


async def test_a_7x_index_with_a_write_block_restores_read_only(es91: str) -> None:
    assert await restore(es91, "r717", "s717", "blocked") == (200, {"accepted": True})
    restored = await settings(es91, "blocked")
    assert restored["index.blocks.write"] == "true"
    assert restored["index.version.created"] == str(Version(7, 17, 18).legacy_id)
    assert "index.version.compatibility" not in restored  # not an archive index


async def test_a_7x_index_without_a_write_block_cannot_be_upgraded(es91: str) -> None:
    status, body = await restore(es91, "r717", "s717", "writable")
    assert status == 500
    assert "because it cannot be upgraded" in body["error"]["reason"]
    assert "It should be re-indexed in Elasticsearch 8.x" in body["error"]["caused_by"]["reason"]


def test_the_raw_id_wins_over_a_guess_from_the_release_range() -> None:
    unknown = decode_version_id(9_033_005)  # not in the table: 9.1.11-9.2.0, inferred
    assert index_version_id_for(unknown.low) == 9_033_001  # what a release guess would say
    assert version_id_of(unknown) == 9_033_005
    assert version_id_of(decode_version_id(7_171_899)) == 7_171_899
