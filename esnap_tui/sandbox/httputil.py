"""HTTP helpers shared by every sandbox route: parameters, bodies, rendering like Elasticsearch.

Why: each real endpoint rejects parameters it does not know with the same message, renders
``?pretty`` with Jackson's layout, honours ``filter_path`` and ``?human``; doing that once here
keeps route handlers to the facts of their endpoint.

Route authors use:
  * ``cluster_of(request) -> SimCluster``
  * ``check_params(request, allowed) -> dict[str, str]``: 400 for an unrecognised parameter
    (``pretty``, ``human``, ``error_trace``, ``filter_path`` and ``format`` are always allowed).
  * ``flag(params, name, default)``: ES boolean parsing (``?verbose`` alone means true).
  * ``await read_json(request) -> dict | None``: body, or ES 400 ``x_content_parse_exception``
    / ``parse_exception`` for a bad one.
  * ``respond(request, body, status=200)``: JSON in the dialect's content type, with
    ``pretty``/``filter_path`` applied; ``human(request)`` tells whether to add human fields;
    ``byte_size(n)`` and ``time_value(ms)`` format them like ES.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from multidict import CIMultiDict

from esnap_tui.sandbox.errors import ApiError

if TYPE_CHECKING:
    from esnap_tui.sandbox.state import SimCluster

CLUSTER_KEY: web.AppKey[Any] = web.AppKey("esnap_sandbox_cluster", object)
COMPAT_KEY: web.RequestKey[int] = web.RequestKey("esnap_compatible_with", int)
ALWAYS_ALLOWED = frozenset({"pretty", "human", "error_trace", "filter_path", "format"})


def cluster_of(request: web.Request) -> SimCluster:
    return request.app[CLUSTER_KEY]


# --------------------------------------------------------------------------------------------
# parameters


def _similarity(a: str, b: str) -> float:
    """Lucene ``LevenshteinDistance.getDistance``: 1 - distance / longer length."""
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


def unrecognized_message(path: str, invalid: list[str], candidates: Iterable[str]) -> str:
    """The exact text of ``BaseRestHandler.unrecognized`` (suggestions when similarity > 0.5)."""
    plural = "s" if len(invalid) > 1 else ""
    parts = []
    pool = sorted(set(candidates))
    for name in invalid:
        scored = [(_similarity(name, c), c) for c in pool]
        scored = [item for item in scored if item[0] > 0.5]
        scored.sort(key=lambda item: (-item[0], item[1]))
        text = f"[{name}]"
        if scored:
            keys = [c for _, c in scored]
            text += " -> did you mean "
            text += f"[{keys[0]}]" if len(keys) == 1 else "any of [" + ", ".join(keys) + "]"
            text += "?"
        parts.append(text)
    return f"request [{path}] contains unrecognized parameter{plural}: " + ", ".join(parts)


def check_params(request: web.Request, allowed: Iterable[str]) -> dict[str, str]:
    """The query parameters, after rejecting unknown ones exactly like ES does."""
    allowed_set = set(allowed) | ALWAYS_ALLOWED
    params = {key: value for key, value in request.query.items()}
    invalid = sorted(key for key in params if key not in allowed_set)
    if invalid:
        raise ApiError(
            400,
            "illegal_argument_exception",
            unrecognized_message(request.path, invalid, allowed_set),
        )
    return params


def flag(params: dict[str, str], name: str, default: bool = False) -> bool:
    """ES ``paramAsBoolean``: absent -> default, ``""``/``true`` -> True, ``false`` -> False."""
    if name not in params:
        return default
    value = params[name]
    if value in ("", "true"):
        return True
    if value == "false":
        return False
    raise ApiError(
        400,
        "illegal_argument_exception",
        f"Failed to parse value [{value}] as only [true] or [false] are allowed.",
    )


def int_param(params: dict[str, str], name: str, default: int) -> int:
    if name not in params:
        return default
    try:
        return int(params[name])
    except ValueError:
        raise ApiError(
            400,
            "illegal_argument_exception",
            f"Failed to parse int parameter [{name}] with value [{params[name]}]",
        ) from None


async def read_json(request: web.Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when there is none."""
    if not request.body_exists:
        return None
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ApiError(
            400,
            "x_content_parse_exception",
            f"[{error.lineno}:{error.colno}] Unexpected character: {error.msg}",
        ) from None
    if not isinstance(value, dict):
        raise ApiError(400, "parse_exception", "request body is required to be an object")
    return value


# --------------------------------------------------------------------------------------------
# rendering


def human(request: web.Request) -> bool:
    return request.query.get("human", "false") in ("", "true")


def byte_size(value: int) -> str:
    """ES ``ByteSizeValue.toString``: the largest unit with a value >= 1, one decimal
    truncated (``Strings.format1Decimals``: 1.99gb prints ``1.9gb``)."""
    units = [("pb", 1024**5), ("tb", 1024**4), ("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)]
    for suffix, size in units:
        if value >= size:
            return _one_decimal(value / size) + suffix
    return f"{value}b"


def time_value(ms: int) -> str:
    """ES ``TimeValue.toString`` for milliseconds: ``0s``, ``250ms``, ``1.2s``, ``1m``,
    ``1.5h``, ``2d``; one decimal, truncated like ``format1Decimals`` (1999ms is ``1.9s``);
    a negative duration prints as the bare number (``-1``)."""
    if ms < 0:
        return str(ms)
    if ms == 0:
        return "0s"
    units = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
    for suffix, size in units:
        if ms >= size:
            return _one_decimal(ms / size) + suffix
    return f"{ms}ms"


def _one_decimal(value: float) -> str:
    """Java's ``String.valueOf(double)`` cut after the first decimal, ``.0`` dropped."""
    whole, _, fraction = repr(float(value)).partition(".")
    digit = fraction[:1]
    return whole if digit in ("", "0") else f"{whole}.{digit}"


def iso_ms(ms: int) -> str:
    """``2024-04-24T08:35:41.777Z`` (ES date format for snapshot and task times)."""
    import datetime as _dt

    moment = _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def jackson_pretty(value: Any, indent: int = 0) -> str:
    """Jackson's DefaultPrettyPrinter layout, as ES writes ``?pretty`` responses."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{ }"
        items = [
            f'{pad}  {json.dumps(key, ensure_ascii=False)} : {jackson_pretty(item, indent + 1)}'
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(jackson_pretty(item, indent) for item in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def filter_body(value: Any, filter_path: str | None) -> Any:
    """Apply ES ``filter_path`` (comma list; ``*`` one level, ``**`` any depth, ``-`` exclude)."""
    if not filter_path:
        return value
    includes = [p.split(".") for p in filter_path.split(",") if p and not p.startswith("-")]
    excludes = [p[1:].split(".") for p in filter_path.split(",") if p.startswith("-")]
    result = value
    if includes:
        result = _include(value, includes)
        if result is _MISSING:
            result = {}
    for pattern in excludes:
        result = _exclude(result, pattern)
    return result


_MISSING = object()


def _include(value: Any, patterns: list[list[str]]) -> Any:
    if any(not p for p in patterns):
        return value
    if isinstance(value, list):
        kept = [_include(item, patterns) for item in value]
        kept = [item for item in kept if item is not _MISSING]
        return kept if kept else _MISSING
    if not isinstance(value, dict):
        return _MISSING
    out: dict[str, Any] = {}
    for key, item in value.items():
        sub: list[list[str]] = []
        for pattern in patterns:
            head = pattern[0]
            if head == "**":
                sub.append(pattern)  # keep matching deeper
                if len(pattern) > 1 and fnmatch.fnmatchcase(key, pattern[1]):
                    sub.append(pattern[2:])
            elif fnmatch.fnmatchcase(key, head):
                sub.append(pattern[1:])
        if not sub:
            continue
        kept = _include(item, sub)
        if kept is not _MISSING:
            out[key] = kept
    return out if out else _MISSING


def _exclude(value: Any, pattern: list[str]) -> Any:
    if isinstance(value, list):
        return [_exclude(item, pattern) for item in value]
    if not isinstance(value, dict) or not pattern:
        return value
    out = {}
    for key, item in value.items():
        if fnmatch.fnmatchcase(key, pattern[0]):
            if len(pattern) == 1:
                continue
            out[key] = _exclude(item, pattern[1:])
        else:
            out[key] = item
    return out


def render_json(request: web.Request, body: Any) -> bytes:
    body = filter_body(body, request.query.get("filter_path"))
    if request.query.get("pretty", "false") in ("", "true"):
        return (jackson_pretty(body) + "\n").encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def respond(
    request: web.Request,
    body: Any,
    status: int = 200,
    headers: dict[str, str | list[str]] | None = None,
) -> web.Response:
    """A JSON answer in the dialect's content type (compatible-with echoed on 8.x/9.x).
    A list header value is sent as several header lines (``WWW-Authenticate``)."""
    cluster = cluster_of(request)
    compat = request.get(COMPAT_KEY)
    out: CIMultiDict[str] = CIMultiDict()
    out["Content-Type"] = cluster.dialect.json_content_type(compat)
    for key, value in (headers or {}).items():
        for item in [value] if isinstance(value, str) else value:
            out.add(key, item)
    return web.Response(status=status, body=render_json(request, body), headers=out)


def respond_text(request: web.Request, text: str, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=text.encode("utf-8"),
        headers={"Content-Type": "text/plain; charset=UTF-8"},
    )
