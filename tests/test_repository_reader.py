"""The offline reader against real repositories written by Elasticsearch 5.6, 6.8 and 7.10, and
against hand-written catalogues for the shapes no fixture has (8.x, 9.x, OpenSearch)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from esnap_tui.models import CreatedVersionSource, SnapshotState
from esnap_tui.repository import (
    CatalogueError,
    CorruptBlobError,
    CountingStore,
    IndexNotFoundError,
    LocalDirectoryStore,
    MissingBlobError,
    PreV5RepositoryError,
    RepositoryError,
    RepositoryReader,
    SnapshotNotFoundError,
)
from esnap_tui.versions import Product, Version

# fixture -> snapshot -> (uuid, snapshot version, total shards, include_global_state,
#                         {index: (created, primary shards, index uuid)})
FACTS = {
    "ES_5_6_Updates_Deletes": {
        "rfs_snapshot": (
            "FGgvQ_1CTymrGgoBFrwNTg", "5.6.16", 1, None,
            {"test_updates_deletes": ("5.6.16", 1, "o6EB80-3TeKFKdLzRP-UgQ")},
        ),
    },
    "ES_6_8_Single": {
        "global_state_snapshot": (
            "5imyqv54TKyHTPTCOAOt2g", "6.8.24", 2, True,
            {
                "posts_2023_02_25": ("6.8.24", 1, "6qGXAbDmTym-jOlcQDBlew"),
                "posts_2024_01_01": ("6.8.24", 1, "0TW4usgxS2K2TRUP_489Ag"),
            },
        ),
    },
    "ES_6_8_Updates_Deletes_Merged": {
        "rfs_snapshot": (
            "_OTK5BR2SbSi_1vb0FhIgQ", "6.8.23", 1, True,
            {"test_updates_deletes": ("5.6.16", 1, "0GLrOFfCQRq8-mQplMbaBg")},
        ),
    },
    "ES_6_8_Updates_Deletes_Native": {
        "rfs_snapshot": (
            "LpqTJXefQsin-rJRb4agKg", "6.8.23", 1, True,
            {"test_updates_deletes": ("6.8.23", 1, "OBzNGtpuQS2XGssZIS8iqA")},
        ),
    },
    "ES_7_10_BWC_Check": {
        "rfs-snapshot": (
            "KhcpVj8aRMek0oLMUSPHeg", "7.10.2", 4, True,
            {
                "bwc_index_1": ("7.10.2", 1, "tBmFXxGhTeiDlznQiKfNCA"),
                "empty_mappings_no_docs": ("7.10.2", 1, "ndSIWVDSQpuC8xY2DieX7g"),
                "fwc_index_1": ("7.10.2", 1, "BI3xMNgnRe6HldftNpfxzQ"),
                "no_mappings_no_docs": ("7.10.2", 1, "S0lxKX7vSLS7jzquAnNzdg"),
            },
        ),
    },
    "ES_7_10_Double": {
        "global_state_snapshot": (
            "7_1RHMshSc6c0cuzX1NCDg", "7.10.2", 2, True,
            {
                "posts_2023_02_25": ("7.10.2", 1, "CsS2Nx5QQ9ObYacB1k-vDg"),
                "posts_2024_01_01": ("7.10.2", 1, "Rawk5jN7T6mhHACnMjj5Sg"),
            },
        ),
        "global_state_snapshot_2": (
            "MLvfrD_pTnO_XKWl4qrhOw", "7.10.2", 1, True,
            {"posts_2024_01_01": ("7.10.2", 1, "Rawk5jN7T6mhHACnMjj5Sg")},
        ),
    },
    "ES_7_10_Single": {
        "global_state_snapshot": (
            "7_1RHMshSc6c0cuzX1NCDg", "7.10.2", 2, True,
            {
                "posts_2023_02_25": ("7.10.2", 1, "CsS2Nx5QQ9ObYacB1k-vDg"),
                "posts_2024_01_01": ("7.10.2", 1, "Rawk5jN7T6mhHACnMjj5Sg"),
            },
        ),
    },
    "ES_7_10_Updates_Deletes_w_Soft": {
        "rfs_snapshot": (
            "4qK_DdtfTcao0zoxNElf9Q", "7.10.2", 1, True,
            {"test_updates_deletes": ("7.10.2", 1, "7Zjff_ZGQp6NAqHFHTCsMw")},
        ),
    },
    "ES_7_10_Updates_Deletes_wo_Soft": {
        "rfs_snapshot": (
            "ClerAGRHR6qcKGlz4Ky0Kg", "7.10.2", 1, True,
            {"test_updates_deletes": ("7.10.2", 1, "Mxyf4olyS5WE-u2k5Q4ooA")},
        ),
    },
}  # fmt: skip

GENERATIONS = {
    "ES_5_6_Updates_Deletes": 0,
    "ES_6_8_Single": 1,
    "ES_6_8_Updates_Deletes_Merged": 0,
    "ES_6_8_Updates_Deletes_Native": 0,
    "ES_7_10_BWC_Check": 0,
    "ES_7_10_Double": 1,
    "ES_7_10_Single": 1,
    "ES_7_10_Updates_Deletes_w_Soft": 0,
    "ES_7_10_Updates_Deletes_wo_Soft": 0,
}


def _is_snap_info(path: str) -> bool:
    return "/" not in path and path.startswith("snap-")


# -- every real fixture ---------------------------------------------------------------------


def test_every_fixture_repository_is_covered(real_repositories: Path) -> None:
    on_disk = {p.name for p in real_repositories.iterdir() if p.is_dir()}
    assert on_disk == set(FACTS)


@pytest.mark.parametrize("fixture", sorted(FACTS))
def test_fixture_snapshots_and_indices(real_repositories: Path, fixture: str) -> None:
    reader = RepositoryReader(real_repositories / fixture)
    assert reader.name == fixture
    assert reader.generation == GENERATIONS[fixture]
    assert reader.warnings == []
    expected = FACTS[fixture]

    listed = {s.name: s for s in reader.snapshots()}
    assert set(listed) == set(expected)
    for name, (uuid, version, total, global_state, indices) in expected.items():
        summary = listed[name]
        assert summary.uuid == uuid
        assert summary.state is SnapshotState.SUCCESS
        assert summary.indices_count == len(indices)
        assert summary.repository == fixture

        detail = reader.snapshot(name)
        assert str(detail.version) == version
        assert detail.version is not None and detail.version.exact
        assert detail.total_shards == total and detail.successful_shards == total
        assert detail.failed_shards == 0
        assert detail.include_global_state is global_state
        assert sorted(detail.indices) == sorted(indices)
        assert detail.start_time_ms is not None and detail.end_time_ms is not None
        assert detail.duration_ms is not None and 0 <= detail.duration_ms < 60_000

        got = {i.name: i for i in reader.indices(name)}
        assert set(got) == set(indices)
        for index_name, (created, shards, index_uuid) in indices.items():
            index = got[index_name]
            assert str(index.created) == created
            assert index.created_source is CreatedVersionSource.REPOSITORY
            assert index.primary_shards == shards
            assert index.uuid == index_uuid
            assert index.state == "open"
            assert index.data_stream is None and not index.system
            assert index.settings["index.uuid"] == index_uuid
            assert (real_repositories / fixture / "indices" / index.index_id).is_dir()


def test_listing_never_opens_snapshot_info(real_repositories: Path) -> None:
    for fixture in FACTS:
        store = CountingStore(LocalDirectoryStore(real_repositories / fixture))
        reader = RepositoryReader(store)
        reader.snapshots()
        assert store.reads_matching(_is_snap_info) == 0, fixture
        assert set(store.reads) <= {"index.latest", f"index-{reader.generation}"}


def test_7_10_catalogue_gives_version_but_no_times_until_snapshot_is_opened(
    real_repositories: Path,
) -> None:
    reader = RepositoryReader(real_repositories / "ES_7_10_Single")
    (summary,) = reader.snapshots()
    assert str(summary.version) == "7.10.2"  # from the catalogue alone
    assert summary.start_time_ms is None and summary.duration_ms is None
    reader.snapshot("global_state_snapshot")
    (summary,) = reader.snapshots()
    assert summary.start_time_ms == 1711120727418
    assert summary.duration_ms == 1711120728233 - 1711120727418


def test_6_8_catalogue_has_no_version_until_snapshot_is_opened(real_repositories: Path) -> None:
    reader = RepositoryReader(real_repositories / "ES_6_8_Single")
    (summary,) = reader.snapshots()
    assert summary.version is None
    assert str(reader.snapshot("global_state_snapshot").version) == "6.8.24"


def test_5_6_index_inside_6_8_snapshot(real_repositories: Path) -> None:
    reader = RepositoryReader(real_repositories / "ES_6_8_Updates_Deletes_Merged")
    detail = reader.snapshot("rfs_snapshot")
    assert detail.version is not None and detail.version.low == Version(6, 8, 23)
    index = reader.index("rfs_snapshot", "test_updates_deletes")
    assert index.created is not None and index.created.low == Version(5, 6, 16)
    assert index.settings["index.version.upgraded"] == "6082399"
    assert index.primary_shards == 1
    assert index.settings["index.number_of_replicas"] == "0"


def test_double_snapshot_shares_one_index_metadata_blob(real_repositories: Path) -> None:
    store = CountingStore(LocalDirectoryStore(real_repositories / "ES_7_10_Double"))
    reader = RepositoryReader(store)
    first = {i.name: i for i in reader.indices("global_state_snapshot")}
    second = {i.name: i for i in reader.indices("global_state_snapshot_2")}
    assert set(first) == {"posts_2023_02_25", "posts_2024_01_01"}
    assert set(second) == {"posts_2024_01_01"}  # the second snapshot lacks posts_2023_02_25
    assert first["posts_2024_01_01"] == second["posts_2024_01_01"]
    shared = "indices/TKzEIy9ASTq-FuWhogYPHw/meta-e0O-Zo4B5P7rRiUeQFTe.dat"
    assert store.reads[shared] == 1
    reader.index("global_state_snapshot_2", "posts_2024_01_01")
    reader.snapshot("global_state_snapshot")
    assert store.reads[shared] == 1
    assert store.reads["snap-7_1RHMshSc6c0cuzX1NCDg.dat"] == 1
    with pytest.raises(IndexNotFoundError, match="posts_2023_02_25"):
        reader.index("global_state_snapshot_2", "posts_2023_02_25")


def test_aliases_and_settings_come_from_index_metadata(real_repositories: Path) -> None:
    reader = RepositoryReader(real_repositories / "ES_6_8_Single")
    index = reader.index("global_state_snapshot", "posts_2024_01_01")
    assert index.aliases == ["alias1", "alias2", "another_alias", "posts_2024_01_01-alias"]
    wo_soft = RepositoryReader(real_repositories / "ES_7_10_Updates_Deletes_wo_Soft")
    index = wo_soft.index("rfs_snapshot", "test_updates_deletes")
    assert index.settings["index.soft_deletes.enabled"] == "false"


def test_global_metadata(real_repositories: Path) -> None:
    reader = RepositoryReader(real_repositories / "ES_7_10_Double")
    meta = reader.global_metadata("global_state_snapshot")
    assert meta["cluster_uuid"] == "Khh0PEm8QCmdyteNRv47dg"
    assert ".monitoring-logstash" in meta["templates"]


def test_unknown_snapshot_names_the_catalogue(real_repositories: Path) -> None:
    reader = RepositoryReader(real_repositories / "ES_7_10_Single")
    with pytest.raises(SnapshotNotFoundError, match=r"index-1: no snapshot named 'nope'"):
        reader.snapshot("nope")


# -- damaged repositories -------------------------------------------------------------------


def _copy(real_repositories: Path, fixture: str, tmp_path: Path) -> Path:
    target = tmp_path / fixture
    shutil.copytree(real_repositories / fixture, target)
    return target


def test_missing_index_metadata_blob_is_named(real_repositories: Path, tmp_path: Path) -> None:
    repo = _copy(real_repositories, "ES_7_10_Double", tmp_path)
    blob = repo / "indices" / "TKzEIy9ASTq-FuWhogYPHw" / "meta-e0O-Zo4B5P7rRiUeQFTe.dat"
    blob.unlink()
    reader = RepositoryReader(repo)
    assert len(reader.snapshots()) == 2  # listing still works
    with pytest.raises(MissingBlobError) as caught:
        reader.indices("global_state_snapshot_2")
    message = str(caught.value)
    assert str(blob) in message and "posts_2024_01_01" in message
    assert "\n" not in message


def test_missing_snapshot_info_is_named(real_repositories: Path, tmp_path: Path) -> None:
    repo = _copy(real_repositories, "ES_6_8_Single", tmp_path)
    (repo / "snap-5imyqv54TKyHTPTCOAOt2g.dat").unlink()
    with pytest.raises(MissingBlobError, match=r"snap-5imyqv54TKyHTPTCOAOt2g\.dat: missing"):
        RepositoryReader(repo).snapshot("global_state_snapshot")


def test_corrupt_blob_is_named(real_repositories: Path, tmp_path: Path) -> None:
    repo = _copy(real_repositories, "ES_5_6_Updates_Deletes", tmp_path)
    blob = repo / "snap-FGgvQ_1CTymrGgoBFrwNTg.dat"
    data = bytearray(blob.read_bytes())
    data[40] ^= 0xFF
    blob.write_bytes(bytes(data))
    with pytest.raises(CorruptBlobError) as caught:
        RepositoryReader(repo).snapshot("rfs_snapshot")
    assert str(caught.value).startswith(str(blob))


def test_catalogue_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "index-3").write_bytes(b'{"snapshots": [')
    with pytest.raises(CatalogueError) as caught:
        RepositoryReader(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "index-3") + ": not valid JSON")


def test_catalogue_with_impossible_shape(tmp_path: Path) -> None:
    (tmp_path / "index-0").write_text('{"snapshots": {"a": 1}, "indices": {}}')
    with pytest.raises(CatalogueError, match="'snapshots' must be a list"):
        RepositoryReader(tmp_path)
    (tmp_path / "index-1").write_text('{"snapshots": [{"name": "a"}], "indices": {}}')
    with pytest.raises(CatalogueError, match=r"snapshots\[0\] lacks"):
        RepositoryReader(tmp_path)


def test_no_catalogue_at_all(tmp_path: Path) -> None:
    (tmp_path / "indices").mkdir()
    with pytest.raises(CatalogueError, match="no index-N catalogue"):
        RepositoryReader(tmp_path)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="no such directory"):
        RepositoryReader(tmp_path / "absent")


def test_pre_5_layout_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index").write_text('{"snapshots": ["old"]}')
    (tmp_path / "snapshot-old").write_bytes(b"\0")
    with pytest.raises(PreV5RepositoryError, match=r"2\.x or older"):
        RepositoryReader(tmp_path)


def test_index_latest_disagreement_is_reported(real_repositories: Path, tmp_path: Path) -> None:
    repo = _copy(real_repositories, "ES_6_8_Single", tmp_path)
    (repo / "index.latest").write_bytes((0).to_bytes(8, "big"))
    reader = RepositoryReader(repo)
    assert reader.generation == 1
    assert any("index.latest" in w and "index-1" in w for w in reader.warnings)


class _NoListingStore(LocalDirectoryStore):
    """A store that cannot list (some object-store permissions): only index.latest helps."""

    def list(self, prefix: str = "") -> list[str]:
        return []


def test_index_latest_is_the_fallback_when_listing_is_impossible(
    real_repositories: Path,
) -> None:
    reader = RepositoryReader(_NoListingStore(real_repositories / "ES_7_10_Double"))
    assert reader.generation == 1
    assert [s.name for s in reader.snapshots()] == [
        "global_state_snapshot",
        "global_state_snapshot_2",
    ]


def test_shard_level_index_blobs_do_not_count_as_generations(tmp_path: Path) -> None:
    _catalogue(tmp_path, {"snapshots": [], "indices": {}}, generation=2)
    (tmp_path / "indices" / "x" / "0").mkdir(parents=True)
    (tmp_path / "indices" / "x" / "0" / "index-9").write_bytes(b"")
    (tmp_path / "index-7.tmp").write_bytes(b"")
    assert RepositoryReader(tmp_path).generation == 2


def test_refresh_picks_up_a_new_generation(tmp_path: Path) -> None:
    _catalogue(tmp_path, {"snapshots": [], "indices": {}}, generation=0)
    reader = RepositoryReader(tmp_path)
    assert reader.refresh() is False
    _catalogue(tmp_path, {"snapshots": [_entry("a", "u1")], "indices": {}}, generation=1)
    assert reader.refresh() is True
    assert [s.name for s in reader.snapshots()] == ["a"]


# -- catalogue shapes 5.x .. 9.x and OpenSearch (hand-written: no public fixture) -----------


def _catalogue(directory: Path, body: dict, generation: int = 0) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"index-{generation}").write_text(json.dumps(body))
    (directory / "index.latest").write_bytes(generation.to_bytes(8, "big"))
    return directory


def _entry(name: str, uuid: str, **extra: object) -> dict:
    return {"name": name, "uuid": uuid, "state": 1, **extra}


def test_8_10_numeric_version_and_8_11_index_version(tmp_path: Path) -> None:
    body = {
        "min_version": "7.12.0",
        "uuid": "repo-uuid",
        "cluster_id": "cluster-uuid",
        "snapshots": [
            _entry("s810", "u1", version=8100299, start_time_millis=10, end_time_millis=25),
            _entry("s815", "u2", version="8.11.0", index_version=8512000, slm_policy="nightly"),
            _entry("s817", "u3", version="8.17.1", slm_policy=""),
        ],
        "indices": {},
        "index_metadata_identifiers": {},
    }
    reader = RepositoryReader(_catalogue(tmp_path, body))
    assert reader.warnings == []
    assert reader.catalogue.uuid == "repo-uuid" and reader.catalogue.cluster_id == "cluster-uuid"
    assert reader.catalogue.min_version == "7.12.0"
    rows = {s.name: s for s in reader.snapshots()}
    assert str(rows["s810"].version) == "8.10.2"
    assert rows["s810"].duration_ms == 15
    # index_version wins over the "8.11.0" marker string
    assert str(rows["s815"].version) == "8.15.0-8.15.5"
    assert rows["s815"].slm_policy == "nightly"
    assert str(rows["s817"].version) == "8.17.1"
    assert rows["s817"].slm_policy is None  # "" = not taken by SLM


def test_opensearch_catalogue(tmp_path: Path) -> None:
    body = {
        "snapshots": [_entry("os", "u1", version="2.11.1", index_metadata_lookup={})],
        "indices": {},
        "min_version": "7.9.0",
        "index_metadata_identifiers": {},
    }
    reader = RepositoryReader(_catalogue(tmp_path, body))
    (row,) = reader.snapshots()
    assert row.version is not None and row.version.product is Product.OPENSEARCH
    assert str(row.version) == "2.11.1"
    assert reader.catalogue.product is Product.OPENSEARCH


def test_elasticsearch_7_version_is_not_mistaken_for_opensearch(tmp_path: Path) -> None:
    body = {"snapshots": [_entry("es", "u1", version="7.9.3")], "indices": {}}
    body["min_version"] = "7.9.0"
    (row,) = RepositoryReader(_catalogue(tmp_path, body)).snapshots()
    assert row.version is not None and row.version.product is Product.ELASTICSEARCH


def test_pre_5_4_snapshot_refs_and_missing_state(tmp_path: Path) -> None:
    body = {
        "snapshots": [{"name": "old", "uuid": "u1"}, _entry("new", "u2", state=3)],
        "indices": {
            "logs": {"id": "abc", "snapshots": [{"name": "old", "uuid": "u1"}]},
            "metrics": {"id": "def", "snapshots": ["u1", "u2"]},
        },
    }
    reader = RepositoryReader(_catalogue(tmp_path, body))
    rows = {s.name: s for s in reader.snapshots()}
    assert rows["old"].state is None and rows["old"].indices_count == 2
    assert rows["new"].state is SnapshotState.PARTIAL and rows["new"].indices_count == 1
    assert [i.name for i in reader.catalogue.indices_of("u1")] == ["logs", "metrics"]


def test_unknown_keys_are_reported_not_fatal(tmp_path: Path) -> None:
    body = {
        "snapshots": [_entry("a", "u1", version="9.3.0", brand_new=1)],
        "indices": {"i": {"id": "x", "snapshots": ["u1"], "shard_generations": ["g"], "odd": 2}},
        "min_version": "7.12.0",
        "future_top": {"x": 1},
    }
    reader = RepositoryReader(_catalogue(tmp_path, body))
    joined = "\n".join(reader.warnings)
    assert "'future_top'" in joined
    assert "'brand_new' in 1 snapshot entry" in joined
    assert "'odd' in 1 index entry" in joined
    assert [s.name for s in reader.snapshots()] == ["a"]


def test_min_version_newer_than_known_is_a_warning(tmp_path: Path) -> None:
    body = {"snapshots": [], "indices": {}, "min_version": "12.0.0"}
    reader = RepositoryReader(_catalogue(tmp_path, body))
    assert any("min_version 12.0.0" in w for w in reader.warnings)


def test_dangling_snapshot_reference_is_a_warning(tmp_path: Path) -> None:
    body = {"snapshots": [_entry("a", "u1")], "indices": {"i": {"id": "x", "snapshots": ["zz"]}}}
    reader = RepositoryReader(_catalogue(tmp_path, body))
    assert any("zz" in w for w in reader.warnings)


def test_shard_generations_give_the_shard_count_cheaply(tmp_path: Path) -> None:
    body = {
        "snapshots": [_entry("a", "u1")],
        "indices": {"i": {"id": "x", "snapshots": ["u1"], "shard_generations": ["a", "1", None]}},
    }
    catalogue = RepositoryReader(_catalogue(tmp_path, body)).catalogue
    # numeric generations are "unreliable" in Elasticsearch and read as unknown
    assert catalogue.indices["i"].shard_generations == ["a", None, None]


# -- shard snapshots and exact version ids ----------------------------------------------------


def test_shard_snapshot_of_a_real_7_10_repository(real_repositories: Path) -> None:
    store = CountingStore(LocalDirectoryStore(real_repositories / "ES_7_10_Single"))
    reader = RepositoryReader(store)
    shard = reader.shard_snapshot("global_state_snapshot", "posts_2023_02_25", 0)
    assert shard is not None
    assert (shard.snapshot, shard.index, shard.shard) == (
        "global_state_snapshot", "posts_2023_02_25", 0,
    )
    assert (shard.number_of_files, shard.total_size) == (4, 4634)
    assert (shard.start_time_ms, shard.time_ms) == (1711120727620, 205)
    assert sum(f.length for f in shard.files) == shard.total_size
    first, second = shard.files[:2]
    assert (first.physical_name, first.length, first.written_by) == ("_0.cfe", 479, "8.7.0")
    assert first.name.startswith("__") and first.checksum == "5hfsxq"
    assert second.name.startswith("v__")  # a virtual blob: its bytes live in the shard metadata
    assert reader.shard_files("global_state_snapshot", "posts_2023_02_25", 0) == list(shard.files)
    # read once, then cached
    reader.shard_snapshot("global_state_snapshot", "posts_2023_02_25", 0)
    assert store.reads_matching(lambda p: p.startswith("indices/") and "/0/snap-" in p) == 1


@pytest.mark.parametrize(
    ("fixture", "snapshot", "version_id"),
    [
        ("ES_5_6_Updates_Deletes", "rfs_snapshot", 5061699),
        ("ES_6_8_Single", "global_state_snapshot", 6082499),
        ("ES_7_10_Double", "global_state_snapshot", 7100299),
    ],
)
def test_snapshot_version_id_is_the_exact_id_of_the_blob(
    real_repositories: Path, fixture: str, snapshot: str, version_id: int
) -> None:
    reader = RepositoryReader(real_repositories / fixture)
    assert reader.snapshot_version_id(snapshot) == version_id
    assert reader.snapshot_info(snapshot)["version_id"] == version_id
    detail = reader.snapshot(snapshot)
    assert detail.version is not None and detail.version.low.legacy_id == version_id


def test_missing_shard_blob_is_none_and_unknown_index_is_an_error(
    real_repositories: Path,
) -> None:
    reader = RepositoryReader(real_repositories / "ES_7_10_Single")
    assert reader.shard_snapshot("global_state_snapshot", "posts_2023_02_25", 7) is None
    assert reader.shard_files("global_state_snapshot", "posts_2023_02_25", 7) is None
    with pytest.raises(IndexNotFoundError, match="no index named 'nope'"):
        reader.shard_snapshot("global_state_snapshot", "nope", 0)
    with pytest.raises(SnapshotNotFoundError):
        reader.shard_files("nope", "posts_2023_02_25", 0)


def test_corrupt_shard_blob_is_named(real_repositories: Path, tmp_path: Path) -> None:
    repo = _copy(real_repositories, "ES_5_6_Updates_Deletes", tmp_path)
    reader = RepositoryReader(repo)
    index_id = reader.index("rfs_snapshot", "test_updates_deletes").index_id
    blob = repo / "indices" / str(index_id) / "0" / "snap-FGgvQ_1CTymrGgoBFrwNTg.dat"
    data = bytearray(blob.read_bytes())
    data[40] ^= 0xFF
    blob.write_bytes(bytes(data))
    with pytest.raises(CorruptBlobError) as caught:
        reader.shard_snapshot("rfs_snapshot", "test_updates_deletes", 0)
    assert str(caught.value).startswith(str(blob))


def test_written_shard_files_and_9_x_version_id(tmp_path: Path) -> None:
    from esnap_tui.repository import IndexToWrite, RepositoryWriter, SnapshotToWrite
    from esnap_tui.versions import index_version_id_for

    version = Version(9, 1, 0)
    index = IndexToWrite("logs", "logs-uuid", index_version_id_for(version), primary_shards=2,
                         size_in_bytes=10_000)
    RepositoryWriter(tmp_path / "with", "9.1").add_snapshot(
        SnapshotToWrite("s", "snap-uuid", version, indices=[index])
    )
    reader = RepositoryReader(tmp_path / "with")
    files = reader.shard_files("s", "logs", 0)
    assert files is not None
    assert [(f.physical_name, f.length) for f in files] == [("segments_2", 512), ("_0.cfs", 4488)]
    assert reader.snapshot_version_id("s") == index_version_id_for(version)
    RepositoryWriter(tmp_path / "without", "9.1", shard_blobs=False).add_snapshot(
        SnapshotToWrite("s", "snap-uuid", version, indices=[index])
    )
    assert RepositoryReader(tmp_path / "without").shard_files("s", "logs", 1) is None
