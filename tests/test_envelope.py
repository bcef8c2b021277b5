"""Blob envelope: every real metadata blob, byte-exact writes, and damaged or foreign blobs."""

from __future__ import annotations

import importlib
import zlib
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REAL_REPOS, require_real_repositories

from esnap_tui.repository import envelope, smile
from esnap_tui.repository.envelope import decode_blob, read_blob, wrap_body, write_blob
from esnap_tui.repository.errors import (
    CorruptBlobError,
    RepositoryError,
    UnsupportedCompressionError,
)


def _expected_codec(relative: Path) -> str:
    """The codec a blob must carry, from where it sits in the repository tree."""
    inner = relative.parts[1:]  # drop the repository folder
    name = inner[-1]
    if len(inner) == 1:
        return {"snap-": "snapshot", "meta-": "metadata"}[name[:5]]
    assert inner[0] == "indices"
    if len(inner) == 3 and name.startswith("meta-"):
        return "index-metadata"
    if len(inner) == 4 and name.startswith("snap-"):
        return "snapshot"
    if len(inner) == 4 and name.startswith("index-"):
        return "snapshots"
    raise AssertionError(f"not a metadata blob: {relative}")


def _metadata_blobs() -> list[Path]:
    if not REAL_REPOS.is_dir():
        return []
    return sorted(
        p.relative_to(REAL_REPOS)
        for p in REAL_REPOS.rglob("*")
        if p.is_file()
        and not p.name.startswith("__")  # data blobs (Lucene files), not metadata
        and (p.suffix == ".dat" or (p.name.startswith("index-") and "indices" in p.parts))
    )


BLOBS = _metadata_blobs()


def _read(relative: str | Path) -> bytes:
    return (require_real_repositories() / relative).read_bytes()


SNAP_7_10 = "ES_7_10_Single/snap-7_1RHMshSc6c0cuzX1NCDg.dat"


def _zstd_module() -> ModuleType | None:
    for name in ("compression.zstd", "zstandard"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


# --------------------------------------------------------------------------- real blobs


def test_all_66_metadata_blobs_are_found() -> None:
    require_real_repositories()
    codecs = [_expected_codec(p) for p in BLOBS]
    assert len(BLOBS) == 66
    assert set(codecs) == {"snapshot", "metadata", "index-metadata", "snapshots"}


@pytest.mark.parametrize("relative", BLOBS or [None], ids=[str(p) for p in BLOBS] or ["missing"])
def test_every_real_blob_decodes_and_rewrites_byte_for_byte(relative: Path | None) -> None:
    require_real_repositories()
    assert relative is not None
    data = _read(relative)
    codec = _expected_codec(relative)
    value = decode_blob(data, codec, path=str(relative))
    assert isinstance(value, dict) and value
    # Real Elasticsearch blobs are uncompressed SMILE up to 7.x; writing the decoded value
    # back gives the very same bytes, envelope and CRC included.
    assert write_blob(value, codec) == data


def test_snapshot_info_of_a_7_10_snapshot() -> None:
    info = decode_blob(_read(SNAP_7_10), "snapshot", path=SNAP_7_10)["snapshot"]
    assert info["name"] == "global_state_snapshot"
    assert info["uuid"] == "7_1RHMshSc6c0cuzX1NCDg"
    assert info["version_id"] == 7100299
    assert info["state"] == "SUCCESS"
    assert info["indices"] == ["posts_2023_02_25", "posts_2024_01_01"]
    assert info["start_time"] == 1711120727418
    assert info["metadata"] is None
    assert info["total_shards"] == info["successful_shards"] == 2


def test_5_6_index_metadata_in_a_6_8_snapshot_carries_created_and_upgraded() -> None:
    root = require_real_repositories() / "ES_6_8_Updates_Deletes_Merged"
    (blob,) = root.glob("indices/*/meta-*.dat")
    index = decode_blob(blob.read_bytes(), "index-metadata", path=str(blob))
    settings = index["test_updates_deletes"]["settings"]
    assert settings["index.version.created"] == "5061699"
    assert settings["index.version.upgraded"] == "6082399"
    assert settings["index.uuid"] == "0GLrOFfCQRq8-mQplMbaBg"
    snap = decode_blob(_read(root / "snap-_OTK5BR2SbSi_1vb0FhIgQ.dat"), "snapshot", path="s")
    assert snap["snapshot"]["version_id"] == 6082399


def test_5_6_snapshot_version() -> None:
    root = require_real_repositories() / "ES_5_6_Updates_Deletes"
    (blob,) = root.glob("snap-*.dat")
    assert decode_blob(blob.read_bytes(), "snapshot", path="s")["snapshot"]["version_id"] == 5061699


def test_real_body_rewrapped_with_deflate_decodes_to_the_same_value() -> None:
    data = _read(SNAP_7_10)
    body = read_blob(data, "snapshot", path="s")
    compressed = wrap_body(body, "snapshot", compress=True)
    assert compressed[17:21] == b"DFL\0"  # right after the 17-byte "snapshot" header
    assert read_blob(compressed, "snapshot", path="c") == body
    assert decode_blob(compressed, "snapshot", path="c") == decode_blob(data, "snapshot", path="s")


# --------------------------------------------------------------------------- writing


VALUE = {
    "snapshot": {
        "name": "nightly-2024.01.01",
        "version_id": 8150099,
        "indices": [f"logs-{i:04d}" for i in range(200)],
        "metadata": {"policy": "nightly", "note": "ünïcödé"},
        "start_time": 1_704_067_200_000,
        "blob": b"\x00\x01\xfe\xff",
    }
}


@pytest.mark.parametrize("compress", [False, True])
def test_write_then_read(compress: bool) -> None:
    data = write_blob(VALUE, "snapshot", compress=compress)
    assert data[:4] == b"\x3f\xd7\x6c\x17"
    assert data[4:17] == b"\x08snapshot\x00\x00\x00\x01"
    assert data[-16:-8] == b"\xc0\x28\x93\xe8\x00\x00\x00\x00"
    assert int.from_bytes(data[-8:], "big") == zlib.crc32(data[:-8])
    assert (data[17:21] == b"DFL\0") is compress
    assert decode_blob(data, "snapshot", path="w") == VALUE
    assert read_blob(data, "snapshot", path="w") == smile.encode(VALUE)


def test_compression_makes_repetitive_metadata_smaller() -> None:
    plain = write_blob(VALUE, "snapshot")
    compressed = write_blob(VALUE, "snapshot", compress=True)
    assert len(compressed) < len(plain)


def test_deflate_stream_is_finished_raw_deflate_like_javas() -> None:
    payload = envelope.deflate(b"abc" * 100)[4:]
    inflater = zlib.decompressobj(-15)
    assert inflater.decompress(payload) == b"abc" * 100
    assert inflater.eof and not inflater.unused_data
    assert b"\x00\x00\xff\xff" in payload  # the sync flush Elasticsearch's stream emits


def test_write_blob_rejects_bad_codec_names() -> None:
    for codec in ("", "ü", "x" * 128):
        with pytest.raises(ValueError):
            write_blob({}, codec)


# --------------------------------------------------------------------------- damage


def test_every_flipped_byte_is_caught() -> None:
    data = _read(SNAP_7_10)
    for offset in range(len(data)):
        damaged = bytearray(data)
        damaged[offset] ^= 0x10
        with pytest.raises(CorruptBlobError) as info:
            read_blob(bytes(damaged), "snapshot", path=SNAP_7_10)
        message = str(info.value)
        assert message.startswith(f"{SNAP_7_10}: ")
        if 4 <= offset < len(data) - 16:  # codec name, version, body
            assert "checksum mismatch (expected 0x88e0bd7d, computed 0x" in message


def test_checksum_mismatch_message_names_both_values() -> None:
    data = bytearray(write_blob(VALUE, "snapshot"))
    data[30] ^= 0xFF
    with pytest.raises(CorruptBlobError) as info:
        read_blob(bytes(data), "snapshot", path="snap-x.dat")
    expected = int.from_bytes(data[-8:], "big")
    computed = zlib.crc32(bytes(data[:-8]))
    assert info.value.path == "snap-x.dat"
    assert info.value.problem == (
        f"checksum mismatch (expected 0x{expected:08x}, computed 0x{computed:08x})"
    )


@pytest.mark.parametrize("compress", [False, True])
def test_every_truncation_is_a_repository_error(compress: bool) -> None:
    data = _read(SNAP_7_10)
    if compress:
        data = wrap_body(read_blob(data, "snapshot", path="s"), "snapshot", compress=True)
    for length in range(len(data)):
        with pytest.raises(RepositoryError) as info:
            decode_blob(data[:length], "snapshot", path="cut")
        assert info.value.path == "cut"
    with pytest.raises(CorruptBlobError, match="truncated"):
        read_blob(data[:-1], "snapshot", path="cut")


def test_wrong_codec_says_expected_and_found() -> None:
    with pytest.raises(CorruptBlobError) as info:
        read_blob(_read(SNAP_7_10), "index-metadata", path="p")
    assert info.value.problem == "wrong codec: expected 'index-metadata', found 'snapshot'"


def test_unknown_format_version_is_reported() -> None:
    data = write_blob({"a": 1}, "snapshot", format_version=2)
    with pytest.raises(CorruptBlobError, match=r"unknown blob format version 2 \(esnap reads 1"):
        read_blob(data, "snapshot", path="p")


def test_not_a_blob_at_all() -> None:
    with pytest.raises(CorruptBlobError, match="not a repository metadata blob"):
        read_blob(b'{"snapshots":[],"indices":{}}' + b" " * 20, "snapshot", path="index-0")
    with pytest.raises(CorruptBlobError, match="truncated"):
        read_blob(b"", "snapshot", path="empty")
    with pytest.raises(CorruptBlobError, match="algorithm 7"):
        data = bytearray(write_blob({}, "snapshot"))
        data[-12:-8] = (7).to_bytes(4, "big")
        read_blob(bytes(data), "snapshot", path="p")


def test_lz4_is_refused_clearly() -> None:
    data = wrap_body(b"LZ4\0" + b"\x11" * 20, "snapshot")
    with pytest.raises(UnsupportedCompressionError, match="unsupported compression LZ4"):
        read_blob(data, "snapshot", path="p")


def test_lzf_from_before_2_0_is_refused_clearly() -> None:
    data = wrap_body(b"ZV\0" + b"\x11" * 20, "snapshot")
    with pytest.raises(UnsupportedCompressionError, match="LZF"):
        read_blob(data, "snapshot", path="p")


def test_unknown_compression_prefix_is_named() -> None:
    data = wrap_body(b"SNAPPY\0" + b"\x11" * 20, "snapshot")
    with pytest.raises(UnsupportedCompressionError, match=r"unknown compression prefix SNAPPY\\0"):
        read_blob(data, "snapshot", path="p")


def test_zstd_blob_needs_a_zstd_module() -> None:
    body = smile.encode(VALUE)
    module = _zstd_module()
    if module is None:
        data = wrap_body(b"ZSTD\0" + b"\x28\xb5\x2f\xfd" + b"\0" * 10, "snapshot")
        with pytest.raises(UnsupportedCompressionError) as info:
            read_blob(data, "snapshot", path="p")
        assert info.value.problem == (
            "unsupported compression ZSTD (install zstandard to read OpenSearch zstd blobs)"
        )
    else:
        if module.__name__ == "zstandard":
            frame = module.ZstdCompressor(level=3).compress(body)
        else:
            frame = module.compress(body, level=3)
        data = wrap_body(b"ZSTD\0" + frame, "snapshot")
        assert decode_blob(data, "snapshot", path="p") == VALUE
        with pytest.raises(CorruptBlobError, match="zstd"):
            read_blob(wrap_body(b"ZSTD\0" + frame[:-4], "snapshot"), "snapshot", path="p")


def test_damaged_deflate_inside_a_valid_envelope() -> None:
    payload = envelope.deflate(smile.encode(VALUE))
    with pytest.raises(CorruptBlobError, match="compressed body is damaged"):
        read_blob(wrap_body(b"DFL\0\xff\xff\xff\xff", "snapshot"), "snapshot", path="p")
    with pytest.raises(CorruptBlobError, match="ends before the deflate stream"):
        read_blob(wrap_body(payload[: len(payload) // 2], "snapshot"), "snapshot", path="p")


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(envelope, "MAX_BODY_BYTES", 10_000)
    data = wrap_body(b"\0" * 50_000, "snapshot", compress=True)
    with pytest.raises(CorruptBlobError, match="larger than 10000 bytes"):
        read_blob(data, "snapshot", path="p")


# --------------------------------------------------------------------------- body formats


def test_json_body_is_accepted() -> None:
    data = wrap_body(b'{"snapshot": {"name": "s", "version_id": 7100299}}', "snapshot")
    assert decode_blob(data, "snapshot", path="p") == {
        "snapshot": {"name": "s", "version_id": 7100299}
    }
    with pytest.raises(CorruptBlobError, match="invalid JSON body"):
        decode_blob(wrap_body(b'{"a":', "snapshot"), "snapshot", path="p")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\xa1\x61a\x01", "CBOR"),
        (b"\xd9\xd9\xf7\xa0", "CBOR"),
        (b"---\nsnapshot: {}\n", "YAML"),
        (b"\x01\x02\x03", "neither SMILE nor JSON"),
        (b"", "neither SMILE nor JSON"),
    ],
)
def test_other_body_formats_are_named(body: bytes, kind: str) -> None:
    with pytest.raises(CorruptBlobError, match=kind):
        decode_blob(wrap_body(body, "snapshot"), "snapshot", path="p")


def test_invalid_smile_inside_a_valid_envelope_names_the_offset() -> None:
    data = wrap_body(b":)\n\x05\xfa\x80a\x00\xfb", "snapshot")
    with pytest.raises(CorruptBlobError) as info:
        decode_blob(data, "snapshot", path="snap-1.dat")
    assert info.value.problem == "invalid SMILE body: invalid value token 0x00 at offset 7"
