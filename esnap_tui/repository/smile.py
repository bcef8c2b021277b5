"""SMILE (binary JSON) decoder and encoder, written for Elasticsearch repository blobs.

Elasticsearch writes every snapshot metadata blob body as SMILE through Jackson, and no
maintained Python 3 package reads it correctly, so esnap carries its own. The decoder
treats input as hostile: every length is checked against the bytes that remain, nesting
is bounded by an explicit stack (never Python recursion), and every problem is a
``SmileError`` that names the byte offset. The encoder mirrors Jackson's choices (shared
property names, raw binary, the same string and number forms) so that Elasticsearch
accepts what esnap writes, and so a decoded real blob re-encodes to the same bytes.

Format: FasterXML ``smile-format-specification`` 1.0; notes in
``shared/reference/repository-format.md`` section 3.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

__all__ = [
    "FLAG_RAW_BINARY",
    "FLAG_SHARED_NAMES",
    "FLAG_SHARED_VALUES",
    "HEADER",
    "SmileError",
    "decode",
    "encode",
    "is_smile",
]

HEADER = b":)\n"
FLAG_SHARED_NAMES = 0x01  # header bit 0: property names may be back-referenced
FLAG_SHARED_VALUES = 0x02  # header bit 1: short string values may be back-referenced
FLAG_RAW_BINARY = 0x04  # header bit 2: raw (not 7-bit) binary may appear

MAX_SHARED = 1024  # both back-reference tables restart from index 0 when this full
MAX_SHARED_VALUE_BYTES = 64  # only string values up to this many UTF-8 bytes are shared
_MAX_SHORT_NAME_CHARS = 56  # Jackson writes longer names in the long (0x34) form
_MAX_ENCODE_DEPTH = 100_000  # only to turn a reference cycle into an error
_END = object()

_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_UNPACK_F32 = struct.Struct(">f").unpack
_UNPACK_F64 = struct.Struct(">d").unpack
_PACK_F64 = struct.Struct(">d").pack


class SmileError(ValueError):
    """The bytes are not valid SMILE. ``str()`` ends with ``at offset N``."""

    def __init__(self, problem: str, offset: int) -> None:
        super().__init__(f"{problem} at offset {offset}")
        self.problem = problem
        self.offset = offset


def is_smile(data: bytes) -> bool:
    """True when ``data`` starts with the SMILE header ``:)\\n``."""
    return data[:3] == HEADER


# --------------------------------------------------------------------------- decoding


def _read_vint(buf: bytes, pos: int, max_bytes: int) -> tuple[int, int]:
    """Read an unsigned SMILE VInt: 7-bit groups, big-endian, last byte has bit 7 set
    and carries 6 bits. Raises IndexError at the end of data (the caller's truncation)."""
    value = 0
    for _ in range(max_bytes):
        b = buf[pos]
        pos += 1
        if b & 0x80:
            return (value << 6) | (b & 0x3F), pos
        value = (value << 7) | b
    raise SmileError(f"variable-length integer longer than {max_bytes} bytes", pos - max_bytes)


def _seven_bit_size(length: int) -> int:
    """Encoded size of ``length`` raw bytes in SMILE's 7-bits-per-byte form."""
    full, rest = divmod(length, 7)
    return full * 8 + (rest + 1 if rest else 0)


def _decode_7bit(buf: bytes, pos: int, length: int) -> bytes:
    """Unpack ``length`` raw bytes from 7-bit groups starting at ``pos`` (bounds checked
    by the caller). Each 7 raw bytes take 8 bytes; a tail of r bytes takes r + 1 bytes,
    the last one holding the remaining r bits right-aligned."""
    out = bytearray()
    full, rest = divmod(length, 7)
    for _ in range(full):
        v = 0
        for c in buf[pos : pos + 8]:
            v = (v << 7) | (c & 0x7F)
        out += v.to_bytes(7, "big")
        pos += 8
    if rest:
        v = 0
        for c in buf[pos : pos + rest]:
            v = (v << 7) | (c & 0x7F)
        v = (v << rest) | (buf[pos + rest] & ((1 << rest) - 1))
        out += v.to_bytes(rest, "big")
    return bytes(out)


def _zigzag(z: int) -> int:
    return (z >> 1) ^ -(z & 1)


def _read_big_integer(buf: bytes, pos: int, start: int) -> tuple[int, int]:
    """A VInt byte count, then that many two's-complement big-endian bytes, 7-bit packed."""
    n = len(buf)
    length, pos = _read_vint(buf, pos, 5)
    size = _seven_bit_size(length)
    if length == 0:
        raise SmileError("big integer with no bytes", start)
    if size > n - pos:
        raise SmileError(f"big integer of {length} bytes runs past the end of data", start)
    raw = _decode_7bit(buf, pos, length)
    return int.from_bytes(raw, "big", signed=True), pos + size


def _read_scalar_misc(buf: bytes, pos: int, b: int, start: int) -> tuple[Any, int]:
    """Value tokens 0x24-0x3F: numbers other than small ints (less frequent; kept out of
    the main loop)."""
    n = len(buf)
    if b == 0x24:
        z, pos = _read_vint(buf, pos, 5)
        if z >> 32:
            raise SmileError("32-bit integer out of range", start)
        return _zigzag(z), pos
    if b == 0x25:
        z, pos = _read_vint(buf, pos, 10)
        if z >> 64:
            raise SmileError("64-bit integer out of range", start)
        return _zigzag(z), pos
    if b == 0x26:
        return _read_big_integer(buf, pos, start)
    if b == 0x28:
        if pos + 5 > n:
            raise IndexError
        v = 0
        for c in buf[pos : pos + 5]:
            v = (v << 7) | (c & 0x7F)
        return _UNPACK_F32((v & 0xFFFFFFFF).to_bytes(4, "big"))[0], pos + 5
    if b == 0x29:
        if pos + 10 > n:
            raise IndexError
        v = 0
        for c in buf[pos : pos + 10]:
            v = (v << 7) | (c & 0x7F)
        return _UNPACK_F64((v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big"))[0], pos + 10
    if b == 0x2A:
        z, pos = _read_vint(buf, pos, 5)
        if z >> 32:
            raise SmileError("BigDecimal scale out of range", start)
        scale = _zigzag(z)
        unscaled, pos = _read_big_integer(buf, pos, start)
        digits = Decimal(abs(unscaled)).as_tuple().digits
        return Decimal((1 if unscaled < 0 else 0, digits, -scale)), pos
    raise SmileError(f"invalid value token 0x{b:02x}", start)


def decode(data: bytes, *, max_depth: int = 200) -> Any:
    """Decode one SMILE document into dict/list/str/int/float/bool/None/bytes/Decimal.

    ``max_depth`` bounds nested arrays and objects; deeper input raises ``SmileError``.
    An optional end-of-content byte 0xFF may follow the document; anything else after it
    is an error.
    """
    buf = bytes(data)
    n = len(buf)
    if buf[:3] != HEADER:
        raise SmileError("not SMILE: missing ':)\\n' header", 0)
    if n < 4:
        raise SmileError("truncated SMILE header", n)
    flags = buf[3]
    if flags >> 4:
        raise SmileError(f"unsupported SMILE format version {flags >> 4}", 3)
    names: list[str] | None = [] if flags & FLAG_SHARED_NAMES else None
    values: list[str] | None = [] if flags & FLAG_SHARED_VALUES else None

    pos = 4
    start = pos
    stack: list[tuple[Any, bool, Any]] = []  # parents: (container, is_object, pending key)
    container: Any = None  # current list/dict; None at the root
    in_object = False
    key: Any = None
    value: Any = None
    try:
        while True:
            if in_object:
                # ---- property name (or END_OBJECT)
                start = pos
                b = buf[pos]
                pos += 1
                if 0x80 <= b < 0xC0:  # short ASCII name, 1..64 bytes
                    end = pos + b - 0x7F
                    if end > n:
                        raise IndexError
                    key = buf[pos:end].decode("ascii")
                    pos = end
                elif 0x40 <= b < 0x80:  # short back-reference
                    if names is None or b - 0x40 >= len(names):
                        raise SmileError(f"invalid name back-reference {b - 0x40}", start)
                    key = names[b - 0x40]
                    b = -1  # a back-reference adds nothing to the table
                elif b == 0xFB:  # END_OBJECT
                    value = container
                    container, in_object, key = stack.pop()
                    if container is None:
                        break
                    if in_object:
                        container[key] = value
                    else:
                        container.append(value)
                    continue
                elif 0xC0 <= b < 0xF8:  # short Unicode name, 2..57 bytes
                    end = pos + b - 0xBE
                    if end > n:
                        raise IndexError
                    key = buf[pos:end].decode("utf-8")
                    pos = end
                elif 0x30 <= b <= 0x33:  # long back-reference, 10-bit index
                    index = ((b & 0x03) << 8) | buf[pos]
                    pos += 1
                    if names is None or index >= len(names):
                        raise SmileError(f"invalid name back-reference {index}", start)
                    key = names[index]
                    b = -1
                elif b == 0x34:  # long name, ended by 0xFC
                    end = buf.find(b"\xfc", pos)
                    if end < 0:
                        raise SmileError("unterminated long property name", start)
                    key = buf[pos:end].decode("utf-8")
                    pos = end + 1
                elif b == 0x20:
                    key = ""
                    b = -1
                else:
                    raise SmileError(f"invalid property name token 0x{b:02x}", start)
                if b >= 0 and names is not None:
                    if len(names) >= MAX_SHARED:
                        names.clear()
                    names.append(key)

            # ---- value
            start = pos
            b = buf[pos]
            pos += 1
            if 0x40 <= b < 0x80:  # tiny/short ASCII string, 1..64 bytes
                end = pos + b - 0x3F
                if end > n:
                    raise IndexError
                value = buf[pos:end].decode("ascii")
                pos = end
                if values is not None:
                    if len(values) >= MAX_SHARED:
                        values.clear()
                    values.append(value)
            elif 0xC0 <= b < 0xE0:  # small int -16..15
                value = ((b & 0x1F) >> 1) ^ -(b & 0x01)
            elif b == 0xFA:  # START_OBJECT
                if len(stack) >= max_depth:
                    raise SmileError(f"nesting deeper than {max_depth} levels", start)
                stack.append((container, in_object, key))
                container = {}
                in_object = True
                continue
            elif b == 0xF8:  # START_ARRAY
                if len(stack) >= max_depth:
                    raise SmileError(f"nesting deeper than {max_depth} levels", start)
                stack.append((container, in_object, key))
                container = []
                in_object = False
                continue
            elif b == 0xF9:  # END_ARRAY
                if container is None or in_object:
                    raise SmileError("END_ARRAY outside an array", start)
                value = container
                container, in_object, key = stack.pop()
            elif 0x80 <= b < 0xC0:  # tiny/short Unicode string, 2..65 bytes
                end = pos + b - 0x7E
                if end > n:
                    raise IndexError
                value = buf[pos:end].decode("utf-8")
                pos = end
                if values is not None:
                    if len(values) >= MAX_SHARED:
                        values.clear()
                    values.append(value)
            elif b == 0x21:
                value = None
            elif b == 0x23:
                value = True
            elif b == 0x22:
                value = False
            elif b == 0x20:
                value = ""
            elif 0x24 <= b < 0x40:
                value, pos = _read_scalar_misc(buf, pos, b, start)
            elif 0x01 <= b < 0x20:  # short shared value reference
                if values is None or b - 1 >= len(values):
                    raise SmileError(f"invalid string back-reference {b - 1}", start)
                value = values[b - 1]
            elif b == 0xE0 or b == 0xE4:  # long ASCII / Unicode string, ended by 0xFC
                end = buf.find(b"\xfc", pos)
                if end < 0:
                    raise SmileError("unterminated long string", start)
                value = buf[pos:end].decode("ascii" if b == 0xE0 else "utf-8")
                pos = end + 1
            elif b == 0xFD:  # raw binary
                length, pos = _read_vint(buf, pos, 5)
                if length > n - pos:
                    raise _binary_past_end(length, n - pos, start)
                value = buf[pos : pos + length]
                pos += length
            elif b == 0xE8:  # 7-bit encoded binary
                length, pos = _read_vint(buf, pos, 5)
                size = _seven_bit_size(length)
                if size > n - pos:
                    raise _binary_past_end(length, n - pos, start)
                value = _decode_7bit(buf, pos, length)
                pos += size
            elif 0xEC <= b <= 0xEF:  # long shared value reference, 10-bit index
                index = ((b & 0x03) << 8) | buf[pos]
                pos += 1
                if values is None or index >= len(values):
                    raise SmileError(f"invalid string back-reference {index}", start)
                value = values[index]
            elif b == 0xFF:
                raise SmileError("end-of-content marker where a value was expected", start)
            else:
                raise SmileError(f"invalid value token 0x{b:02x}", start)

            if container is None:
                break
            if in_object:
                container[key] = value
            else:
                container.append(value)
    except IndexError:
        raise SmileError("truncated: unexpected end of data", n) from None
    except UnicodeDecodeError as exc:
        raise SmileError(f"invalid text encoding ({exc.reason})", start) from None

    if pos < n and not (pos == n - 1 and buf[pos] == 0xFF):
        raise SmileError("unexpected data after the end of the document", pos)
    return value


def _binary_past_end(length: int, left: int, start: int) -> SmileError:
    """The one wording for both binary forms; built only on the error path."""
    return SmileError(f"binary of {length} bytes runs past the end of data ({left} left)", start)


# --------------------------------------------------------------------------- encoding


def _write_vint(out: bytearray, v: int) -> None:
    if v < 0x40:
        out.append(0x80 | v)
        return
    last = 0x80 | (v & 0x3F)
    v >>= 6
    groups = bytearray()
    while v:
        groups.append(v & 0x7F)
        v >>= 7
    groups.reverse()
    out += groups
    out.append(last)


def _encode_7bit(out: bytearray, raw: bytes) -> None:
    length = len(raw)
    full, rest = divmod(length, 7)
    pos = 0
    for _ in range(full):
        v = int.from_bytes(raw[pos : pos + 7], "big")
        out += bytes((v >> shift) & 0x7F for shift in (49, 42, 35, 28, 21, 14, 7, 0))
        pos += 7
    if rest:
        v = int.from_bytes(raw[pos:], "big")
        bits = rest * 8
        out += bytes((v >> (bits - 7 * (i + 1))) & 0x7F for i in range(rest))
        out.append(v & ((1 << rest) - 1))


def _twos_complement(v: int) -> bytes:
    """Minimal big-endian two's complement, as Java's ``BigInteger.toByteArray``."""
    size = (v if v >= 0 else ~v).bit_length() // 8 + 1
    return v.to_bytes(size, "big", signed=True)


def _zigzag_encode(v: int) -> int:
    return v << 1 if v >= 0 else ((-v) << 1) - 1


class _Encoder:
    """Writes one SMILE document the way Jackson's ``SmileGenerator`` does."""

    def __init__(self, shared_values: bool) -> None:
        flags = FLAG_SHARED_NAMES | FLAG_RAW_BINARY | (FLAG_SHARED_VALUES if shared_values else 0)
        self.out = bytearray(HEADER)
        self.out.append(flags)
        self.names: dict[str, int] = {}
        self.name_count = 0
        self.values: dict[str, int] | None = {} if shared_values else None
        self.value_count = 0

    # Back-references whose low byte would be 0xFE/0xFF are never written (Jackson does
    # the same so that the reserved bytes never appear as a reference), but the slot is
    # still counted, exactly as a decoder counts it.

    def _add_name(self, name: str) -> None:
        if self.name_count == MAX_SHARED:
            self.names.clear()
            self.name_count = 0
        if (self.name_count & 0xFF) < 0xFE:
            self.names[name] = self.name_count
        self.name_count += 1

    def _add_value(self, text: str) -> None:
        assert self.values is not None
        if self.value_count == MAX_SHARED:
            self.values.clear()
            self.value_count = 0
        if (self.value_count & 0xFF) < 0xFE:
            self.values[text] = self.value_count
        self.value_count += 1

    def name(self, name: str) -> None:
        out = self.out
        if not name:
            out.append(0x20)
            return
        index = self.names.get(name)
        if index is not None:
            if index < 64:
                out.append(0x40 | index)
            else:
                out.append(0x30 | (index >> 8))
                out.append(index & 0xFF)
            return
        raw = name.encode("utf-8")
        if len(name) > _MAX_SHORT_NAME_CHARS or (
            len(raw) != len(name) and len(raw) > _MAX_SHORT_NAME_CHARS
        ):
            out.append(0x34)
            out += raw
            out.append(0xFC)
        elif len(raw) == len(name):
            out.append(0x7F + len(raw))  # 0x80 + (len - 1)
            out += raw
        else:
            out.append(0xBE + len(raw))  # 0xC0 + (len - 2)
            out += raw
        self._add_name(name)

    def string(self, text: str) -> None:
        out = self.out
        if not text:
            out.append(0x20)
            return
        if self.values is not None and len(text) <= MAX_SHARED_VALUE_BYTES:
            index = self.values.get(text)
            if index is not None:
                if index < 31:
                    out.append(index + 1)
                else:
                    out.append(0xEC | (index >> 8))
                    out.append(index & 0xFF)
                return
        raw = text.encode("utf-8")
        size = len(raw)
        ascii_only = size == len(text)
        if size <= MAX_SHARED_VALUE_BYTES:
            if ascii_only:
                out.append(0x3F + size)  # 0x40 + (len - 1) / 0x60 + (len - 33)
            else:
                out.append(0x7E + size)  # 0x80 + (len - 2) / 0xA0 + (len - 34)
            out += raw
            if self.values is not None:
                self._add_value(text)
        else:
            out.append(0xE0 if ascii_only else 0xE4)
            out += raw
            out.append(0xFC)

    def integer(self, v: int) -> None:
        out = self.out
        if -16 <= v <= 15:
            out.append(0xC0 | _zigzag_encode(v))
        elif _INT32_MIN <= v <= _INT32_MAX:
            out.append(0x24)
            _write_vint(out, _zigzag_encode(v))
        elif _INT64_MIN <= v <= _INT64_MAX:
            out.append(0x25)
            _write_vint(out, _zigzag_encode(v))
        else:
            raw = _twos_complement(v)
            out.append(0x26)
            _write_vint(out, len(raw))
            _encode_7bit(out, raw)

    def double(self, v: float) -> None:
        bits = int.from_bytes(_PACK_F64(v), "big")
        self.out.append(0x29)
        self.out += bytes((bits >> (7 * (9 - i))) & 0x7F for i in range(10))

    def decimal(self, v: Decimal) -> None:
        if not v.is_finite():
            raise ValueError(f"cannot encode non-finite Decimal {v} as SMILE")
        sign, digits, exponent = v.as_tuple()
        assert isinstance(exponent, int)
        scale = -exponent
        if not _INT32_MIN <= scale <= _INT32_MAX:
            raise ValueError(f"Decimal scale {scale} does not fit a 32-bit int")
        unscaled = int(Decimal((sign, digits, 0)))
        raw = _twos_complement(unscaled)
        out = self.out
        out.append(0x2A)
        _write_vint(out, _zigzag_encode(scale))
        _write_vint(out, len(raw))
        _encode_7bit(out, raw)

    def binary(self, raw: bytes) -> None:
        self.out.append(0xFD)
        _write_vint(self.out, len(raw))
        self.out += raw

    def scalar(self, v: Any) -> bool:
        """Write ``v`` if it is not a container; False tells the caller to open one."""
        t = type(v)
        if t is str:
            self.string(v)
        elif t is int:
            self.integer(v)
        elif v is None:
            self.out.append(0x21)
        elif v is True:
            self.out.append(0x23)
        elif v is False:
            self.out.append(0x22)
        elif t is dict or t is list or t is tuple:
            return False
        elif t is float:
            self.double(v)
        elif isinstance(v, bytes | bytearray | memoryview):
            self.binary(bytes(v))
        elif isinstance(v, Decimal):
            self.decimal(v)
        elif isinstance(v, str):
            self.string(str(v))
        elif isinstance(v, int):  # int subclasses such as IntEnum (bool handled above)
            self.integer(int(v))
        elif isinstance(v, float):
            self.double(float(v))
        elif isinstance(v, Mapping | list | tuple):
            return False
        else:
            raise TypeError(f"cannot encode {t.__name__} as SMILE")
        return True

    def document(self, root: Any, max_depth: int) -> None:
        """Write ``root`` with an explicit stack: no recursion limit, and a cycle is an error."""
        out = self.out
        stack: list[tuple[Iterator[Any], bool]] = []  # (iterator, is_object)
        string = self.string
        name = self.name
        item = root
        while True:
            t = type(item)
            if t is str:
                string(item)
            elif t is dict or t is list or not self.scalar(item):
                if len(stack) >= max_depth:
                    raise ValueError(f"value nested deeper than {max_depth} levels (a cycle?)")
                if t is dict or (t is not list and isinstance(item, Mapping)):
                    out.append(0xFA)
                    stack.append((iter(item.items()), True))
                else:
                    out.append(0xF8)
                    stack.append((iter(item), False))
            while stack:
                iterator, is_object = stack[-1]
                entry = next(iterator, _END)
                if entry is _END:
                    out.append(0xFB if is_object else 0xF9)
                    stack.pop()
                    continue
                if is_object:
                    key, item = entry
                    if type(key) is not str and not isinstance(key, str):
                        raise TypeError(
                            f"SMILE object keys must be str, not {type(key).__name__}"
                        )
                    name(key)
                else:
                    item = entry
                break
            else:
                return


def encode(value: Any, *, shared_values: bool = False) -> bytes:
    """Encode ``value`` as one SMILE document, the way Elasticsearch's Jackson writes it.

    Header flags are 0x05 (shared property names, raw binary), as in every real
    Elasticsearch blob; ``shared_values=True`` also back-references short string values
    (flags 0x07). Accepts dict (str keys), list/tuple, str, int of any size, float,
    bool, None, bytes-like (raw binary) and Decimal. No end-of-content marker is written.
    """
    encoder = _Encoder(shared_values)
    encoder.document(value, _MAX_ENCODE_DEPTH)
    return bytes(encoder.out)
