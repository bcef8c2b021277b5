"""The writer produces each version's dialect, and the reader reads it all back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from esnap_tui.models import FeatureState, ShardFailure, SnapshotState
from esnap_tui.repository import (
    DIALECTS,
    CountingStore,
    DuplicateSnapshotError,
    IndexToWrite,
    LocalDirectoryStore,
    RepositoryReader,
    RepositoryWriter,
    SnapshotNotFoundError,
    SnapshotToWrite,
)
from esnap_tui.repository.envelope import decode_blob, read_blob
from esnap_tui.versions import Product, Version, index_version_id_for

T0 = 1_700_000_000_000


def _catalogue(repo: Path) -> dict:
    generation = int.from_bytes((repo / "index.latest").read_bytes(), "big")
    return json.loads((repo / f"index-{generation}").read_text())


def _is_deflated(blob: Path, codec: str) -> bool:
    data = blob.read_bytes()
    header = 4 + 1 + len(codec) + 4
    read_blob(data, codec, path=str(blob))  # valid envelope and checksum either way
    return data[header : header + 4] == b"DFL\0"


def _varied_snapshots(version: Version) -> list[SnapshotToWrite]:
    created = index_version_id_for(version)
    logs = IndexToWrite(
        "logs-2024.01",
        "LogsUuid-000000000000a",
        created,
        primary_shards=3,
        replicas=1,
        aliases=["logs", "logs-write"],
        mappings={"properties": {"message": {"type": "text"}}},
        size_in_bytes=10_001,
        docs_count=42,
    )
    closed = IndexToWrite("archive", "ArchiveUuid00000000000", created, state="close")
    backing = IndexToWrite(
        ".ds-metrics-app-2024.01.02-000001",
        "BackingUuid00000000000",
        created,
        data_stream="metrics-app",
    )
    system = IndexToWrite(".tasks", "TasksUuid0000000000000", created, system=True)
    first = SnapshotToWrite(
        name="nightly-1",
        uuid="SnapUuid-0000000000001",
        version=version,
        start_time_ms=T0,
        end_time_ms=T0 + 4_000,
        indices=[logs, closed, backing, system],
        data_streams=["metrics-app"],
        feature_states=[FeatureState("tasks", (".tasks",))],
        metadata={"policy": "nightly"},
    )
    second = SnapshotToWrite(
        name="nightly-2",
        uuid="SnapUuid-0000000000002",
        version=version,
        state=SnapshotState.PARTIAL,
        start_time_ms=T0 + 86_400_000,
        end_time_ms=T0 + 86_400_000 + 9_500,
        indices=[logs],
        failures=[ShardFailure("logs-2024.01", 2, "disk full", node_id="n1", status="INTERNAL")],
        include_global_state=False,
    )
    return [first, second]


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_round_trip_every_dialect(tmp_path: Path, dialect: str) -> None:
    writer = RepositoryWriter(tmp_path, dialect)
    version = writer.dialect.version
    writer.add_snapshots(_varied_snapshots(version))

    reader = RepositoryReader(tmp_path)
    assert reader.warnings == []
    assert reader.generation == 0  # one bulk write = one generation
    rows = {s.name: s for s in reader.snapshots()}
    assert set(rows) == {"nightly-1", "nightly-2"}
    assert rows["nightly-1"].state is SnapshotState.SUCCESS
    assert rows["nightly-2"].state is SnapshotState.PARTIAL
    assert rows["nightly-1"].indices_count == 4 and rows["nightly-2"].indices_count == 1

    detail = reader.snapshot("nightly-1")
    assert detail.version is not None and version in detail.version
    assert detail.version.product is version.product
    assert detail.start_time_ms == T0 and detail.duration_ms == 4_000
    assert detail.total_shards == 6 and detail.failed_shards == 0
    # 6.8 had neither user metadata (7.3) nor data streams (7.9)
    assert detail.slm_policy == ("nightly" if writer.dialect.user_metadata else None)
    assert detail.data_streams == (["metrics-app"] if writer.dialect.data_streams else [])
    partial = reader.snapshot("nightly-2")
    assert partial.failed_shards == 1 and partial.successful_shards == 2
    assert partial.failures[0].index == "logs-2024.01" and partial.failures[0].shard_id == 2
    assert partial.failures[0].reason == "disk full"
    assert partial.include_global_state is False

    indices = {i.name: i for i in reader.indices("nightly-1")}
    logs = indices["logs-2024.01"]
    assert logs.uuid == "LogsUuid-000000000000a"
    assert logs.created is not None and version in logs.created
    assert logs.primary_shards == 3 and logs.aliases == ["logs", "logs-write"]
    assert logs.state == "open" and logs.data_stream is None
    assert indices["archive"].state == "close"
    backing = indices[".ds-metrics-app-2024.01.02-000001"]
    if writer.dialect.data_streams:
        assert backing.data_stream == "metrics-app"
    assert backing.settings["index.hidden"] == "true"
    if writer.dialect.system_flag:
        assert indices[".tasks"].system is True
    if writer.dialect.feature_states:
        assert detail.feature_states == [FeatureState("tasks", (".tasks",))]
    else:
        assert detail.feature_states == []


def test_6_8_dialect_catalogue(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "6.8").add_snapshots(_varied_snapshots(DIALECTS["6.8"]))
    catalogue = _catalogue(tmp_path)
    assert set(catalogue) == {"snapshots", "indices"}
    assert set(catalogue["snapshots"][0]) == {"name", "uuid", "state"}
    assert set(catalogue["indices"]["logs-2024.01"]) == {"id", "snapshots"}
    index_id = catalogue["indices"]["logs-2024.01"]["id"]
    # before 7.9 each snapshot has its own index-metadata blob named after the snapshot
    for uuid in ("SnapUuid-0000000000001", "SnapUuid-0000000000002"):
        assert (tmp_path / "indices" / index_id / f"meta-{uuid}.dat").is_file()
    assert not _is_deflated(tmp_path / "snap-SnapUuid-0000000000001.dat", "snapshot")


def test_7_10_dialect_catalogue(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "7.10").add_snapshots(_varied_snapshots(DIALECTS["7.10"]))
    catalogue = _catalogue(tmp_path)
    assert catalogue["min_version"] == "7.9.0"
    assert "uuid" not in catalogue and "cluster_id" not in catalogue
    entry = catalogue["snapshots"][0]
    assert entry["version"] == "7.10.2"
    assert "start_time_millis" not in entry and "index_version" not in entry
    logs = catalogue["indices"]["logs-2024.01"]
    assert len(logs["shard_generations"]) == 3
    identifier = entry["index_metadata_lookup"][logs["id"]]
    assert identifier == "LogsUuid-000000000000a-_na_-1-1-1"
    blob_id = catalogue["index_metadata_identifiers"][identifier]
    assert (tmp_path / "indices" / logs["id"] / f"meta-{blob_id}.dat").is_file()


def test_7_17_dialect_catalogue(tmp_path: Path) -> None:
    writer = RepositoryWriter(tmp_path, "7.17", repository_uuid="R" * 22, cluster_id="C" * 22)
    writer.add_snapshots(_varied_snapshots(DIALECTS["7.17"]))
    catalogue = _catalogue(tmp_path)
    assert catalogue["min_version"] == "7.12.0"
    assert catalogue["uuid"] == "R" * 22 and catalogue["cluster_id"] == "C" * 22
    entry = catalogue["snapshots"][1]
    assert entry["version"] == "7.17.18"
    assert entry["start_time_millis"] == T0 + 86_400_000
    assert entry["end_time_millis"] == T0 + 86_400_000 + 9_500
    assert "slm_policy" not in entry
    reader = RepositoryReader(tmp_path)
    assert reader.catalogue.uuid == "R" * 22


def test_7_17_listing_has_times_without_opening_snapshot_info(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "7.17").add_snapshots(_varied_snapshots(DIALECTS["7.17"]))
    store = CountingStore(LocalDirectoryStore(tmp_path))
    rows = RepositoryReader(store).snapshots()
    assert [r.duration_ms for r in rows] == [4_000, 9_500]
    assert [str(r.version) for r in rows] == ["7.17.18", "7.17.18"]
    assert store.reads_matching(lambda p: p.startswith("snap-")) == 0


def test_8_9_compresses_by_default(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "8.9").add_snapshots(_varied_snapshots(DIALECTS["8.9"]))
    entry = _catalogue(tmp_path)["snapshots"][0]
    assert entry["version"] == "8.9.2" and "index_version" not in entry
    assert _is_deflated(tmp_path / "snap-SnapUuid-0000000000001.dat", "snapshot")
    assert _is_deflated(tmp_path / "meta-SnapUuid-0000000000001.dat", "metadata")
    info = decode_blob(
        (tmp_path / "snap-SnapUuid-0000000000001.dat").read_bytes(), "snapshot", path="snap"
    )
    assert info["snapshot"]["version_id"] == 8090299


def test_8_15_index_version_catalogue(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "8.15").add_snapshots(_varied_snapshots(DIALECTS["8.15"]))
    first, second = _catalogue(tmp_path)["snapshots"]
    assert first["version"] == "8.11.0"  # the marker older versions filter on
    assert first["index_version"] == index_version_id_for(DIALECTS["8.15"]) == 8512000
    assert first["slm_policy"] == "nightly" and second["slm_policy"] == ""
    (row, _) = RepositoryReader(tmp_path).snapshots()
    assert str(row.version) == "8.15.0-8.15.5" and row.slm_policy == "nightly"


def test_opensearch_dialect(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "opensearch-2.11").add_snapshots(
        _varied_snapshots(DIALECTS["opensearch-2.11"])
    )
    catalogue = _catalogue(tmp_path)
    assert "uuid" not in catalogue and "cluster_id" not in catalogue
    assert catalogue["min_version"] == "7.9.0"
    assert catalogue["snapshots"][0]["version"] == "2.11.1"
    assert "start_time_millis" not in catalogue["snapshots"][0]
    assert not _is_deflated(tmp_path / "snap-SnapUuid-0000000000001.dat", "snapshot")
    info = decode_blob(
        (tmp_path / "snap-SnapUuid-0000000000001.dat").read_bytes(), "snapshot", path="snap"
    )
    assert info["snapshot"]["version_id"] == 136327927  # 2.11.1 with bit 27 flipped
    (row, _) = RepositoryReader(tmp_path).snapshots()
    assert row.version is not None and row.version.product is Product.OPENSEARCH


def test_compression_can_be_chosen(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path / "a", "7.10", compress=True).add_snapshots(
        _varied_snapshots(DIALECTS["7.10"])
    )
    RepositoryWriter(tmp_path / "b", "9.1", compress=False).add_snapshots(
        _varied_snapshots(DIALECTS["9.1"])
    )
    assert _is_deflated(tmp_path / "a" / "snap-SnapUuid-0000000000001.dat", "snapshot")
    assert not _is_deflated(tmp_path / "b" / "snap-SnapUuid-0000000000001.dat", "snapshot")
    for repo in ("a", "b"):
        reader = RepositoryReader(tmp_path / repo)
        assert len(reader.indices("nightly-1")) == 4


def test_identical_index_metadata_is_stored_once(tmp_path: Path) -> None:
    writer = RepositoryWriter(tmp_path, "8.15")
    created = index_version_id_for(DIALECTS["8.15"])
    index = IndexToWrite("logs", "LogsUuid00000000000000", created)
    for n in range(3):
        writer.add_snapshot(SnapshotToWrite(f"s{n}", f"uuid-{n}", indices=[index]))
    changed = IndexToWrite("logs", "LogsUuid00000000000000", created, aliases=["x"])
    changed.aliases_version = 2
    writer.add_snapshot(SnapshotToWrite("s3", "uuid-3", indices=[changed]))
    index_id = _catalogue(tmp_path)["indices"]["logs"]["id"]
    blobs = sorted((tmp_path / "indices" / index_id).glob("meta-*.dat"))
    assert len(blobs) == 2
    store = CountingStore(LocalDirectoryStore(tmp_path))
    reader = RepositoryReader(store)
    assert [reader.index(f"s{n}", "logs").aliases for n in range(4)] == [[], [], [], ["x"]]
    assert store.reads_matching(lambda p: "/meta-" in p) == 2


def test_add_snapshots_writes_one_generation_for_a_bulk(tmp_path: Path) -> None:
    writer = RepositoryWriter(tmp_path, "7.17", shard_blobs=False)
    writer.add_snapshot(SnapshotToWrite("first", "uuid-first"))
    writer.add_snapshots(SnapshotToWrite(f"slm-{n}", f"uuid-{n}") for n in range(50))
    reader = RepositoryReader(tmp_path)
    assert reader.generation == 1
    assert len(reader.snapshots()) == 51


def test_duplicate_snapshot_name_is_refused(tmp_path: Path) -> None:
    writer = RepositoryWriter(tmp_path, "7.17")
    writer.add_snapshot(SnapshotToWrite("a", "uuid-a"))
    with pytest.raises(DuplicateSnapshotError, match="'a'"):
        writer.add_snapshot(SnapshotToWrite("a", "uuid-b"))
    assert RepositoryReader(tmp_path).generation == 0


def test_shard_blobs_list_files_summing_to_the_index_size(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "7.17").add_snapshots(_varied_snapshots(DIALECTS["7.17"]))
    index_id = _catalogue(tmp_path)["indices"]["logs-2024.01"]["id"]
    total = 0
    for shard in range(3):
        blob = tmp_path / "indices" / index_id / str(shard) / "snap-SnapUuid-0000000000001.dat"
        body = decode_blob(blob.read_bytes(), "snapshot", path=str(blob))
        assert body["total_size"] == sum(f["length"] for f in body["files"])
        total += body["total_size"]
    assert total == 10_001


def test_shard_blobs_can_be_skipped(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "7.17", shard_blobs=False).add_snapshots(
        _varied_snapshots(DIALECTS["7.17"])
    )
    assert not list(tmp_path.glob("indices/*/*/snap-*.dat"))
    assert len(RepositoryReader(tmp_path).indices("nightly-1")) == 4


def test_delete_snapshot_removes_blobs_nothing_references(tmp_path: Path) -> None:
    writer = RepositoryWriter(tmp_path, "7.17")
    writer.add_snapshots(_varied_snapshots(DIALECTS["7.17"]))
    before = _catalogue(tmp_path)
    logs_id = before["indices"]["logs-2024.01"]["id"]
    archive_id = before["indices"]["archive"]["id"]

    writer.delete_snapshot("nightly-1")
    reader = RepositoryReader(tmp_path)
    assert reader.generation == 1
    assert [s.name for s in reader.snapshots()] == ["nightly-2"]
    assert not (tmp_path / "snap-SnapUuid-0000000000001.dat").exists()
    assert not (tmp_path / "meta-SnapUuid-0000000000001.dat").exists()
    assert not (tmp_path / "indices" / archive_id).exists()  # only nightly-1 held it
    assert "archive" not in reader.catalogue.indices
    # logs is still in nightly-2, which shares the same metadata blob
    assert len(list((tmp_path / "indices" / logs_id).glob("meta-*.dat"))) == 1
    assert not list((tmp_path / "indices" / logs_id).glob("*/snap-SnapUuid-0000000000001.dat"))
    assert reader.index("nightly-2", "logs-2024.01").primary_shards == 3

    writer.delete_snapshot("nightly-2")
    reader = RepositoryReader(tmp_path)
    assert reader.snapshots() == []
    assert reader.catalogue.indices == {}
    assert reader.catalogue.index_metadata_identifiers == {}
    assert not (tmp_path / "indices").exists()
    with pytest.raises(SnapshotNotFoundError):
        writer.delete_snapshot("nightly-2")


def test_append_to_a_real_7_10_repository(real_repositories: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(real_repositories / "ES_7_10_Double", repo)
    version = DIALECTS["8.15"]
    index = IndexToWrite("posts_2025", "PostsUuid0000000000000", index_version_id_for(version))
    RepositoryWriter(repo, "8.15").add_snapshot(
        SnapshotToWrite("after-upgrade", "uuid-after", start_time_ms=T0, end_time_ms=T0 + 1)
    )
    RepositoryWriter(repo, "8.15").add_snapshot(
        SnapshotToWrite("with-index", "uuid-with", indices=[index])
    )
    reader = RepositoryReader(repo)
    assert reader.generation == 3
    assert reader.catalogue.min_version == "7.12.0"
    names = [s.name for s in reader.snapshots()]
    assert names == [
        "global_state_snapshot",
        "global_state_snapshot_2",
        "after-upgrade",
        "with-index",
    ]
    # the snapshots Elasticsearch wrote are still read through their own blobs
    old = reader.index("global_state_snapshot_2", "posts_2024_01_01")
    assert str(old.created) == "7.10.2" and old.uuid == "Rawk5jN7T6mhHACnMjj5Sg"
    new = reader.index("with-index", "posts_2025")
    assert str(new.created) == "8.15.0-8.15.5"


def test_6_8_writer_in_a_newer_repository_keeps_its_features(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, "8.15").add_snapshots(_varied_snapshots(DIALECTS["8.15"]))
    version = DIALECTS["6.8"]
    index = IndexToWrite("old", "OldUuid000000000000000", version.legacy_id)
    RepositoryWriter(tmp_path, "6.8").add_snapshot(
        SnapshotToWrite("from-6.8", "uuid-68", indices=[index])
    )
    catalogue = _catalogue(tmp_path)
    assert catalogue["min_version"] == "7.12.0" and "uuid" in catalogue
    assert len(catalogue["index_metadata_identifiers"]) == 4
    reader = RepositoryReader(tmp_path)
    assert str(reader.index("from-6.8", "old").created) == "6.8.23"
    assert reader.index("nightly-1", "archive").state == "close"


def test_data_stream_found_by_name_when_global_metadata_lacks_it(tmp_path: Path) -> None:
    version = DIALECTS["7.17"]
    created = index_version_id_for(version)
    backing = IndexToWrite(".ds-web-000003", "WebUuid000000000000000", created)
    lookalike = IndexToWrite(".ds-other-000001", "OtherUuid0000000000000", created)
    RepositoryWriter(tmp_path, "7.17").add_snapshot(
        SnapshotToWrite("s", "uuid-s", indices=[backing, lookalike], data_streams=["web"])
    )
    indices = {i.name: i for i in RepositoryReader(tmp_path).indices("s")}
    assert indices[".ds-web-000003"].data_stream == "web"
    # a .ds- name whose stream is not in the snapshot's data_streams is not a backing index
    assert indices[".ds-other-000001"].data_stream is None


def test_data_stream_from_global_metadata_whatever_the_index_name(tmp_path: Path) -> None:
    created = index_version_id_for(DIALECTS["8.15"])
    # a backing index that does not follow the .ds- naming (e.g. swapped in by a reindex)
    odd = IndexToWrite("reindexed-web", "OddUuid000000000000000", created, data_stream="web")
    RepositoryWriter(tmp_path, "8.15").add_snapshot(
        SnapshotToWrite("s", "uuid-s", indices=[odd], data_streams=["web"])
    )
    reader = RepositoryReader(tmp_path)
    assert reader.index("s", "reindexed-web").data_stream == "web"
    streams = reader.global_metadata("s")["data_stream"]["data_stream"]
    assert streams["web"]["indices"] == [
        {"index_name": "reindexed-web", "index_uuid": "OddUuid000000000000000"}
    ]


def test_missing_global_metadata_falls_back_to_names_with_a_warning(tmp_path: Path) -> None:
    created = index_version_id_for(DIALECTS["8.15"])
    backing = IndexToWrite(".ds-web-2024.05.01-000002", "WebUuid000000000000000", created)
    RepositoryWriter(tmp_path, "8.15").add_snapshot(
        SnapshotToWrite("s", "uuid-s", indices=[backing], data_streams=["web"])
    )
    (tmp_path / "meta-uuid-s.dat").unlink()
    reader = RepositoryReader(tmp_path)
    assert reader.index("s", ".ds-web-2024.05.01-000002").data_stream == "web"
    assert any("meta-uuid-s.dat" in w for w in reader.warnings)


def test_demo_repository_is_varied_and_reproducible(tmp_path: Path) -> None:
    from esnap_tui.repository.demo import build_demo_repository

    build_demo_repository(tmp_path / "a")
    build_demo_repository(tmp_path / "b")
    build_demo_repository(tmp_path / "a")  # already there: left alone
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*")
               if p.is_file()}  # fmt: skip
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*")
               if p.is_file()}  # fmt: skip
    assert files_a == files_b

    reader = RepositoryReader(tmp_path / "a")
    assert reader.warnings == []
    rows = reader.snapshots()
    assert len(rows) == 10
    products = {r.version.product for r in rows if r.version}
    assert products == {Product.ELASTICSEARCH, Product.OPENSEARCH}
    assert {r.state for r in rows} == {SnapshotState.SUCCESS, SnapshotState.PARTIAL}
    legacy = {i.name: i for i in reader.indices("legacy-2019.06.01")}
    assert str(legacy["customers-v1"].created) == "5.6.16"
    nightly = {i.name: i for i in reader.indices("nightly-2022.03.02")}
    assert nightly["audit-2021"].state == "close"
    assert nightly[".security-7"].system is True
    assert nightly[".ds-logs-app-000001"].data_stream == "logs-app"
    assert reader.snapshot("nightly-2024.06.02").failed_shards == 1


def test_archive_index_compatibility_version_is_read(tmp_path: Path) -> None:
    # an index created on 6.8 and made readable by 8.x as an archive index
    archive = IndexToWrite(
        "old-logs",
        "OldLogsUuid00000000000",
        DIALECTS["6.8"].legacy_id,
        settings={"index.version.compatibility": "8500003", "index.blocks.write": "true"},
    )
    snapshot = SnapshotToWrite("s", "uuid-s", indices=[archive])
    RepositoryWriter(tmp_path, "8.15").add_snapshot(snapshot)
    index = RepositoryReader(tmp_path).index("s", "old-logs")
    assert str(index.created) == "6.8.23"
    assert index.compatibility_version == Version(8, 11, 0)
    assert index.settings["index.blocks.write"] == "true"


def test_8_10_writes_the_version_as_a_number(tmp_path: Path) -> None:
    RepositoryWriter(tmp_path, Version(8, 10, 2)).add_snapshot(SnapshotToWrite("s", "uuid-s"))
    entry = _catalogue(tmp_path)["snapshots"][0]
    assert entry["version"] == 8100299 and "index_version" not in entry
    (row,) = RepositoryReader(tmp_path).snapshots()
    assert str(row.version) == "8.10.2"
