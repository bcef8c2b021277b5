"""An async client for any Elasticsearch (6.8-9.x) or OpenSearch cluster.

Why not ``AsyncElasticsearch``: the official client refuses Elasticsearch before 7.14, every
OpenSearch, and (client 9) Elasticsearch 8 (es-rest-api.md §2.3). So this client keeps the
package's transport (node pool, aiohttp, TLS, bounded retries) and talks plain
``application/json`` itself, detecting product and version with ``GET /``.

Reads are retried a bounded number of times on connection errors, timeouts and 502-504;
writes (POST/PUT/DELETE) are never retried unless a caller asks explicitly. Every failure
becomes a ``ClusterUnavailable`` with a one-line message that never contains a secret.
"""

from __future__ import annotations

import base64
import errno
import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
from elastic_transport import (
    AsyncTransport,
    ConnectionError,
    ConnectionTimeout,
    NodeConfig,
    SerializationError,
    Serializer,
    TlsError,
    TransportError,
)
from elastic_transport._node import AiohttpHttpNode

from esnap_tui.cluster import parse
from esnap_tui.cluster.capabilities import Capabilities, capabilities_for
from esnap_tui.cluster.models import (
    ClusterHealth,
    ClusterIndex,
    ClusterInfo,
    ClusterLicense,
    ClusterUnavailable,
    ConnectionRefused,
    ConnectionTimedOut,
    CredentialsUnavailable,
    Forbidden,
    HttpError,
    NotElasticsearch,
    RepositoryInfo,
    SnapshotPage,
    TlsFailure,
    Unauthorized,
)
from esnap_tui.config import ClusterConfig, Credentials, SecretError, resolve_credentials
from esnap_tui.models import SnapshotDetail, SnapshotSummary
from esnap_tui.versions import Product, Version

USER_AGENT = "esnap"
READ_METHODS = frozenset({"GET", "HEAD"})
RETRY_STATUSES = (502, 503, 504)
# Below this many snapshots an old cluster's list is fetched verbose in one go (exact sort);
# above it esnap pages the cheap verbose=false list and fetches details per page.
FULL_FETCH_LIMIT = 200
_MAX_NAMES_PATH = 3000  # stay under Elasticsearch's 4kb initial-line limit


class _RawBytes(Serializer):
    """Hands bodies back untouched so esnap decides what a non-JSON answer means."""

    mimetype = "application/json"

    def loads(self, data: bytes) -> Any:
        return data

    def dumps(self, data: Any) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode("utf-8")


_RAW = _RawBytes()
_SERIALIZERS = {
    "application/json": _RAW,
    "application/*": _RAW,
    "text/*": _RAW,
    "application/x-ndjson": _RAW,
}


@dataclass(frozen=True)
class RestResponse:
    """One HTTP answer: status, headers (lower-case names) and the decoded JSON body."""

    status: int
    headers: Mapping[str, str]
    body: Any


def _quote(part: str) -> str:
    return quote(part, safe="*,")


def _query(params: Mapping[str, Any] | None) -> str:
    if not params:
        return ""
    items = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        items.append((key, str(value)))
    return "?" + urlencode(items) if items else ""


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class ClusterClient:
    """One configured cluster. ``connect()`` first (other calls connect on demand)."""

    def __init__(
        self,
        config: ClusterConfig,
        *,
        request_timeout: float = 10.0,
        read_retries: int = 2,
        retry_backoff: tuple[float, float] = (0.2, 1.0),
        full_fetch_limit: int = FULL_FETCH_LIMIT,
    ) -> None:
        self.config = config
        self.request_timeout = request_timeout
        self.read_retries = read_retries
        self.retry_backoff = retry_backoff
        self.full_fetch_limit = full_fetch_limit
        self.info: ClusterInfo | None = None
        self.capabilities: Capabilities | None = None
        self._transport: AsyncTransport | None = None
        self._auth_header: str | None = None  # never logged or shown
        self._secrets: tuple[str, ...] = ()
        self._listings: dict[tuple[str, str, str | None, str | None], _Listing] = {}

    def __repr__(self) -> str:
        return f"ClusterClient({self.config.name!r}, {self.where!r})"

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def where(self) -> str:
        """The URL(s) for messages."""
        urls = self.config.urls
        return urls[0] if len(urls) == 1 else f"{urls[0]} (+{len(urls) - 1} more)"

    async def __aenter__(self) -> ClusterClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._transport is not None:
            transport, self._transport = self._transport, None
            await transport.close()

    # --- transport --------------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not any(url.startswith("https:") for url in self.config.urls):
            return None
        ca = self.config.ca_certs
        try:
            if ca and Path(ca).is_dir():
                context = ssl.create_default_context(capath=ca)
            elif ca:
                context = ssl.create_default_context(cafile=ca)
            else:
                context = ssl.create_default_context()
        except (OSError, ssl.SSLError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise TlsFailure(
                f"cannot load ca_certs {ca}: {reason}", url=self.config.url, reached_server=False
            ) from None
        if not self.config.verify_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def _ensure_transport(self) -> AsyncTransport:
        if self._transport is not None:
            return self._transport
        try:
            credentials = await resolve_credentials(self.config)
        except SecretError as error:
            raise CredentialsUnavailable(
                str(error), url=self.config.url, reached_server=False
            ) from None
        self._set_auth(credentials)
        context = self._ssl_context()
        nodes = []
        for url in self.config.urls:
            parts = urlsplit(url)
            scheme = parts.scheme
            nodes.append(
                NodeConfig(
                    scheme=scheme,
                    host=parts.hostname or "localhost",
                    port=parts.port or (443 if scheme == "https" else 9200),
                    path_prefix=parts.path.rstrip("/"),
                    request_timeout=self.request_timeout,
                    ssl_context=context if scheme == "https" else None,
                    verify_certs=self.config.verify_certs,
                    ssl_show_warn=False,
                    headers={"user-agent": USER_AGENT},
                )
            )
        low, high = self.retry_backoff
        self._transport = AsyncTransport(
            nodes,
            node_class=AiohttpHttpNode,
            serializers=_SERIALIZERS,
            randomize_nodes_in_pool=False,
            meta_header=False,
            max_retries=0,
            retry_backoff_base=low,
            retry_backoff_cap=high,
        )
        return self._transport

    def _set_auth(self, credentials: Credentials) -> None:
        if credentials.api_key:
            key = credentials.api_key
            if ":" in key:  # "id:api_key" -> the encoded form Elasticsearch expects
                key = base64.b64encode(key.encode()).decode()
            self._auth_header = f"ApiKey {key}"
            self._secrets = (credentials.api_key, key)
        elif credentials.username is not None:
            token = base64.b64encode(
                f"{credentials.username}:{credentials.password or ''}".encode()
            ).decode()
            self._auth_header = f"Basic {token}"
            self._secrets = tuple(s for s in (credentials.password, token) if s)
        else:
            self._auth_header = None
            self._secrets = ()

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            if len(secret) >= 3:
                text = text.replace(secret, "****")
        return text

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        retry: bool | None = None,
        timeout: float | None = None,
        raise_for_status: bool = True,
    ) -> RestResponse:
        """One REST call. ``retry`` defaults to True for GET/HEAD and False for anything that
        may change the cluster; pass it explicitly only for writes known to be idempotent.
        Raises ``ClusterUnavailable`` subclasses (``HttpError`` for non-2xx statuses)."""
        method = method.upper()
        status, headers, raw = await self._send(
            method,
            path + _query(params),
            body,
            retry=method in READ_METHODS if retry is None else retry,
            timeout=timeout,
        )
        decoded = self._decode(raw)
        if raise_for_status and not 200 <= status < 300:
            raise self._status_error(method, path, status, decoded)
        return RestResponse(status, headers, decoded)

    async def _send(
        self, method: str, target: str, body: Any, *, retry: bool, timeout: float | None
    ) -> tuple[int, dict[str, str], bytes]:
        transport = await self._ensure_transport()
        headers = {"accept": "application/json"}
        payload: bytes | None = None
        if body is not None:
            headers["content-type"] = "application/json"
            payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        if self._auth_header:
            headers["authorization"] = self._auth_header
        try:
            response = await transport.perform_request(
                method,
                target,
                body=payload,
                headers=headers,
                max_retries=self.read_retries if retry else 0,
                retry_on_timeout=retry,
                retry_on_status=RETRY_STATUSES if retry else (),
                request_timeout=self.request_timeout if timeout is None else timeout,
            )
        except TransportError as error:
            raise self._transport_error(error) from None
        data = response.body if isinstance(response.body, bytes) else b""
        response_headers = {key.lower(): value for key, value in response.meta.headers.items()}
        return response.meta.status, response_headers, data

    @staticmethod
    def _decode(raw: bytes) -> Any:
        if not raw:
            return None
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return _NotJson(raw)

    def _transport_error(self, error: TransportError) -> ClusterUnavailable:
        where = self.where
        cause = _cause(error)
        # aiohttp raises ClientConnectorError (and its DNS/SSL/certificate subclasses) only
        # while connecting: then the request was never sent.
        never_sent = isinstance(cause, aiohttp.ClientConnectorError)
        if isinstance(error, ConnectionTimeout):
            return ConnectionTimedOut(
                f"timeout: no answer from {where} within {self.request_timeout:g}s",
                url=where,
                reached_server=False if never_sent else None,
            )
        if isinstance(error, TlsError):
            reason = getattr(cause, "reason", None) or str(cause or error)
            detail = _one_line(self._scrub(str(reason)))
            return TlsFailure(
                f"TLS error at {where}: {detail}",
                url=where,
                reached_server=False if never_sent or isinstance(cause, ssl.SSLError) else None,
            )
        if isinstance(error, SerializationError):
            return NotElasticsearch(
                f"{where} answered with a body that is not JSON: not Elasticsearch", url=where
            )
        if isinstance(error, ConnectionError):
            os_error = getattr(cause, "os_error", None)
            dns_error = getattr(aiohttp, "ClientConnectorDNSError", ())
            sent = False if never_sent else None
            if dns_error and isinstance(cause, dns_error):
                host = urlsplit(self.config.url).hostname
                return ConnectionRefused(
                    f"cannot resolve host {host} ({where})", url=where, reached_server=False
                )
            if isinstance(os_error, OSError) and os_error.errno == errno.ECONNREFUSED:
                return ConnectionRefused(
                    f"connection refused at {where}", url=where, reached_server=False
                )
            if isinstance(cause, aiohttp.ServerDisconnectedError):
                return ConnectionRefused(
                    f"{where} closed the connection without answering (TLS port with http://?)",
                    url=where,
                    reached_server=None,
                )
            detail = _one_line(self._scrub(str(cause or error)))
            if never_sent and "refused" in detail.lower():
                return ConnectionRefused(
                    f"connection refused at {where}", url=where, reached_server=False
                )
            return ConnectionRefused(
                f"cannot connect to {where}: {detail}", url=where, reached_server=sent
            )
        return ClusterUnavailable(
            f"{where}: {_one_line(self._scrub(str(error)))}", url=where, reached_server=None
        )

    def _auth_hint(self) -> str:
        config = self.config
        if config.api_key_env:
            return f"check the API key in {config.api_key_env}"
        if config.password_env:
            return f"check username and password_env {config.password_env}"
        if config.password_command is not None:
            return "check username and password_command"
        return "the cluster needs credentials: set username with password_env, or api_key_env"

    def _status_error(self, method: str, path: str, status: int, body: Any) -> ClusterUnavailable:
        where = self.where
        error_type, reason = parse.error_summary(body)
        detail = _one_line(self._scrub(f"{error_type + ': ' if error_type else ''}{reason or ''}"))
        if status == 401:
            return Unauthorized(f"401 unauthorized at {where}: {self._auth_hint()}", url=where)
        if status == 403:
            return Forbidden(
                f"403 forbidden: {method} {path} at {where}"
                + (f": {detail}" if detail else " (missing privileges)"),
                url=where,
            )
        return HttpError(
            f"HTTP {status} from {method} {path} at {where}" + (f": {detail}" if detail else ""),
            url=where,
            status=status,
            error_type=error_type,
            reason=reason,
            body=None if isinstance(body, _NotJson) else body,
        )

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        if self.info is None:
            await self.connect()
        body = (await self.request("GET", path, params)).body
        if isinstance(body, _NotJson):
            raise HttpError(
                f"GET {path} at {self.where} answered with something that is not JSON",
                url=self.where,
            )
        return body

    # --- connect and detect -------------------------------------------------------------------

    async def connect(self) -> ClusterInfo:
        """``GET /``: who is there. Raises a ``ClusterUnavailable`` subclass."""
        status, headers, raw = await self._send("GET", "/", None, retry=True, timeout=None)
        body = self._decode(raw)
        if status in (401, 403) or (status >= 300 and parse.error_summary(body) != (None, None)):
            raise self._status_error("GET", "/", status, body)
        if not isinstance(body, dict):
            kind = headers.get("content-type", "no content type").split(";")[0]
            raise NotElasticsearch(
                f"{self.where} is not Elasticsearch or OpenSearch "
                f"(HTTP {status}, {kind} instead of cluster info)",
                url=self.where,
            )
        self.info = self._detect(body, headers, status)
        self.capabilities = capabilities_for(self.info.version, self.info.product)
        return self.info

    def _detect(self, body: dict[str, Any], headers: Mapping[str, str], status: int) -> ClusterInfo:
        where = self.where
        version = body.get("version")
        number = version.get("number") if isinstance(version, dict) else None
        tagline = body.get("tagline") if isinstance(body.get("tagline"), str) else None
        if not isinstance(version, dict) or not isinstance(number, str) or status >= 300:
            raise NotElasticsearch(
                f"{where} is not Elasticsearch or OpenSearch (its answer to GET / has no "
                "version.number)",
                url=where,
            )
        if version.get("distribution") == "opensearch" or "opensearch" in (tagline or "").lower():
            product = Product.OPENSEARCH
        elif (
            headers.get("x-elastic-product") == "Elasticsearch"
            or tagline == "You Know, for Search"
        ):
            product = Product.ELASTICSEARCH
        else:
            raise NotElasticsearch(
                f"{where} is not Elasticsearch or OpenSearch (unknown product, tagline "
                f"{_one_line(tagline or 'missing', 60)!r})",
                url=where,
            )
        try:
            parsed = Version.parse(number, product)
        except ValueError:
            raise NotElasticsearch(
                f"{where} reports version {_one_line(number, 40)!r}, which esnap cannot read",
                url=where,
            ) from None

        def compat(key: str) -> Version | None:
            text = version.get(key)
            if not isinstance(text, str):
                return None
            try:
                # OpenSearch states Elasticsearch versions (6.x/7.x) for its 1.x/2.x
                # compatibility and its own (2.x) from 3.0.
                major = int(text.split(".", 1)[0])
                owner = (
                    Product.OPENSEARCH
                    if product is Product.OPENSEARCH and major <= 4
                    else Product.ELASTICSEARCH
                )
                return Version.parse(text, owner)
            except ValueError:
                return None

        flavor = version.get("build_flavor")
        return ClusterInfo(
            name=str(body.get("name", "")),
            cluster_name=str(body.get("cluster_name", "")),
            cluster_uuid=parse._str(body.get("cluster_uuid")),
            version=parsed,
            product=product,
            build_flavor=flavor if isinstance(flavor, str) else None,
            minimum_index_compatibility=compat("minimum_index_compatibility_version"),
            minimum_wire_compatibility=compat("minimum_wire_compatibility_version"),
            tagline=tagline,
        )

    async def _caps(self) -> Capabilities:
        if self.capabilities is None:
            await self.connect()
        assert self.capabilities is not None
        return self.capabilities

    # --- reads ----------------------------------------------------------------------------------

    async def health(self) -> ClusterHealth:
        return parse.health(await self._get("/_cluster/health"))

    async def repositories(self) -> list[RepositoryInfo]:
        return parse.repositories(await self._get("/_snapshot"))

    async def indices(self) -> list[ClusterIndex]:
        caps = await self._caps()
        params: dict[str, Any] = {
            "format": "json",
            "bytes": "b",
            "h": "health,status,index,uuid,pri,rep,docs.count,store.size",
        }
        if caps.product is Product.OPENSEARCH or caps.version >= Version(7, 7, 0):
            params["expand_wildcards"] = "all"  # hidden indices matter for restore conflicts
        return parse.cat_indices(await self._get("/_cat/indices", params))

    async def index_settings(self, index: str) -> dict[str, str]:
        body = await self._get(f"/{_quote(index)}/_settings", {"flat_settings": True})
        return parse.flat_settings(body, index)

    async def license(self) -> ClusterLicense | None:
        """The licence, or None where there is none to read (OpenSearch, an OSS build, no
        licence installed, or no privilege to see it): callers then treat it as unknown.

        6.x answers on ``_xpack/license``; 7.6-7.17 show an enterprise licence as platinum
        unless ``accept_enterprise=true``; 8.x always shows it (and deprecates the flag)."""
        caps = await self._caps()
        if caps.product is Product.OPENSEARCH:
            return None
        version = caps.version
        path = "/_xpack/license" if version.major < 7 else "/_license"
        params = {"accept_enterprise": True} if Version(7, 6, 0) <= version < Version(8) else None
        try:
            body = await self._get(path, params)
        except (HttpError, Forbidden) as error:
            if isinstance(error, Forbidden) or error.status in (400, 404, 405):
                return None
            raise
        return parse.license_info(body)

    async def snapshot(self, repository: str, name: str) -> SnapshotDetail:
        caps = await self._caps()
        params = {"index_details": True} if caps.index_details else None
        body = await self._get(f"/_snapshot/{_quote(repository)}/{_quote(name)}", params)
        raws = parse.snapshot_list(body)
        raw = next((r for r in raws if r.get("snapshot") == name), raws[0] if raws else None)
        if raw is None:
            raise HttpError(
                f"snapshot {name!r} not found in repository {repository!r} at {self.where}",
                url=self.where,
                status=404,
                error_type="snapshot_missing_exception",
            )
        return parse.snapshot_detail(raw, repository, caps.product)

    async def snapshots_page(
        self,
        repository: str,
        *,
        size: int = 50,
        after: str | None = None,
        sort: str = "start_time",
        order: str = "desc",
        pattern: str = "*",
        state: str | None = None,
        slm_policy: str | None = None,
    ) -> SnapshotPage:
        """One page of snapshots, newest first by default.

        7.14+ pages on the server (``next`` is the server's cursor). Older clusters and
        OpenSearch: esnap lists names cheaply (``verbose=false``), sorts and slices them, and
        fetches details only for the page. ``state``/``slm_policy`` use the server filter
        where one exists (9.1 / 7.16) and filter the page otherwise.
        """
        if size <= 0:
            raise ValueError("size must be positive")
        if order not in ("asc", "desc"):
            raise ValueError("order must be 'asc' or 'desc'")
        caps = await self._caps()
        if caps.server_pagination and sort in caps.sort_fields and not (
            after or ""
        ).startswith(_OFFSET_CURSOR):
            page = self._server_page
        else:
            page = self._client_page
        return await page(caps, repository, size, after, sort, order, pattern, state, slm_policy)

    async def _server_page(
        self,
        caps: Capabilities,
        repository: str,
        size: int,
        after: str | None,
        sort: str,
        order: str,
        pattern: str,
        state: str | None,
        slm_policy: str | None,
    ) -> SnapshotPage:
        params: dict[str, Any] = {"size": size, "sort": sort, "order": order}
        if after:
            params["after"] = after
        if state and caps.state_filter:
            params["state"] = state
        if slm_policy and caps.slm_policy_filter:
            params["slm_policy_filter"] = slm_policy
        body = await self._get(f"/_snapshot/{_quote(repository)}/{_quote(pattern)}", params)
        items = _filtered(
            _summaries(body, repository, caps.product),
            None if caps.state_filter else state,
            None if caps.slm_policy_filter else slm_policy,
        )
        envelope = body if isinstance(body, dict) else {}
        next_cursor = envelope.get("next")
        return SnapshotPage(
            items=items,
            next=next_cursor if isinstance(next_cursor, str) and next_cursor else None,
            total=parse._int(envelope.get("total")),
            remaining=parse._int(envelope.get("remaining")),
            server_paged=True,
            sorted_exactly=True,
        )

    async def _client_page(
        self,
        caps: Capabilities,
        repository: str,
        size: int,
        after: str | None,
        sort: str,
        order: str,
        pattern: str,
        state: str | None,
        slm_policy: str | None,
    ) -> SnapshotPage:
        key = (repository, pattern, state, slm_policy)
        listing = self._listings.get(key) if after else None
        if listing is None:
            listing = await self._listing(caps, repository, pattern)
            listing.items = _filtered(listing.items, state, slm_policy)
            self._listings[key] = listing
        ordered, exact = _sorted(listing.items, sort, order)
        offset = 0
        if after:
            try:
                offset = int(after.removeprefix(_OFFSET_CURSOR))
            except ValueError:
                raise ValueError(f"not a cursor from this client: {after!r}") from None
        page = ordered[offset : offset + size]
        if not listing.detailed and page:
            page = await self._details(caps, repository, page)
        end = offset + len(ordered[offset : offset + size])
        return SnapshotPage(
            items=page,
            next=f"{_OFFSET_CURSOR}{end}" if end < len(ordered) else None,
            total=len(ordered),
            remaining=len(ordered) - end,
            server_paged=False,
            sorted_exactly=exact,
        )

    async def _listing(self, caps: Capabilities, repository: str, pattern: str) -> _Listing:
        path = f"/_snapshot/{_quote(repository)}/{_quote(pattern)}"
        if caps.verbose_false:
            body = await self._get(path, {"verbose": False})
            raws = parse.snapshot_list(body)
            has_times = all(parse._time_ms(r.get("start_time_in_millis")) for r in raws)
            if has_times or len(raws) > self.full_fetch_limit:
                items = _summaries(body, repository, caps.product)
                return _Listing(items, detailed=False)
        body = await self._get(path)
        items = _summaries(body, repository, caps.product)
        return _Listing(items, detailed=True)

    async def _details(
        self, caps: Capabilities, repository: str, page: list[SnapshotSummary]
    ) -> list[SnapshotSummary]:
        """Verbose summaries for the snapshots of one page, keeping the page's order."""
        found: dict[str, SnapshotSummary] = {}
        batch: list[str] = []

        async def flush() -> None:
            if not batch:
                return
            path = f"/_snapshot/{_quote(repository)}/{_quote(','.join(batch))}"
            body = await self._get(path, {"ignore_unavailable": True})
            for raw in parse.snapshot_list(body):
                summary = parse.snapshot_summary(raw, repository, caps.product)
                found[summary.name] = summary
            batch.clear()

        length = 0
        for item in page:
            quoted = len(_quote(item.name)) + 1
            if batch and length + quoted > _MAX_NAMES_PATH:
                await flush()
                length = 0
            batch.append(item.name)
            length += quoted
        await flush()
        return [found.get(item.name, item) for item in page]


_OFFSET_CURSOR = "offset:"


def _cause(error: TransportError) -> BaseException | None:
    """The aiohttp/ssl exception behind a transport error. The node raises ``from None`` and
    the transport overwrites ``errors`` with earlier attempts, so look at ``__context__`` too."""
    if error.__context__ is not None:
        return error.__context__
    return error.errors[-1] if error.errors else None


def _summaries(body: Any, repository: str, product: Product) -> list[SnapshotSummary]:
    return [parse.snapshot_summary(raw, repository, product) for raw in parse.snapshot_list(body)]


@dataclass
class _Listing:
    items: list[SnapshotSummary]
    detailed: bool


class _NotJson(bytes):
    """A response body that did not decode as JSON (kept for messages)."""


def _filtered(
    items: list[SnapshotSummary], state: str | None, slm_policy: str | None
) -> list[SnapshotSummary]:
    """The ``state``/``slm_policy`` filters done here, where the server did not do them."""
    if state:
        items = [item for item in items if _state_matches(item, state)]
    if slm_policy:
        items = [item for item in items if _policy_matches(item, slm_policy)]
    return items


def _state_matches(item: SnapshotSummary, state: str) -> bool:
    wanted = {part.strip().upper() for part in state.split(",") if part.strip()}
    return item.state is not None and item.state.value in wanted


def _policy_matches(item: SnapshotSummary, policy: str) -> bool:
    wanted = {part.strip() for part in policy.split(",") if part.strip()}
    if "_none" in wanted and item.slm_policy is None:
        return True
    return item.slm_policy in wanted


def _sorted(
    items: list[SnapshotSummary], sort: str, order: str
) -> tuple[list[SnapshotSummary], bool]:
    """Sort a client-side listing; (result, exact). Missing keys fall back to name order."""
    def by_name(item: SnapshotSummary) -> tuple[Any, ...]:
        return (item.name,)

    keys = {
        "start_time": lambda i: i.start_time_ms,
        "duration": lambda i: i.duration_ms,
        "index_count": lambda i: i.indices_count,
        "name": None,
    }
    getter = keys.get(sort)
    exact = True
    if getter is None:
        if sort not in keys:
            exact = False
        key = by_name
    elif any(getter(item) is None for item in items):
        exact = False
        key = by_name
    else:
        def key(item: SnapshotSummary) -> tuple[Any, ...]:
            return (getter(item), item.name)

    return sorted(items, key=key, reverse=order == "desc"), exact


__all__ = ["FULL_FETCH_LIMIT", "ClusterClient", "RestResponse"]
