"""The envelope around every repository metadata blob (Elasticsearch's ChecksumBlobStoreFormat).

Layout (``shared/reference/repository-format.md`` section 2):

    0x3FD76C17 | VInt len + codec name | int format version (1)     Lucene CodecUtil header
    body: SMILE, or ``DFL\\0`` + raw deflate, or ``ZSTD\\0`` + zstd (OpenSearch 2.10+)
    0xC02893E8 | int algorithm (0) | long CRC32 of every byte before it   Lucene footer

All integers are big-endian. The envelope bytes have not changed since Elasticsearch 2.0 and
every Elasticsearch and OpenSearch release writes format version 1. Reads never trust the
repository's ``compress`` setting: like Elasticsearch, we look at the body's prefix.

Every failure is a ``RepositoryError`` subclass naming the blob, so one damaged blob
degrades one row of the UI, never the whole repository.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

from esnap_tui.repository import smile
from esnap_tui.repository.errors import CorruptBlobError, UnsupportedCompressionError

__all__ = [
    "CODEC_INDEX_METADATA",
    "CODEC_MAGIC",
    "CODEC_METADATA",
    "CODEC_SNAPSHOT",
    "CODEC_SNAPSHOTS",
    "DEFLATE_PREFIX",
    "FOOTER_MAGIC",
    "FORMAT_VERSION",
    "KNOWN_FORMAT_VERSIONS",
    "MAX_BODY_BYTES",
    "ZSTD_PREFIX",
    "decode_blob",
    "deflate",
    "read_blob",
    "wrap_body",
    "write_blob",
]

CODEC_MAGIC = 0x3FD76C17
FOOTER_MAGIC = 0xC02893E8  # ~CODEC_MAGIC
FOOTER_SIZE = 16  # magic + algorithm id + CRC32 as a long

CODEC_SNAPSHOT = "snapshot"  # snap-<uuid>.dat (root and shard level)
CODEC_METADATA = "metadata"  # root meta-<uuid>.dat (global metadata)
CODEC_INDEX_METADATA = "index-metadata"  # indices/<id>/meta-<blob id>.dat
CODEC_SNAPSHOTS = "snapshots"  # shard-level index-<gen>

FORMAT_VERSION = 1  # ChecksumBlobStoreFormat.VERSION in every release, ES 2.0 to 9.x and OpenSearch
KNOWN_FORMAT_VERSIONS = frozenset({FORMAT_VERSION})

DEFLATE_PREFIX = b"DFL\0"  # Elasticsearch/OpenSearch DeflateCompressor: raw deflate, level 3
ZSTD_PREFIX = b"ZSTD\0"  # OpenSearch 2.10+ ZstdCompressor
LZ4_PREFIX = b"LZ4\0"  # an unfinished Elasticsearch compressor, never used for repository blobs
LZF_PREFIX = b"ZV"  # ZV\0 / ZV\1: LZF, Elasticsearch before 2.0

DEFLATE_LEVEL = 3
# A metadata body is at most tens of MB; refuse to inflate a hostile blob beyond this.
MAX_BODY_BYTES = 512 * 1024 * 1024

_UNKNOWN_PREFIX = re.compile(rb"[A-Z0-9]{2,8}\x00")


def _hex(data: bytes) -> str:
    return " ".join(f"{b:02x}" for b in data)


def _header(codec: str, format_version: int) -> bytes:
    name = codec.encode("ascii")
    return (
        CODEC_MAGIC.to_bytes(4, "big")
        + bytes((len(name),))  # Lucene VInt; names are < 128 bytes so one byte
        + name
        + format_version.to_bytes(4, "big", signed=True)
    )


def _parse_header(data: bytes, path: str) -> tuple[str, int, int]:
    """Return (codec name, format version, body offset); the CRC is already verified."""
    # Lucene VInt: 7-bit groups, least significant first, high bit = more follows.
    name_len = 0
    pos = 4
    for shift in range(0, 35, 7):
        b = data[pos]
        pos += 1
        name_len |= (b & 0x7F) << shift
        if not b & 0x80:
            break
    else:
        raise CorruptBlobError(path, "codec name length is not a valid VInt")
    if name_len > 127 or pos + name_len + 4 > len(data) - FOOTER_SIZE:
        raise CorruptBlobError(path, f"codec name length {name_len} is impossible")
    raw_name = data[pos : pos + name_len]
    try:
        name = raw_name.decode("ascii")
    except UnicodeDecodeError:
        raise CorruptBlobError(path, f"codec name is not ASCII: {_hex(raw_name)}") from None
    pos += name_len
    version = int.from_bytes(data[pos : pos + 4], "big", signed=True)
    return name, version, pos + 4


def _inflate(payload: bytes, path: str) -> bytes:
    inflater = zlib.decompressobj(-15)  # raw deflate: Java Deflater(level, nowrap=true)
    try:
        out = inflater.decompress(payload, MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise CorruptBlobError(path, f"compressed body is damaged (deflate: {exc})") from None
    if len(out) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise CorruptBlobError(path, f"decompressed body is larger than {MAX_BODY_BYTES} bytes")
    if not inflater.eof:
        raise CorruptBlobError(path, "compressed body ends before the deflate stream does")
    return out


def _zstd_decompress(payload: bytes, path: str) -> bytes:
    """Decompress with whichever optional zstd module is present (not a hard dependency):
    ``compression.zstd`` (Python 3.14+), else ``zstandard``."""
    try:
        from compression import zstd as stdlib_zstd  # type: ignore[import-not-found]
    except ImportError:
        stdlib_zstd = None
    too_big = f"decompressed body is larger than {MAX_BODY_BYTES} bytes"
    try:
        if stdlib_zstd is not None:
            decompressor = stdlib_zstd.ZstdDecompressor()
            out = decompressor.decompress(payload, max_length=MAX_BODY_BYTES + 1)
            if len(out) > MAX_BODY_BYTES:
                raise CorruptBlobError(path, too_big)
            complete = decompressor.eof
        else:
            try:
                import zstandard  # type: ignore[import-not-found]
            except ImportError:
                raise UnsupportedCompressionError(
                    path,
                    "unsupported compression ZSTD "
                    "(install zstandard to read OpenSearch zstd blobs)",
                ) from None
            decompressor = zstandard.ZstdDecompressor().decompressobj()
            chunks: list[bytes] = []
            size = 0
            # Small input steps bound the output of each step (a zstd block expands to at
            # most 128 KiB), so a hostile blob cannot make us allocate gigabytes first.
            for offset in range(0, len(payload), 1024):
                chunk = decompressor.decompress(payload[offset : offset + 1024])
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise CorruptBlobError(path, too_big)
                chunks.append(chunk)
                if decompressor.eof:
                    break
            out = b"".join(chunks)
            complete = decompressor.eof
    except (UnsupportedCompressionError, CorruptBlobError):
        raise
    except Exception as exc:  # each zstd module has its own error type
        raise CorruptBlobError(path, f"compressed body is damaged (zstd: {exc})") from None
    if not complete:
        raise CorruptBlobError(path, "compressed body ends before the zstd frame does")
    return out


def _decompress(body: bytes, path: str) -> bytes:
    if body.startswith(DEFLATE_PREFIX):
        return _inflate(body[len(DEFLATE_PREFIX) :], path)
    if body.startswith(ZSTD_PREFIX):
        return _zstd_decompress(body[len(ZSTD_PREFIX) :], path)
    if body.startswith(LZ4_PREFIX):
        raise UnsupportedCompressionError(
            path,
            "unsupported compression LZ4 (no Elasticsearch or OpenSearch release writes "
            "LZ4 repository blobs; the blob may come from another tool)",
        )
    if body[:2] == LZF_PREFIX and body[2:3] in (b"\0", b"\1"):
        raise UnsupportedCompressionError(
            path, "unsupported compression LZF (written by Elasticsearch before 2.0)"
        )
    match = _UNKNOWN_PREFIX.match(body)
    if match:
        prefix = match.group(0)[:-1].decode("ascii")
        raise UnsupportedCompressionError(path, f"unknown compression prefix {prefix}\\0")
    return body


def read_blob(data: bytes, codec: str, *, path: str) -> bytes:
    """Verify a blob's header, footer and CRC32 and return its decompressed body.

    ``codec`` is the name the blob must carry ("snapshot", "metadata", "index-metadata",
    "snapshots"). Raises ``CorruptBlobError`` (damage, truncation, wrong codec, unknown
    format version) or ``UnsupportedCompressionError``.
    """
    data = bytes(data)
    size = len(data)
    minimum = 4 + 1 + 4 + FOOTER_SIZE
    if size >= 4:
        magic = int.from_bytes(data[:4], "big")
        if magic != CODEC_MAGIC:
            raise CorruptBlobError(
                path,
                f"not a repository metadata blob: header magic 0x{magic:08x} "
                f"(expected 0x{CODEC_MAGIC:08x})",
            )
    if size < minimum:
        raise CorruptBlobError(path, f"truncated: {size} bytes is shorter than any valid blob")

    footer_magic = int.from_bytes(data[-16:-12], "big")
    if footer_magic != FOOTER_MAGIC:
        raise CorruptBlobError(
            path,
            f"truncated or damaged: no footer (expected magic 0x{FOOTER_MAGIC:08x} at offset "
            f"{size - 16}, found 0x{footer_magic:08x})",
        )
    algorithm = int.from_bytes(data[-12:-8], "big")
    if algorithm != 0:
        raise CorruptBlobError(path, f"unknown checksum algorithm {algorithm} (expected 0)")
    expected = int.from_bytes(data[-8:], "big")
    computed = zlib.crc32(memoryview(data)[:-8])
    if expected != computed:
        raise CorruptBlobError(
            path, f"checksum mismatch (expected 0x{expected:08x}, computed 0x{computed:08x})"
        )

    name, version, body_start = _parse_header(data, path)
    if name != codec:
        raise CorruptBlobError(path, f"wrong codec: expected {codec!r}, found {name!r}")
    if version not in KNOWN_FORMAT_VERSIONS:
        known = ", ".join(str(v) for v in sorted(KNOWN_FORMAT_VERSIONS))
        raise CorruptBlobError(
            path,
            f"unknown blob format version {version} (esnap reads {known}; "
            "written by a newer or unknown release?)",
        )
    return _decompress(data[body_start : size - FOOTER_SIZE], path)


def decode_blob(data: bytes, codec: str, *, path: str) -> Any:
    """``read_blob`` and then decode the body: SMILE (what Elasticsearch writes) or JSON."""
    body = read_blob(data, codec, path=path)
    if smile.is_smile(body):
        try:
            return smile.decode(body)
        except smile.SmileError as exc:
            raise CorruptBlobError(path, f"invalid SMILE body: {exc}") from None
    text = body.lstrip(b" \t\r\n")
    if text[:1] in (b"{", b"["):
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CorruptBlobError(path, f"invalid JSON body: {exc}") from None
    first = body[:1]
    if body[:3] == b"\xd9\xd9\xf7" or (first and 0xA0 <= first[0] <= 0xBF):
        raise CorruptBlobError(
            path, "body is CBOR; esnap reads SMILE or JSON bodies (Elasticsearch writes SMILE)"
        )
    if text[:3] == b"---":
        raise CorruptBlobError(
            path, "body is YAML; esnap reads SMILE or JSON bodies (Elasticsearch writes SMILE)"
        )
    raise CorruptBlobError(
        path, f"body is neither SMILE nor JSON (starts with {_hex(body[:8]) or 'nothing'})"
    )


def deflate(body: bytes) -> bytes:
    """``DFL\\0`` + raw deflate at level 3, sync-flushed and then finished, as
    Elasticsearch's DeflateCompressor stream produces it when its XContent builder closes."""
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return (
        DEFLATE_PREFIX
        + compressor.compress(body)
        + compressor.flush(zlib.Z_SYNC_FLUSH)
        + compressor.flush(zlib.Z_FINISH)
    )


def wrap_body(
    body: bytes, codec: str, *, compress: bool = False, format_version: int | None = None
) -> bytes:
    """Put an already-encoded body (SMILE or JSON bytes) in the envelope."""
    if not codec or not codec.isascii() or len(codec) > 127:
        raise ValueError(f"codec name must be 1-127 ASCII characters, got {codec!r}")
    version = FORMAT_VERSION if format_version is None else format_version
    if compress:
        body = deflate(body)
    blob = (
        _header(codec, version)
        + body
        + FOOTER_MAGIC.to_bytes(4, "big")
        + (0).to_bytes(4, "big")
    )
    return blob + zlib.crc32(blob).to_bytes(8, "big")


def write_blob(
    value: Any, codec: str, *, compress: bool = False, format_version: int | None = None
) -> bytes:
    """Encode ``value`` as SMILE in the envelope, byte for byte as Elasticsearch writes it.

    ``compress`` adds ``DFL\\0`` + raw deflate (the Elasticsearch 8.0+ default).
    ``format_version`` defaults to 1, the only version any release writes; another value
    is written as given (useful to test readers) and ``read_blob`` will refuse it.
    """
    return wrap_body(smile.encode(value), codec, compress=compress, format_version=format_version)
