"""The HTTP face of a simulated cluster: aiohttp app, middleware, and the cluster-level routes.

Why one module: the middleware decides what every real cluster decides before any handler
runs (faults, media types, authentication, the product header, the error envelope), so each
route only answers for its endpoint. Snapshot, restore and recovery routes live in their own
modules and plug in through ``register_*_routes(app, cluster)``.

Order of checks mirrors Elasticsearch: the request's media types are parsed while the request
object is built (so a bad ``compatible-with`` fails even without credentials), then security
authenticates, then the handler validates its parameters.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import fnmatch
import importlib
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn

from aiohttp import web

from esnap_tui.sandbox.cat import CatColumn, CatTable, cat_response
from esnap_tui.sandbox.errors import ApiError, index_not_found, wrapped
from esnap_tui.sandbox.httputil import (
    CLUSTER_KEY,
    COMPAT_KEY,
    byte_size,
    check_params,
    cluster_of,
    flag,
    iso_ms,
    read_json,
    respond,
    time_value,
)
from esnap_tui.sandbox.state import IndexState, RecordedRequest, RegisteredRepository, SimCluster

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_VENDOR = re.compile(
    r"^\s*application/vnd\.elasticsearch\+([\w.-]+)\s*(?:;(.*))?$", re.IGNORECASE
)
_KNOWN_TYPES = {
    "application/json",
    "application/x-ndjson",
    "application/smile",
    "application/cbor",
    "application/yaml",
}
INDICES_OPTIONS = frozenset({"ignore_unavailable", "allow_no_indices", "expand_wildcards"})


# --------------------------------------------------------------------------------------------
# media types (es-rest-api.md §2.1)


def _compatible_with(header: str | None) -> tuple[bool, int | None]:
    """(is a vendor media type, its compatible-with number or None).

    A comma-separated list is a media *range*, which ES (``ParsedMediaType.isMediaRange``) does
    not parse at all: no version is read from it (the official client's cat APIs send one).
    """
    if not header or "," in header:
        return False, None
    match = _VENDOR.match(header)
    if not match:
        return False, None
    for part in (match.group(2) or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "compatible-with" and value.strip().isdigit():
            return True, int(value.strip())
    return True, None


def _has_body(request: web.Request) -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def check_media_types(request: web.Request, cluster: SimCluster) -> None:
    dialect = cluster.dialect
    accept = request.headers.get("Accept")
    content_type = request.headers.get("Content-Type")
    has_body = _has_body(request)
    accept_vendor, accept_v = _compatible_with(accept)
    ct_vendor, ct_v = _compatible_with(content_type)
    if dialect.validates_compatible_with:
        current, previous = dialect.compatible_versions
        problem = None
        if accept_v is not None and accept_v not in (current, previous):
            problem = (
                f"Accept version must be either version {current} or {previous}, "
                f"but found {accept_v}. Accept={accept}"
            )
        elif has_body and ct_v is not None and ct_v not in (current, previous):
            problem = (
                f"Content-Type version must be either version {current} or {previous}, "
                f"but found {ct_v}. Content-Type={content_type}"
            )
        elif has_body and accept_v is not None and ct_v is not None and accept_v != ct_v:
            problem = (
                "A compatible version is required on both Content-Type and Accept headers if "
                "either one has requested a compatible version and the compatible versions "
                f"must match. Accept={accept}, Content-Type={content_type}"
            )
        elif has_body and (accept_v is None) != (ct_v is None) and accept_vendor != ct_vendor:
            problem = (
                "A compatible version is required on both Content-Type and Accept headers if "
                "either one has requested a compatible version. "
                f"Accept={accept}, Content-Type={content_type}"
            )
        if problem is not None:
            reason = "Invalid media-type value on headers [Content-Type, Accept]"
            raise wrapped(
                ApiError(400, "media_type_header_exception", reason),
                ApiError(400, "status_exception", problem),
                root_is_inner=False,
            )
        chosen = accept_v if accept_v is not None else (ct_v if has_body else None)
        if chosen is not None:
            request[COMPAT_KEY] = chosen
    if has_body:
        if content_type is None:
            raise ApiError(406, "", "Content-Type header is missing", plain=True)
        base = content_type.split(";")[0].strip().lower()
        understood = base in _KNOWN_TYPES or (ct_vendor and bool(dialect.compatible_versions))
        if not understood:
            raise ApiError(
                406, "", f"Content-Type header [{content_type}] is not supported", plain=True
            )


# --------------------------------------------------------------------------------------------
# security


def _www_authenticate(cluster: SimCluster) -> list[str]:
    dialect = cluster.dialect
    if dialect.is_opensearch:
        return ['Basic realm="OpenSearch Security"']
    if dialect.major >= 8:
        return ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]
    if dialect.major == 7:
        return ['Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]
    return ['Basic realm="security" charset="UTF-8"']


def _unauthorized(cluster: SimCluster, request: web.Request, reason: str, **extra: Any) -> None:
    challenges = _www_authenticate(cluster)
    if cluster.dialect.is_opensearch:
        # the OpenSearch security plugin answers a bare text body
        raise web.HTTPUnauthorized(
            text="Unauthorized", headers={"WWW-Authenticate": challenges[0]}
        )
    error = ApiError(
        401,
        "security_exception",
        reason,
        extra={**extra, "header": {"WWW-Authenticate": challenges}},
    )
    error.headers["WWW-Authenticate"] = challenges  # one header line per challenge, like ES
    raise error


def _credentials(token: str) -> tuple[str, str | None]:
    """``base64(name:secret)`` as Basic and ApiKey both carry it; undecodable -> no secret."""
    try:
        name, _, secret = base64.b64decode(token).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", None
    return name, secret


def authenticate(request: web.Request, cluster: SimCluster) -> None:
    if not cluster.users and not cluster.api_keys:
        return
    uri = request.path_qs
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        _unauthorized(
            cluster, request, f"missing authentication credentials for REST request [{uri}]"
        )
    if scheme.lower() == "basic":
        user, password = _credentials(token)
        if user in cluster.users and cluster.users[user] == password:
            return
        _unauthorized(
            cluster, request, f"unable to authenticate user [{user}] for REST request [{uri}]"
        )
    if scheme.lower() == "apikey":
        key_id, secret = _credentials(token)
        if key_id in cluster.api_keys and cluster.api_keys[key_id] == secret:
            return
        _unauthorized(
            cluster,
            request,
            "unable to authenticate with provided credentials and anonymous access is not "
            "allowed for this request",
            additional_unsuccessful_credentials="API key: invalid credentials",
        )
    _unauthorized(cluster, request, f"missing authentication credentials for REST request [{uri}]")


# --------------------------------------------------------------------------------------------
# middleware


def _error_response(request: web.Request, cluster: SimCluster, error: ApiError) -> web.Response:
    response = respond(request, error.body(), status=error.status, headers=error.headers)
    if error.plain:
        # pre-8 string errors are always plain JSON
        response.headers["Content-Type"] = cluster.dialect.json_content_type(None)
    return response


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    cluster = cluster_of(request)
    cluster.requests.append(
        RecordedRequest(request.method, request.path, request.query_string, cluster.clock.now_ms())
    )
    faults = cluster.faults_for(request.method, request.path)
    for fault in faults:
        if fault.after:
            continue
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if fault.drop:
            _drop(request)
        if fault.status is not None:
            return _error_response(
                request, cluster, ApiError(fault.status, fault.error_type, fault.reason)
            )
    response = await _handle(request, handler, cluster)
    for fault in faults:
        if not fault.after:
            continue
        if fault.latency_ms:
            await _late(request, fault.latency_ms / 1000)
        if fault.drop:
            _drop(request)
    return response


async def _late(request: web.Request, seconds: float) -> None:
    """Hold the answer back, but stop waiting once the client has hung up (so a sandbox with a
    long late-answer fault still stops promptly)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(min(0.05, left))


def _drop(request: web.Request) -> NoReturn:
    """Close the connection without an answer."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError


async def _handle(
    request: web.Request, handler: Handler, cluster: SimCluster
) -> web.StreamResponse:
    authenticated = False
    try:
        check_media_types(request, cluster)
        authenticate(request, cluster)
        authenticated = True
        response = await handler(request)
    except ApiError as error:
        response = _error_response(request, cluster, error)
        authenticated = authenticated or error.status != 401
    except web.HTTPNotFound:
        response = _no_handler(request, cluster)
    except web.HTTPMethodNotAllowed as error:
        allowed = ", ".join(sorted(error.allowed_methods))
        response = _error_response(
            request,
            cluster,
            ApiError(
                405,
                "",
                f"Incorrect HTTP method for uri [{request.path_qs}] and method "
                f"[{request.method}], allowed: [{allowed}]",
                plain=True,
            ),
        )
    if authenticated and cluster.dialect.sends_elastic_product_header:
        response.headers["X-elastic-product"] = "Elasticsearch"
    return response


def _no_handler(request: web.Request, cluster: SimCluster) -> web.Response:
    reason = f"no handler found for uri [{request.path_qs}] and method [{request.method}]"
    if cluster.dialect.supports("error_envelope_for_unknown_route"):
        error = ApiError(400, "illegal_argument_exception", reason)
        return _error_response(request, cluster, error)
    return _error_response(request, cluster, ApiError(400, "", reason, plain=True))


async def _on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Date from the cluster clock, so a fixed clock gives byte-identical responses."""
    cluster = request.app[CLUSTER_KEY]
    response.headers["Date"] = email.utils.formatdate(cluster.clock.now_ms() / 1000, usegmt=True)
    response.headers["Server"] = "esnap-sandbox"


# --------------------------------------------------------------------------------------------
# root, health, state


async def root(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, ())
    if request.method == "HEAD":
        return web.Response(
            status=200, headers={"Content-Type": cluster.dialect.json_content_type(None)}
        )
    return respond(
        request,
        cluster.dialect.root_document(cluster.master.name, cluster.name, cluster.uuid),
    )


_HEALTH_PARAMS = {
    "level", "local", "master_timeout", "timeout", "wait_for_active_shards", "wait_for_events",
    "wait_for_no_initializing_shards", "wait_for_no_relocating_shards", "wait_for_nodes",
    "wait_for_status", "expand_wildcards",
}


async def cluster_health(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    allowed = set(_HEALTH_PARAMS)
    if not cluster.dialect.is_opensearch and (7, 15) <= (
        cluster.dialect.major, cluster.dialect.version.minor
    ) < (9, 0):
        allowed.add("return_200_for_cluster_health_timeout")
    if cluster.dialect.is_opensearch:
        allowed |= {"awareness_attribute", "ensure_node_commissioned", "cluster_manager_timeout"}
    params = check_params(request, allowed)
    expression = request.match_info.get("index")
    timed_out = False
    if expression:
        indices = cluster.resolve(expression, allow_missing=True, include_hidden=True)
        timed_out = not indices
    else:
        indices = None
    summary = cluster.health(indices)
    status = "red" if timed_out else summary.status
    body: dict[str, Any] = {
        "cluster_name": cluster.name,
        "status": status,
        "timed_out": timed_out,
        "number_of_nodes": len(cluster.nodes),
        "number_of_data_nodes": len(cluster.data_nodes),
        "active_primary_shards": summary.active_primary_shards,
        "active_shards": summary.active_shards,
        "relocating_shards": 0,
        "initializing_shards": summary.initializing_shards,
        "unassigned_shards": summary.unassigned_shards,
    }
    if cluster.dialect.supports("unassigned_primary_shards"):
        body["unassigned_primary_shards"] = summary.unassigned_primary_shards
    body["delayed_unassigned_shards"] = 0
    body["number_of_pending_tasks"] = 0
    body["number_of_in_flight_fetch"] = 0
    if flag(params, "human"):
        body["task_max_waiting_in_queue"] = "0s"
    body["task_max_waiting_in_queue_millis"] = 0
    if flag(params, "human"):
        body["active_shards_percent"] = f"{summary.active_shards_percent:.1f}%"
    body["active_shards_percent_as_number"] = summary.active_shards_percent
    if params.get("level") in ("indices", "shards"):
        chosen = indices if indices is not None else list(cluster.state.indices.values())
        per_index = {}
        for index in sorted(chosen, key=lambda i: i.name):
            if not index.is_open and not cluster.dialect.supports("closed_index_health"):
                continue
            one = cluster.health([index])
            per_index[index.name] = {
                "status": cluster.index_health(index) or "green",
                "number_of_shards": index.primary_shards,
                "number_of_replicas": index.replicas,
                "active_primary_shards": one.active_primary_shards,
                "active_shards": one.active_shards,
                "relocating_shards": 0,
                "initializing_shards": one.initializing_shards,
                "unassigned_shards": one.unassigned_shards,
            }
        body["indices"] = per_index
    http_status = 408 if timed_out else 200
    return respond(request, body, status=http_status)


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    """``{"index.version.created": "x"}`` -> ``{"index": {"version": {"created": "x"}}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            existing = node.get(part)
            if not isinstance(existing, dict):
                existing = {}
                node[part] = existing
            node = existing
        node[parts[-1]] = value
    return out


def _settings_view(index: IndexState, flat_settings: bool) -> dict[str, Any]:
    flat = index.flat_settings()
    return flat if flat_settings else _nest(flat)


async def cluster_state_metadata(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(
        request,
        {"local", "master_timeout", "flat_settings", "wait_for_metadata_version",
         "wait_for_timeout"} | INDICES_OPTIONS,
    )
    flat_settings = flag(params, "flat_settings")
    expression = request.match_info.get("index")
    if expression:
        indices = cluster.resolve(
            expression, allow_missing=flag(params, "ignore_unavailable"), include_hidden=True
        )
    else:
        indices = sorted(cluster.state.indices.values(), key=lambda i: i.name)
    metadata: dict[str, Any] = {
        "cluster_uuid": cluster.uuid,
        "cluster_uuid_committed": True,
        "cluster_coordination": {
            "term": 1,
            "last_committed_config": [cluster.master.id],
            "last_accepted_config": [cluster.master.id],
            "voting_config_exclusions": [],
        },
        "templates": {} if expression else dict(cluster.state.templates),
        "indices": {},
    }
    if cluster.dialect.major < 7 and not cluster.dialect.is_opensearch:
        metadata.pop("cluster_coordination")
        metadata.pop("cluster_uuid_committed")
    for index in indices:
        entry: dict[str, Any] = {
            "version": 4,
            "mapping_version": 1,
            "settings_version": 1,
            "aliases_version": 1,
            "routing_num_shards": index.primary_shards,
            "state": index.state,
            "settings": _settings_view(index, flat_settings),
            "mappings": ({"_doc": index.mappings} if index.mappings else {}),
            "aliases": list(index.aliases),
            "primary_terms": {str(i): 1 for i in range(index.primary_shards)},
            "in_sync_allocations": {str(i): [] for i in range(index.primary_shards)},
            "rollover_info": {},
            "system": index.system,
        }
        if cluster.dialect.major < 7 and not cluster.dialect.is_opensearch:
            entry.pop("aliases_version")
            entry.pop("system")
        metadata["indices"][index.name] = entry
    if not expression:
        if cluster.dialect.supports("data_streams"):
            metadata["data_stream"] = {
                "data_stream": {
                    name: _data_stream_state_view(cluster, stream.name)
                    for name, stream in sorted(cluster.state.data_streams.items())
                },
                "data_stream_aliases": {},
            }
        metadata["repositories"] = {
            repo.name: _repository_view(cluster, repo, generations=True)
            for repo in cluster.repositories.values()
        }
        metadata["index-graveyard"] = {"tombstones": []}
    body = {"cluster_name": cluster.name, "cluster_uuid": cluster.uuid, "metadata": metadata}
    return respond(request, body)


async def cluster_settings(request: web.Request) -> web.Response:
    """``GET _cluster/settings``: persistent/transient as set; ``include_defaults`` adds the
    defaults esnap's pre-flight reads (``cluster.max_shards_per_node``)."""
    cluster = cluster_of(request)
    allowed = {"flat_settings", "include_defaults", "master_timeout", "timeout", "local"}
    if cluster.dialect.is_opensearch:
        allowed.add("cluster_manager_timeout")
    params = check_params(request, allowed)
    flat_settings = flag(params, "flat_settings")

    def view(values: dict[str, Any]) -> dict[str, Any]:
        flat = {k: _setting_string(v) for k, v in _flatten(values).items()}
        return dict(sorted(flat.items())) if flat_settings else _nest(flat)

    state = cluster.state
    body: dict[str, Any] = {
        "persistent": view(state.persistent_settings),
        "transient": view(state.transient_settings),
    }
    if flag(params, "include_defaults"):
        defaults = {"cluster.max_shards_per_node": str(state.max_shards_per_node)}
        set_keys = set(_flatten(state.persistent_settings)) | set(
            _flatten(state.transient_settings)
        )
        body["defaults"] = view({k: v for k, v in defaults.items() if k not in set_keys})
    return respond(request, body)


# --------------------------------------------------------------------------------------------
# indices


def _index_size(index: IndexState) -> tuple[int, int]:
    """(total store size incl. active replicas, primaries size)."""
    copies = 1 + index.replicas
    return index.size_in_bytes * copies, index.size_in_bytes


async def cat_indices(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    expression = request.match_info.get("index")
    indices = cluster.resolve(expression, include_hidden=bool(expression))
    if request.query.get("expand_wildcards") in ("all", "open,hidden", "hidden"):
        indices = cluster.resolve(expression, include_hidden=True)
    health_filter = request.query.get("health")
    columns = [
        CatColumn(name, default, _CAT_INDICES_ALIASES.get(name, ()),
                  kind="bytes" if "size" in name else (
                      "number" if name in {"pri", "rep", "docs.count", "docs.deleted",
                                           "creation.date"} else "text"))
        for name, default in cluster.dialect.cat_indices_columns
    ]
    rows = []
    for index in indices:
        health = cluster.index_health(index)
        if health_filter and health != health_filter:
            continue
        total, primaries = _index_size(index)
        open_ = index.is_open
        rows.append({
            "health": health or None if not open_ else health,
            "status": index.state,
            "index": index.name,
            "uuid": index.uuid,
            "pri": index.primary_shards,
            "rep": index.replicas,
            "docs.count": index.docs_count if open_ else None,
            "docs.deleted": index.docs_deleted if open_ else None,
            "store.size": total if open_ else None,
            "pri.store.size": primaries if open_ else None,
            "creation.date": index.creation_date_ms,
            "creation.date.string": iso_ms(index.creation_date_ms),
        })
    return cat_response(
        request,
        CatTable(columns, rows),
        extra_params={"bytes", "expand_wildcards", "health", "include_unloaded_segments",
                      "pri", "time"},
    )


_CAT_INDICES_ALIASES = {
    "health": ("h",), "status": ("s",), "index": ("i", "idx"), "uuid": ("id", "uuid"),
    "pri": ("p", "shards.primary", "shardsPrimary"), "rep": ("r", "shards.replica"),
    "docs.count": ("dc", "docsCount"), "docs.deleted": ("dd", "docsDeleted"),
    "store.size": ("ss", "storeSize"), "pri.store.size": (), "creation.date": ("cd",),
    "creation.date.string": ("cds",),
}


def _shard_layout(cluster: SimCluster) -> tuple[dict[str, tuple[int, int]], int]:
    """Per node id: (shard copies, bytes of index data), and the unassigned copy count."""
    data_nodes = cluster.data_nodes
    per_node = {node.id: (0, 0) for node in cluster.nodes}
    unassigned = 0
    for index in cluster.state.indices.values():
        if not index.is_open and not cluster.dialect.supports("closed_index_health"):
            continue
        shard_bytes = index.size_in_bytes // max(1, index.primary_shards)
        for shard in range(index.primary_shards):
            for copy in range(1 + index.replicas):
                if copy >= len(data_nodes):
                    unassigned += 1
                    continue
                node = data_nodes[(shard + copy) % len(data_nodes)]
                count, size = per_node[node.id]
                per_node[node.id] = (count + 1, size + shard_bytes)
    return per_node, unassigned


_ROLE_LETTERS = {
    "data": "d", "data_cold": "c", "data_content": "s", "data_frozen": "f", "data_hot": "h",
    "data_warm": "w", "ingest": "i", "master": "m", "cluster_manager": "m", "ml": "l",
    "remote_cluster_client": "r", "transform": "t", "voting_only": "v",
}


async def cat_allocation(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    per_node, unassigned = _shard_layout(cluster)
    kinds = {"shards": "number", "disk.percent": "number", "shards.undesired": "number",
             "write_load.forecast": "number"}
    columns = [
        CatColumn(name, default, kind=("bytes" if name.startswith("disk.") and
                                       name != "disk.percent" else kinds.get(name, "text")))
        for name, default in cluster.dialect.cat_allocation_columns
    ]
    rows = []
    for node in cluster.nodes:
        count, size = per_node[node.id]
        used = node.disk_total_bytes - node.disk_free_bytes
        rows.append({
            "shards": count,
            "shards.undesired": 0,
            "write_load.forecast": "0.0",
            "disk.indices.forecast": size,
            "disk.indices": size,
            "disk.used": used,
            "disk.avail": node.disk_free_bytes,
            "disk.total": node.disk_total_bytes,
            "disk.percent": used * 100 // max(1, node.disk_total_bytes),
            "host": node.host,
            "ip": node.ip,
            "node": node.name,
            "node.role": "".join(sorted(_ROLE_LETTERS.get(r, r[0]) for r in node.roles)),
        })
    if unassigned:
        rows.append({"shards": unassigned, "node": "UNASSIGNED"})
    return cat_response(request, CatTable(columns, rows), extra_params={"bytes"})


async def nodes_stats_fs(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(
        request, {"timeout", "level", "types", "completion_fields", "fielddata_fields", "fields",
                  "groups", "include_segment_file_sizes", "include_unloaded_segments"},
    )
    now = cluster.clock.now_ms()
    human = flag(params, "human")
    nodes: dict[str, Any] = {}
    for node in cluster.nodes:
        sizes = {
            "total_in_bytes": node.disk_total_bytes,
            "free_in_bytes": node.disk_free_bytes,
            "available_in_bytes": node.disk_free_bytes,
        }
        if human:
            sizes = {
                "total": byte_size(node.disk_total_bytes),
                "total_in_bytes": node.disk_total_bytes,
                "free": byte_size(node.disk_free_bytes),
                "free_in_bytes": node.disk_free_bytes,
                "available": byte_size(node.disk_free_bytes),
                "available_in_bytes": node.disk_free_bytes,
            }
        nodes[node.id] = {
            "timestamp": now,
            "name": node.name,
            "transport_address": f"{node.ip}:9300",
            "host": node.host,
            "ip": f"{node.ip}:9300",
            "roles": list(node.roles),
            "attributes": {},
            "fs": {
                "timestamp": now,
                "total": dict(sizes),
                "data": [{"path": "/usr/share/elasticsearch/data", "mount": "/ (overlay)",
                          "type": "overlay", **sizes}],
                "io_stats": {},
            },
        }
    body = {
        "_nodes": {"total": len(nodes), "successful": len(nodes), "failed": 0},
        "cluster_name": cluster.name,
        "nodes": nodes,
    }
    return respond(request, body)


async def index_settings(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(
        request, {"flat_settings", "include_defaults", "local", "master_timeout"} | INDICES_OPTIONS
    )
    indices = cluster.resolve(
        request.match_info.get("index"),
        allow_missing=flag(params, "ignore_unavailable"),
        include_hidden=True,
    )
    wanted = request.match_info.get("name")
    body = {}
    for index in indices:
        flat = index.flat_settings()
        if wanted:
            flat = {k: v for k, v in flat.items()
                    if any(fnmatch.fnmatchcase(k, p) for p in wanted.split(","))}
            if not flat:
                continue
        settings = flat if flag(params, "flat_settings") else _nest(flat)
        body[index.name] = {"settings": settings}
        if flag(params, "include_defaults"):
            body[index.name]["defaults"] = {}
    return respond(request, body)


async def get_index(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(
        request, {"flat_settings", "include_defaults", "local", "master_timeout", "features"}
        | INDICES_OPTIONS,
    )
    indices = cluster.resolve(
        request.match_info["index"], allow_missing=flag(params, "ignore_unavailable")
    )
    body = {}
    for index in indices:
        body[index.name] = {
            "aliases": {alias: {} for alias in index.aliases},
            "mappings": index.mappings,
            "settings": _settings_view(index, flag(params, "flat_settings")),
        }
        if index.data_stream and cluster.dialect.supports("data_streams"):
            body[index.name]["data_stream"] = index.data_stream
    return respond(request, body)


def _destructive_check(cluster: SimCluster, expression: str) -> None:
    wildcard = expression in ("_all", "*") or "*" in expression
    if wildcard and cluster.dialect.major >= 8 and not cluster.dialect.is_opensearch:
        raise ApiError(
            400, "illegal_argument_exception", "Wildcard expressions or all indices are not allowed"
        )


async def close_index(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(
        request, {"timeout", "master_timeout", "wait_for_active_shards"} | INDICES_OPTIONS
    )
    expression = request.match_info["index"]
    _destructive_check(cluster, expression)
    indices = cluster.resolve(expression, allow_missing=flag(params, "ignore_unavailable"))
    write_indices = [i.name for i in indices if _is_write_index(cluster, i)]
    if write_indices:
        raise ApiError(
            400,
            "illegal_argument_exception",
            "cannot close the following data stream write indices [" + ", ".join(write_indices)
            + "]",
        )
    for index in indices:
        index.state = "close"
    if cluster.dialect.major < 7 and not cluster.dialect.is_opensearch:
        return respond(request, {"acknowledged": True})
    return respond(request, {
        "acknowledged": True,
        "shards_acknowledged": True,
        "indices": {index.name: {"closed": True} for index in indices},
    })


async def open_index(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(
        request, {"timeout", "master_timeout", "wait_for_active_shards"} | INDICES_OPTIONS
    )
    indices = cluster.resolve(
        request.match_info["index"], allow_missing=flag(params, "ignore_unavailable")
    )
    for index in indices:
        index.state = "open"
    return respond(request, {"acknowledged": True, "shards_acknowledged": True})


def _is_write_index(cluster: SimCluster, index: IndexState) -> bool:
    stream = cluster.state.data_streams.get(index.data_stream or "")
    return stream is not None and bool(stream.indices) and stream.indices[-1] == index.name


async def delete_index(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(request, {"timeout", "master_timeout"} | INDICES_OPTIONS)
    expression = request.match_info["index"]
    _destructive_check(cluster, expression)
    indices = cluster.resolve(expression, allow_missing=flag(params, "ignore_unavailable"))
    for index in indices:
        if _is_write_index(cluster, index):
            raise ApiError(
                400,
                "illegal_argument_exception",
                f"index [{index.name}] is the write index for data stream [{index.data_stream}] "
                "and cannot be deleted",
            )
    for index in indices:
        cluster.remove_index(index.name)
    return respond(request, {"acknowledged": True})


# --------------------------------------------------------------------------------------------
# data streams, features, licence, SLM


def _data_stream_state_view(cluster: SimCluster, name: str) -> dict[str, Any]:
    stream = cluster.state.data_streams[name]
    return {
        "name": stream.name,
        "timestamp_field": {"name": stream.timestamp_field},
        "indices": [
            {"index_name": n, "index_uuid": cluster.state.indices[n].uuid}
            for n in stream.indices if n in cluster.state.indices
        ],
        "generation": stream.generation,
        "hidden": stream.hidden,
        "system": stream.system,
    }


def _data_stream_view(cluster: SimCluster, name: str) -> dict[str, Any]:
    stream = cluster.state.data_streams[name]
    backing = [cluster.state.indices[n] for n in stream.indices if n in cluster.state.indices]
    view: dict[str, Any] = {
        "name": stream.name,
        "timestamp_field": {"name": stream.timestamp_field},
        "indices": [{"index_name": i.name, "index_uuid": i.uuid} for i in backing],
        "generation": stream.generation,
        "status": _stream_status(cluster, backing),
        "template": stream.template,
    }
    dialect = cluster.dialect
    if dialect.is_opensearch:
        return view
    if stream.ilm_policy:
        view["ilm_policy"] = stream.ilm_policy
    view["hidden"] = stream.hidden
    if (dialect.major, dialect.version.minor) >= (7, 10):
        view["system"] = stream.system
    if (dialect.major, dialect.version.minor) >= (7, 13):
        view["allow_custom_routing"] = False
        view["replicated"] = False
    return view


def _stream_status(cluster: SimCluster, backing: list[IndexState]) -> str:
    if not backing:
        return "GREEN"
    return cluster.health(backing).status.upper()


async def get_data_streams(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    allowed = {"expand_wildcards"}
    if cluster.dialect.major >= 8:
        allowed |= {"include_defaults", "master_timeout"}
    check_params(request, allowed)
    expression = request.match_info.get("name") or "*"
    names = []
    for part in expression.split(","):
        matched = [n for n in cluster.state.data_streams if fnmatch.fnmatchcase(n, part)]
        if not matched and "*" not in part and part != "_all":
            raise index_not_found(part)
        if part == "_all":
            matched = list(cluster.state.data_streams)
        names += [n for n in matched if n not in names]
    return respond(
        request, {"data_streams": [_data_stream_view(cluster, n) for n in sorted(names)]}
    )


async def delete_data_stream(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    allowed = {"expand_wildcards"} | ({"master_timeout"} if cluster.dialect.major >= 8 else set())
    check_params(request, allowed)
    expression = request.match_info["name"]
    names = []
    for part in expression.split(","):
        matched = [n for n in cluster.state.data_streams if fnmatch.fnmatchcase(n, part)]
        if not matched and "*" not in part:
            raise index_not_found(part)
        names += matched
    for name in names:
        cluster.remove_data_stream(name)
    return respond(request, {"acknowledged": True})


async def get_features(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, {"master_timeout"})
    features = [
        {"name": name, "description": description}
        for name, description in sorted(cluster.state.features.items())
    ]
    return respond(request, {"features": features})


async def get_license(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(request, {"local", "accept_enterprise"})
    licence = cluster.state.license
    if licence is None:
        raise ApiError(404, "resource_not_found_exception", "license not found")
    shown_type = licence.type
    if shown_type == "enterprise" and not flag(params, "accept_enterprise") and (
        cluster.dialect.major == 7
    ):
        shown_type = "platinum"  # 7.x hides enterprise unless accept_enterprise=true
    body: dict[str, Any] = {
        "status": licence.status,
        "uid": licence.uid,
        "type": shown_type,
        "issue_date": iso_ms(licence.issue_date_ms),
        "issue_date_in_millis": licence.issue_date_ms,
    }
    if licence.expiry_date_ms is not None:
        body["expiry_date"] = iso_ms(licence.expiry_date_ms)
        body["expiry_date_in_millis"] = licence.expiry_date_ms
    body["max_nodes"] = licence.max_nodes
    if cluster.dialect.major >= 8 or (cluster.dialect.major,
                                                 cluster.dialect.version.minor) >= (7, 11):
        body["max_resource_units"] = licence.max_resource_units
    body["issued_to"] = licence.issued_to
    body["issuer"] = licence.issuer
    body["start_date_in_millis"] = -1 if licence.type == "basic" else licence.issue_date_ms
    return respond(request, {"license": body})


async def get_slm_policies(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(request, {"master_timeout", "timeout"})
    wanted = request.match_info.get("policy")
    policies = cluster.state.slm_policies
    if wanted:
        ids = [p for p in wanted.split(",") if p]
        missing = [p for p in ids if p not in policies]
        if missing:
            tail = "" if policies else ", no policies are configured"
            raise ApiError(
                404,
                "resource_not_found_exception",
                f"snapshot lifecycle policy or policies {missing} not found{tail}".replace(
                    "'", ""
                ),
            )
    else:
        ids = sorted(policies)
    human = flag(params, "human")
    body = {}
    for policy_id in ids:
        policy = policies[policy_id]
        entry: dict[str, Any] = {"version": policy.version}
        if human:
            entry["modified_date"] = iso_ms(policy.modified_date_ms)
        entry["modified_date_millis"] = policy.modified_date_ms
        inner: dict[str, Any] = {
            "name": policy.name,
            "schedule": policy.schedule,
            "repository": policy.repository,
        }
        if policy.config:
            inner["config"] = policy.config
        if policy.retention:
            inner["retention"] = policy.retention
        entry["policy"] = inner
        if policy.last_success:
            entry["last_success"] = policy.last_success
        if policy.last_failure:
            entry["last_failure"] = policy.last_failure
        if human:
            entry["next_execution"] = iso_ms(policy.next_execution_ms)
        entry["next_execution_millis"] = policy.next_execution_ms
        entry["stats"] = {"policy": policy_id, **(policy.stats or {
            "snapshots_taken": 0, "snapshots_failed": 0, "snapshots_deleted": 0,
            "snapshot_deletion_failures": 0,
        })}
        body[policy_id] = entry
    return respond(request, body)


# --------------------------------------------------------------------------------------------
# repositories (es-rest-api.md §3.1-3.3)


def _repository_view(
    cluster: SimCluster, repo: RegisteredRepository, *, generations: bool = False
) -> dict[str, Any]:
    view: dict[str, Any] = {"type": repo.type}
    uuid = repository_uuid(repo) if cluster.dialect.supports("repository_uuid") else None
    if uuid:
        view["uuid"] = uuid
    view["settings"] = dict(repo.settings)
    if generations:
        view["generation"] = -1
        view["pending_generation"] = -1
    return view


def repository_uuid(repo: RegisteredRepository) -> str | None:
    """The repository uuid from its ``index-N`` catalogue (``None`` while unknown, ``_na_``)."""
    if repo.uuid:
        return repo.uuid
    if repo.path is None or not repo.path.is_dir():
        return None
    try:
        generations = [
            int(p.name[6:]) for p in repo.path.glob("index-*") if p.name[6:].isdigit()
        ]
        if not generations:
            return None
        import json

        data = json.loads((repo.path / f"index-{max(generations)}").read_bytes())
    except (OSError, ValueError):
        return None
    uuid = data.get("uuid") if isinstance(data, dict) else None
    return uuid if uuid and uuid != "_na_" else None


def _match_repositories(cluster: SimCluster, expression: str) -> list[RegisteredRepository]:
    chosen: dict[str, RegisteredRepository] = {}
    for part in [p for p in expression.split(",") if p]:
        if part in ("_all", "*"):
            chosen.update(cluster.repositories)
            continue
        matched = {n: r for n, r in cluster.repositories.items() if fnmatch.fnmatchcase(n, part)}
        if not matched and "*" not in part:
            raise ApiError(404, "repository_missing_exception", f"[{part}] missing")
        chosen.update(matched)
    return list(chosen.values())


async def get_repositories(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, {"local", "master_timeout"})
    expression = request.match_info.get("repo") or "_all"
    repos = _match_repositories(cluster, expression)
    return respond(request, {r.name: _repository_view(cluster, r) for r in repos})


def resolve_location(cluster: SimCluster, name: str, location: str) -> Path:
    """ES ``Environment.resolveRepoFile``: the location must be under one of ``path.repo``."""
    roots = [root.resolve() for root in cluster.repo_roots]
    candidate = Path(location)
    options = [candidate.resolve()] if candidate.is_absolute() else [
        (root / candidate).resolve() for root in roots
    ]
    for option in options:
        for root in roots:
            if option == root or root in option.parents:
                return option
    tail = "" if roots else " because this setting is empty"
    inner = ApiError(
        500,
        "repository_exception",
        f"[{name}] location [{location}] doesn't match any of the locations specified by "
        f"path.repo{tail}",
    )
    raise wrapped(ApiError(500, "repository_exception", f"[{name}] failed to create repository"),
                  inner)


_REPOSITORY_TYPES = {"fs", "url", "s3", "gcs", "azure", "hdfs", "source"}


def register_repository(
    cluster: SimCluster, name: str, body: dict[str, Any], *, verify: bool = True
) -> RegisteredRepository:
    """Validate and register a repository exactly like ``PUT _snapshot/<name>``."""
    repo_type = body.get("type")
    if not repo_type:
        raise ApiError(
            400, "action_request_validation_exception", "Validation Failed: 1: type is missing;"
        )
    raw_settings = body.get("settings") or {}
    if not isinstance(raw_settings, dict):
        raise ApiError(400, "illegal_argument_exception", "malformed settings section")
    settings = {k: _setting_string(v) for k, v in _flatten(raw_settings).items()}
    if repo_type not in _REPOSITORY_TYPES or repo_type != "fs":
        if repo_type in _REPOSITORY_TYPES:
            reason = f"[{name}] repository type [{repo_type}] is not available in the sandbox"
        else:
            reason = f"[{name}] repository type [{repo_type}] does not exist"
        raise ApiError(500, "repository_exception", reason)
    location = settings.get("location")
    if not location:
        raise wrapped(
            ApiError(500, "repository_exception", f"[{name}] failed to create repository"),
            ApiError(500, "repository_exception", f"[{name}] missing location"),
        )
    path = resolve_location(cluster, name, location)
    repo = RegisteredRepository(name=name, type=repo_type, settings=settings, path=path)
    if not repo.readonly:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _not_accessible(cluster, repo, str(error)) from None
    if verify:
        verify_repository(cluster, repo)
    cluster.repositories[name] = repo
    return repo


def _not_accessible(cluster: SimCluster, repo: RegisteredRepository, why: str) -> ApiError:
    return wrapped(
        ApiError(
            500,
            "repository_verification_exception",
            f"[{repo.name}] path  is not accessible on master node",
        ),
        ApiError(500, "i_o_exception", why),
    )


def verify_repository(cluster: SimCluster, repo: RegisteredRepository) -> None:
    path = repo.path
    if path is None:
        return
    if repo.readonly:
        if not path.is_dir():
            raise wrapped(
                ApiError(500, "repository_verification_exception",
                         f"[{repo.name}] path  is not accessible on master node"),
                ApiError(500, "no_such_file_exception", str(path)),
            )
        return
    probe = path / f"tests-{cluster.ids.uuid()}"
    try:
        probe.mkdir()
        (probe / "master.dat").write_bytes(b"sandbox")
        (probe / "master.dat").unlink()
        probe.rmdir()
    except OSError as error:
        raise _not_accessible(cluster, repo, str(error)) from None


def _flatten(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _setting_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


async def put_repository(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    params = check_params(request, {"master_timeout", "timeout", "verify"})
    body = await read_json(request)
    if body is None:
        raise ApiError(400, "parse_exception", "request body is required")
    verify = flag(params, "verify", True)
    register_repository(cluster, request.match_info["repo"], body, verify=verify)
    return respond(request, {"acknowledged": True})


async def delete_repository(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, {"master_timeout", "timeout"})
    for repo in _match_repositories(cluster, request.match_info["repo"]):
        cluster.repositories.pop(repo.name, None)
    return respond(request, {"acknowledged": True})


async def post_verify(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, {"master_timeout", "timeout"})
    name = request.match_info["repo"]
    repo = cluster.repositories.get(name)
    if repo is None:
        raise ApiError(404, "repository_missing_exception", f"[{name}] missing")
    verify_repository(cluster, repo)
    return respond(request, {"nodes": {n.id: {"name": n.name} for n in cluster.nodes}})


async def post_cleanup(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    check_params(request, {"master_timeout", "timeout"})
    name = request.match_info["repo"]
    repo = cluster.repositories.get(name)
    if repo is None:
        raise ApiError(404, "repository_missing_exception", f"[{name}] missing")
    if repo.readonly:
        raise ApiError(
            500, "repository_exception", f"[{name}] cannot run cleanup on readonly repository"
        )
    return respond(request, {"results": {"deleted_bytes": 0, "deleted_blobs": 0}})


# --------------------------------------------------------------------------------------------
# app assembly


def _snapshot_module_hooks() -> list[Callable[[web.Application, SimCluster], None]]:
    hooks = []
    for module_name, function in (
        ("esnap_tui.sandbox.snapshots", "register_snapshot_routes"),
        ("esnap_tui.sandbox.restore", "register_restore_routes"),
        ("esnap_tui.sandbox.recovery", "register_recovery_routes"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        hook = getattr(module, function, None)
        if hook is not None:
            hooks.append(hook)
    return hooks


def build_app(cluster: SimCluster) -> web.Application:
    """One aiohttp application speaking ``cluster.dialect``."""
    app = web.Application(middlewares=[sandbox_middleware], client_max_size=64 * 1024**2)
    app[CLUSTER_KEY] = cluster
    app.on_response_prepare.append(_on_prepare)
    dialect = cluster.dialect
    r = app.router
    r.add_route("GET", "/", root)
    r.add_route("HEAD", "/", root, )
    r.add_get("/_cluster/health", cluster_health, allow_head=False)
    r.add_get("/_cluster/health/{index}", cluster_health, allow_head=False)
    r.add_get("/_cluster/settings", cluster_settings, allow_head=False)
    r.add_get("/_cluster/state/metadata", cluster_state_metadata, allow_head=False)
    r.add_get("/_cluster/state/metadata/{index}", cluster_state_metadata, allow_head=False)
    r.add_get("/_cat/indices", cat_indices, allow_head=False)
    r.add_get("/_cat/indices/{index}", cat_indices, allow_head=False)
    r.add_get("/_cat/allocation", cat_allocation, allow_head=False)
    r.add_get("/_cat/allocation/{node}", cat_allocation, allow_head=False)
    r.add_get("/_nodes/stats/fs", nodes_stats_fs, allow_head=False)
    r.add_get("/_nodes/{node}/stats/fs", nodes_stats_fs, allow_head=False)
    if dialect.supports("data_streams"):
        r.add_get("/_data_stream", get_data_streams, allow_head=False)
        r.add_get("/_data_stream/{name}", get_data_streams, allow_head=False)
        r.add_delete("/_data_stream/{name}", delete_data_stream)
    if dialect.supports("features_api"):
        r.add_get("/_features", get_features, allow_head=False)
    if dialect.supports("license_api") or (not dialect.is_opensearch and dialect.major == 6):
        r.add_get("/_license", get_license, allow_head=False)
        if dialect.major <= 7:
            r.add_get("/_xpack/license", get_license, allow_head=False)
    if dialect.supports("slm"):
        r.add_get("/_slm/policy", get_slm_policies, allow_head=False)
        r.add_get("/_slm/policy/{policy}", get_slm_policies, allow_head=False)
    # repository routes: literal sub-paths first, then snapshot modules, then the generic ones
    r.add_get("/_snapshot", get_repositories, allow_head=False)
    r.add_post("/_snapshot/{repo}/_verify", post_verify)
    if dialect.supports("cleanup"):
        r.add_post("/_snapshot/{repo}/_cleanup", post_cleanup)
    for hook in _snapshot_module_hooks():
        hook(app, cluster)
    r.add_get("/_snapshot/{repo}", get_repositories, allow_head=False)
    r.add_put("/_snapshot/{repo}", put_repository)
    r.add_post("/_snapshot/{repo}", put_repository)
    r.add_delete("/_snapshot/{repo}", delete_repository)
    r.add_get("/{index}/_settings", index_settings, allow_head=False)
    r.add_get("/{index}/_settings/{name}", index_settings, allow_head=False)
    r.add_get("/_settings", index_settings, allow_head=False)
    r.add_post("/{index}/_close", close_index)
    r.add_post("/{index}/_open", open_index)
    r.add_get("/{index}", get_index, allow_head=False)
    r.add_delete("/{index}", delete_index)
    return app


class ClusterServer:
    """A running HTTP server for one ``SimCluster`` on 127.0.0.1 (port 0 = ephemeral)."""

    def __init__(self, cluster: SimCluster, *, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox listens on loopback only")
        self.cluster = cluster
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(build_app(self.cluster), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if server is not None and getattr(server, "sockets", None):
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()
            self._runner = None


__all__ = [
    "ClusterServer",
    "build_app",
    "register_repository",
    "repository_uuid",
    "resolve_location",
    "time_value",
    "verify_repository",
]
