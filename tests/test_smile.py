"""SMILE codec: real Elasticsearch bodies, Jackson's byte forms, round trips, hostile input."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REAL_REPOS, require_real_repositories

from esnap_tui.repository import smile
from esnap_tui.repository.smile import SmileError, decode, encode

H = b":)\n\x05"  # header as Elasticsearch writes it: shared names + raw binary
HV = b":)\n\x07"  # plus shared string values


def _metadata_blobs() -> list[Path]:
    if not REAL_REPOS.is_dir():
        return []
    return sorted(
        p
        for p in REAL_REPOS.rglob("*")
        if p.is_file()
        and not p.name.startswith("__")
        and (p.suffix == ".dat" or (p.name.startswith("index-") and "indices" in p.parts))
    )


BLOBS = _metadata_blobs()


def _body(blob: bytes) -> bytes:
    """The SMILE body inside an (uncompressed) envelope, cut by hand: header, 16-byte footer."""
    name_len = blob[4]
    return blob[9 + name_len : -16]


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(REAL_REPOS)) for p in paths]


@pytest.fixture(scope="module")
def bodies() -> list[bytes]:
    require_real_repositories()
    return [_body(p.read_bytes()) for p in BLOBS]


# --------------------------------------------------------------------------- real data


@pytest.mark.parametrize("path", BLOBS or [None], ids=_ids(BLOBS) or ["missing"])
def test_every_real_body_decodes_and_reencodes_to_the_same_bytes(path: Path | None) -> None:
    require_real_repositories()
    assert path is not None
    body = _body(path.read_bytes())
    value = decode(body)
    assert isinstance(value, dict) and value
    # Our encoder makes Jackson's choices, so Elasticsearch's own bytes come back exactly.
    assert encode(value) == body


def test_real_global_metadata_uses_long_name_back_references(bodies: list[bytes]) -> None:
    # The global metadata blobs hold hundreds of distinct keys: references past 63 use the
    # two-byte form, and Jackson never writes a reference whose low byte is 0xFE/0xFF.
    biggest = max(bodies, key=len)
    value = decode(biggest)
    assert "meta-data" in value
    assert encode(value) == biggest
    assert any(0x30 <= b <= 0x33 for b in biggest)


# --------------------------------------------------------------------------- byte forms


def test_encode_matches_jackson_bytes_for_simple_values() -> None:
    assert encode({"a": 1}) == H + b"\xfa\x80a\xc2\xfb"
    assert encode([None, True, False, ""]) == H + b"\xf8\x21\x23\x22\x20\xf9"
    # version_id 7100299 as in the annotated real blob (reference section 2.4)
    assert encode(7100299) == H + b"\x24\x0d\x45\x3c\x96"
    assert encode(-16) == H + b"\xdf"
    assert encode(15) == H + b"\xde"
    assert encode(2**31) == H + b"\x25\x20\x00\x00\x00\x80"  # zigzag 2**32 as a long
    assert encode(1711120727418)[4] == 0x25  # a long, like start_time
    assert encode(b"\x00\xff") == H + b"\xfd\x82\x00\xff"  # raw binary, not 7-bit
    assert encode("x", shared_values=True)[:4] == HV


def test_decode_hand_built_tokens_that_elasticsearch_may_write() -> None:
    assert decode(H + b"\x28\x03\x7e\x00\x00\x00") == 1.5  # float32
    assert decode(H + b"\x29\x00\x3f\x7c\x00\x00\x00\x00\x00\x00\x00") == 1.5  # float64
    assert decode(H + b"\xe8\x81\x7f\x01") == b"\xff"  # 7-bit binary
    assert decode(H + b"\x26\x89\x00\x40" + b"\x00" * 9) == 2**64  # BigInteger
    assert decode(H + b"\x2a\x84\x81\x3e\x01") == Decimal("1.25")  # BigDecimal
    assert decode(H + b"\xe0" + b"a" * 100 + b"\xfc") == "a" * 100  # long ASCII
    assert decode(H + b"\xe4" + "é".encode() * 40 + b"\xfc") == "é" * 40  # long Unicode
    assert decode(HV + b"\xf8\x42abc\x01\xf9") == ["abc", "abc"]  # shared value reference
    assert decode(H + b"\xfa\x34" + b"k" * 70 + b"\xfc\xc2\xfb") == {"k" * 70: 1}  # long name
    assert decode(H + b"\xfa\x20\xc2\xfb") == {"": 1}  # empty name
    assert decode(H + b"\xfa\xfb\xff") == {}  # optional end-of-content marker


def test_shared_value_references_use_long_form_past_30() -> None:
    strings = [f"s{i}" for i in range(40)]
    data = HV + b"\xf8" + b"".join(bytes((0x40 + len(s) - 1,)) + s.encode() for s in strings)
    data += b"\xec\x1f\x1e\xf9"  # long reference to index 31, short reference to index 29
    assert decode(data) == [*strings, "s31", "s29"]


def test_names_over_64_use_two_byte_references() -> None:
    keys = [f"key{i:03d}" for i in range(100)]
    value = [{k: i for i, k in enumerate(keys)}, {k: -i for i, k in enumerate(keys)}]
    data = encode(value)
    assert decode(data) == value
    second = data.index(b"\xfb\xfa") + 2
    assert data[second] == 0x40  # keys[0] by short reference
    assert b"\x30\x40" in data[second:]  # keys[64] by long reference


def test_name_table_restarts_after_1024_entries() -> None:
    keys = [f"n{i}" for i in range(1500)]
    value = {"first": {k: i for i, k in enumerate(keys)}, "again": {k: 0 for k in keys[-300:]}}
    data = encode(value)
    assert decode(data) == value
    # After the reset at 1024 entries the repeated names still point into the new table.
    assert data.count(b"n1499") == 1
    assert data.count(b"n1023") == 1


def test_long_and_unicode_names_follow_jackson_limits() -> None:
    for name in ["a" * 56, "a" * 57, "a" * 64, "a" * 65, "é" * 28, "é" * 29, "ключ", "🔑"]:
        data = encode({name: 1, "x": {name: 2}})
        assert decode(data) == {name: 1, "x": {name: 2}}
        first = data[5]
        if len(name.encode()) > 56 or len(name) > 56:
            assert first == 0x34  # long name, 0xFC-terminated
        else:
            assert first != 0x34
        assert data.count(name.encode()) == 1  # the repeat is a back-reference


# --------------------------------------------------------------------------- round trips


RICH_VALUES = [
    "",
    "a",
    "a" * 32,
    "a" * 33,
    "a" * 64,
    "a" * 65,
    "x" * 5000,
    "é",
    "é" * 16,  # 32 bytes
    "é" * 17,  # 34 bytes
    "é" * 32,  # 64 bytes
    "é" * 33,  # 66 bytes: long form
    "日本語のテキスト" * 20,
    "emoji 🎉 and nul \x00 inside",
    0,
    -1,
    15,
    16,
    -16,
    -17,
    2**31 - 1,
    -(2**31),
    2**31,
    -(2**31) - 1,
    2**63 - 1,
    -(2**63),
    2**63,
    -(2**63) - 1,
    10**40,
    -(10**40),
    0.0,
    -0.0,
    1.5,
    -2.25e-300,
    1e308,
    math.inf,
    -math.inf,
    b"",
    b"\x00",
    bytes(range(256)) * 3,
    Decimal("1.25"),
    Decimal("-0.001"),
    Decimal("1E+5"),
    Decimal("123456789012345678901234567890.123456789"),
    None,
    True,
    False,
    [],
    {},
]


@pytest.mark.parametrize("value", RICH_VALUES, ids=lambda v: repr(v)[:40])
@pytest.mark.parametrize("shared_values", [False, True])
def test_round_trip_scalars(value: object, shared_values: bool) -> None:
    decoded = decode(encode(value, shared_values=shared_values))
    assert decoded == value
    assert type(decoded) is type(value)
    if isinstance(value, float):
        assert math.copysign(1, decoded) == math.copysign(1, value)


def test_round_trip_nan() -> None:
    assert math.isnan(decode(encode(math.nan)))


def test_round_trip_nested_document_with_every_kind_of_value() -> None:
    doc = {
        "index": {
            "settings": {f"index.setting.{i}": str(i) for i in range(150)},
            "mappings": {"properties": {"title": {"type": "text", "fields": {"raw": {}}}}},
            "aliases": ["a", "b"],
            "primary_terms": [1, 2, 2**40],
            "blob": b"\x01\x02\xfe\xff",
            "ratio": 0.25,
            "price": Decimal("19.99"),
            "ünïcödé kéy": "välüé",
            "deep": [[[[{"x": [None, True, False]}]]]],
        },
        "repeat": [{"index.setting.1": "again"} for _ in range(3)],
    }
    for shared in (False, True):
        assert decode(encode(doc, shared_values=shared)) == doc


def test_shared_values_make_repetitive_documents_smaller_and_survive_table_reset() -> None:
    value = [f"v{i % 1500}" for i in range(4000)] + ["é" * 20] * 10
    plain = encode(value)
    shared = encode(value, shared_values=True)
    assert decode(plain) == value
    assert decode(shared) == value
    assert len(shared) < len(plain)


def test_tuples_and_subclasses_encode_as_their_json_kind() -> None:
    from enum import IntEnum

    class Level(IntEnum):
        HIGH = 3

    assert decode(encode({"t": (1, 2), "e": Level.HIGH})) == {"t": [1, 2], "e": 3}


def test_encode_has_no_recursion_limit_but_refuses_cycles() -> None:
    deep: list[object] = []
    inner = deep
    for _ in range(20_000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    data = encode(deep)
    assert data == H + b"\xf8" * 20_001 + b"\xf9" * 20_001
    cycle: dict[str, object] = {}
    cycle["self"] = cycle
    with pytest.raises(ValueError, match="cycle"):
        encode(cycle)


def test_encode_refuses_what_smile_cannot_hold() -> None:
    with pytest.raises(TypeError):
        encode({1: "int key"})
    with pytest.raises(TypeError):
        encode({"s": {1, 2}})
    with pytest.raises(ValueError):
        encode(Decimal("NaN"))


# --------------------------------------------------------------------------- hostile input


def _raises_smile_error(data: bytes, fragment: str = "") -> SmileError:
    with pytest.raises(SmileError) as info:
        decode(data)
    assert "offset" in str(info.value)
    assert fragment in str(info.value)
    return info.value


def test_missing_or_wrong_header() -> None:
    _raises_smile_error(b"", "header")
    _raises_smile_error(b'{"a":1}', "header")
    _raises_smile_error(b":)\n", "truncated")
    _raises_smile_error(b":)\n\x15\x21", "version")
    _raises_smile_error(H, "end of data")


def test_absurd_lengths_are_refused_without_allocating() -> None:
    huge = b"\x07\x7f\x7f\x7f\xbf"  # VInt of about 2**33
    err = _raises_smile_error(H + b"\xfd" + huge, "binary")
    assert err.offset == 4
    _raises_smile_error(H + b"\xe8" + huge, "binary")
    _raises_smile_error(H + b"\x26" + huge, "big integer")
    _raises_smile_error(H + b"\x2a\x80" + huge, "big integer")
    _raises_smile_error(H + b"\xfd" + b"\x7f" * 20, "variable-length integer")
    _raises_smile_error(H + b"\x24\x7f\x7f\x7f\x7f\xbf", "out of range")
    _raises_smile_error(H + b"\x25" + b"\x7f" * 9 + b"\xbf", "out of range")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    data = H + b"\xf8" * 100_000 + b"\xf9" * 100_000
    err = _raises_smile_error(data, "nesting deeper than 200")
    assert err.offset == 4 + 200
    nested_objects = H + b"\xfa\x80a" * 300 + b"\x21" + b"\xfb" * 300
    _raises_smile_error(nested_objects, "nesting")
    # The decoder has no recursion: with the limit raised, 100k levels decode fine.
    value = decode(data, max_depth=100_000)
    for _ in range(100_000 - 1):
        value = value[0]
    assert value == []


def test_truncated_and_unterminated() -> None:
    _raises_smile_error(H + b"\x45ab", "end of data")
    _raises_smile_error(H + b"\xe0abc", "unterminated long string")
    _raises_smile_error(H + b"\xfa\x34abc", "unterminated long property name")
    _raises_smile_error(H + b"\xfa\x80a", "end of data")
    _raises_smile_error(H + b"\xf8\xc2", "end of data")
    _raises_smile_error(H + b"\x28\x01", "end of data")


def test_every_truncation_of_a_real_body_is_a_smile_error(bodies: list[bytes]) -> None:
    body = min(bodies, key=len)
    for cut in range(len(body)):
        with pytest.raises(SmileError):
            decode(body[:cut])


def test_invalid_utf8_and_invalid_ascii() -> None:
    _raises_smile_error(H + b"\x80\xff\xfe", "invalid text encoding")
    _raises_smile_error(H + b"\x41\xc3\xa9", "invalid text encoding")
    _raises_smile_error(H + b"\xfa\xc0\xc3\x28\x21\xfb", "invalid text encoding")
    _raises_smile_error(H + b"\xe4\xed\xa0\x80\xfc", "invalid text encoding")  # surrogate


def test_invalid_back_references() -> None:
    _raises_smile_error(H + b"\xfa\x40", "name back-reference 0")
    _raises_smile_error(H + b"\xfa\x80a\x21\x41", "name back-reference 1")
    _raises_smile_error(H + b"\xfa\x31\x00", "name back-reference 256")
    _raises_smile_error(b":)\n\x04\xfa\x80a\x21\x40\x21\xfb", "name back-reference")  # names off
    _raises_smile_error(H + b"\xf8\x41ab\x01\xf9", "string back-reference 0")  # values off
    _raises_smile_error(HV + b"\xec\x05", "string back-reference 5")


def test_misplaced_and_reserved_tokens() -> None:
    _raises_smile_error(H + b"\x00", "invalid value token 0x00")
    _raises_smile_error(H + b"\x27", "invalid value token")
    _raises_smile_error(H + b"\xfb", "invalid value token")
    _raises_smile_error(H + b"\xf9", "END_ARRAY outside an array")
    _raises_smile_error(H + b"\xfa\xf9", "invalid property name token")
    _raises_smile_error(H + b"\xfa\x80a\xf9", "END_ARRAY outside an array")
    _raises_smile_error(H + b"\xff", "end-of-content marker")
    _raises_smile_error(H + b"\x21\x21", "after the end of the document")
    _raises_smile_error(H + b"\x21\xff\x21", "after the end of the document")


def test_fuzzed_real_bodies_raise_only_smile_error(bodies: list[bytes]) -> None:
    rng = random.Random(20240517)
    samples = sorted(bodies, key=len)[:: max(1, len(bodies) // 8)]
    outcomes = {"decoded": 0, "rejected": 0}
    for body in samples:
        for _ in range(250):
            mutated = bytearray(body)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            try:
                decode(bytes(mutated))
            except SmileError:
                outcomes["rejected"] += 1
            else:
                outcomes["decoded"] += 1
    assert outcomes["rejected"] > 0
    assert sum(outcomes.values()) == len(samples) * 250


def test_smile_error_is_a_value_error_with_an_offset() -> None:
    err = _raises_smile_error(H + b"\xfa\x80a\x00", "invalid value token")
    assert isinstance(err, ValueError)
    assert err.offset == 7
    assert smile.is_smile(H) and not smile.is_smile(b"{}")
