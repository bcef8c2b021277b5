"""``_cat`` tables rendered like Elasticsearch: ``v``, ``h``, ``s``, ``help``, ``format=json``.

Why shared: ``_cat/indices``, ``_cat/allocation``, ``_cat/snapshots`` and ``_cat/recovery``
all use the same table machinery in ES (``RestTable``); route modules describe their columns
and rows and call ``cat_response``.

A row is a dict column -> value; ``None`` renders as an empty cell (and ``null`` in JSON). Numbers
are right-aligned in text output like ES does for numeric cells; JSON output carries every
value as a string, as real clusters do.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from esnap_tui.sandbox.errors import ApiError
from esnap_tui.sandbox.httputil import byte_size, check_params, flag, respond, respond_text

CAT_PARAMS = frozenset({"h", "help", "s", "v", "format", "local", "master_timeout"})


@dataclass(frozen=True)
class CatColumn:
    name: str
    default: bool = True
    aliases: tuple[str, ...] = ()
    description: str = ""
    kind: str = "text"  # "text" | "number" | "bytes"


@dataclass
class CatTable:
    columns: Sequence[CatColumn]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _cell(value: Any, column: CatColumn, bytes_unit: str | None) -> str | None:
    if value is None:
        return None
    if column.kind == "bytes" and isinstance(value, int):
        return _bytes(value, bytes_unit)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bytes(value: int, unit: str | None) -> str:
    if unit is None:
        return byte_size(value)
    divisors = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3,
                "gb": 1024**3, "t": 1024**4, "tb": 1024**4, "p": 1024**5, "pb": 1024**5}
    return str(value // divisors[unit])


def cat_response(
    request: web.Request,
    table: CatTable,
    *,
    extra_params: frozenset[str] | set[str] = frozenset(),
) -> web.Response:
    """Validate the cat parameters and render the table in text or JSON."""
    params = check_params(request, CAT_PARAMS | set(extra_params))
    by_name: dict[str, CatColumn] = {}
    for column in table.columns:
        by_name[column.name] = column
        for alias in column.aliases:
            by_name.setdefault(alias, column)
    if flag(params, "help"):
        lines = [
            f"{c.name} | {','.join(c.aliases)} | {c.description}".rstrip() for c in table.columns
        ]
        return respond_text(request, "\n".join(lines) + "\n")
    bytes_unit = params.get("bytes")
    if bytes_unit is not None and bytes_unit not in {
        "b", "k", "kb", "m", "mb", "g", "gb", "t", "tb", "p", "pb"
    }:
        raise ApiError(
            400,
            "illegal_argument_exception",
            f"failed to parse setting [bytes] with value [{bytes_unit}] as a size in bytes: "
            "unit is missing or unrecognized",
        )
    if params.get("h"):
        chosen = []
        for name in params["h"].split(","):
            if name in by_name:
                chosen.append((name, by_name[name]))
            elif "*" in name:
                chosen += [(c.name, c) for c in table.columns if fnmatch.fnmatchcase(c.name, name)]
    else:
        chosen = [(c.name, c) for c in table.columns if c.default]
    rows = list(table.rows)
    if params.get("s"):
        for key in reversed(params["s"].split(",")):
            name, _, order = key.partition(":")
            column = by_name.get(name)
            if column is None:
                raise ApiError(
                    400,
                    "unsupported_operation_exception",
                    f"Unable to sort by unknown sort key `{name}`",
                )
            rows.sort(
                key=lambda row, c=column: _sort_key(row.get(c.name)),
                reverse=order == "desc",
            )
    cells = [
        [(label, _cell(row.get(column.name), column, bytes_unit)) for label, column in chosen]
        for row in rows
    ]
    if params.get("format") == "json":
        return respond(request, [dict(row) for row in cells])
    if params.get("format") not in (None, "txt", "text"):
        raise ApiError(
            400,
            "illegal_argument_exception",
            f"Unsupported format [{params['format']}]",
        )
    header = flag(params, "v")
    widths = [len(label) if header else 0 for label, _ in chosen]
    for row in cells:
        for i, (_, value) in enumerate(row):
            widths[i] = max(widths[i], len(value or ""))
    lines = []
    if header:
        lines.append(_line([label for label, _ in chosen], widths, [False] * len(chosen)))
    numeric = [column.kind in ("number", "bytes") for _, column in chosen]
    for row in cells:
        lines.append(_line([value or "" for _, value in row], widths, numeric))
    return respond_text(request, "".join(line + "\n" for line in lines))


def _line(values: list[str], widths: list[int], right: list[bool]) -> str:
    parts = [
        value.rjust(width) if align else value.ljust(width)
        for value, width, align in zip(values, widths, right, strict=True)
    ]
    return " ".join(parts)  # ES pads the last cell too and adds no separator after it


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, 0)
    if isinstance(value, int | float):
        return (0, value)
    return (0, str(value))
