"""The exact ``POST _snapshot/<repo>/<snap>/_restore`` a plan sends, for the target's version.

Why: the body parser of every release refuses keys it does not know (``Unknown parameter
<name>``, 400), and the review screen must show the very request that will be sent. So the
body is built once, here, from the plan and the target's version (reference §4.1), and the
review screen, the curl rendering, the audit log and the executor all use this one object.

Keys by version: ``indices``, ``partial``, ``include_global_state``, ``include_aliases``,
``rename_pattern``/``rename_replacement``, ``index_settings``, ``ignore_index_settings`` and
``ignore_unavailable`` are accepted everywhere; ``feature_states`` by Elasticsearch 7.12+ only
(never by OpenSearch); ``settings`` is never sent (ignored by 7.x, refused by 8.x).
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from esnap_tui.restore.plan import RestorePlan, flatten_index_settings
from esnap_tui.versions import Product, Version

MASK = "********"


class UnsupportedOption(ValueError):
    """The plan asks for something the target version's restore API does not have."""


def supports_feature_states(version: Version) -> bool:
    """``feature_states`` in the restore body: Elasticsearch 7.12+ (reference §4.1)."""
    return version.product is Product.ELASTICSEARCH and (version.major, version.minor) >= (7, 12)


def accepted_body_keys(version: Version) -> frozenset[str]:
    """The restore body keys esnap may send to a cluster of ``version``."""
    keys = {
        "indices",
        "ignore_unavailable",
        "include_global_state",
        "include_aliases",
        "partial",
        "rename_pattern",
        "rename_replacement",
        "index_settings",
        "ignore_index_settings",
    }
    if supports_feature_states(version):
        keys.add("feature_states")
    return frozenset(keys)


class RestoreRequest(NamedTuple):
    """One HTTP request; unpacks as ``(method, path, params, body)``."""

    method: str
    path: str
    params: dict[str, str]
    body: dict[str, Any]

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path

    @property
    def title(self) -> str:
        """Console form: ``POST _snapshot/repo/snap/_restore?wait_for_completion=false``."""
        return f"{self.method} {self.path_with_query.lstrip('/')}"

    def body_json(self) -> str:
        """The body as pretty JSON, keys in the order they are sent."""
        return json.dumps(self.body, indent=2, ensure_ascii=False)

    def console(self) -> str:
        """The review-screen text: the request line, then the body (Kibana console style)."""
        return f"{self.title}\n{self.body_json()}"

    def curl(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password_env: str | None = None,
        api_key_env: str | None = None,
        has_password: bool = False,
        has_api_key: bool = False,
        ca_certs: str | None = None,
        insecure: bool = False,
    ) -> str:
        """A curl command that sends this request; it never contains a secret.

        Secrets appear as a shell reference to the environment variable they come from
        (``$ES_PASSWORD``), or as ``********`` when esnap got them some other way.
        Credentials embedded in ``base_url`` are removed.
        """
        url = _strip_credentials(base_url).rstrip("/") + self.path_with_query
        parts = ["curl", "-sS", "-X", self.method]
        if ca_certs:
            parts += ["--cacert", shlex.quote(ca_certs)]
        if insecure:
            parts.append("-k")
        if api_key_env or has_api_key:
            secret = f"${{{api_key_env}}}" if api_key_env else MASK
            parts += ["-H", f'"Authorization: ApiKey {secret}"']
        elif username:
            secret = f"${{{password_env}}}" if password_env else MASK
            if password_env or has_password:
                parts += ["-u", f'"{_dq(username)}:{secret}"']
            else:
                parts += ["-u", shlex.quote(username)]
        parts += ["-H", shlex.quote("Content-Type: application/json"), shlex.quote(url)]
        if self.body:
            parts += ["-d", shlex.quote(json.dumps(self.body, ensure_ascii=False))]
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "params": dict(self.params),
            "body": self.body,
        }


def _dq(text: str) -> str:
    """Escape for inside double quotes (so a ``$VAR`` next to it still expands)."""
    return re.sub(r'(["\\$`])', r"\\\1", text)


def _strip_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def restore_path(repository: str, snapshot: str) -> str:
    return f"/_snapshot/{quote(repository, safe='')}/{quote(snapshot, safe='')}/_restore"


def build_request(plan: RestorePlan, target_version: Version) -> RestoreRequest:
    """The request for ``plan`` on a cluster of ``target_version``.

    Raises :class:`UnsupportedOption` when the plan needs a key the target does not accept
    (feature states before 7.12 or on OpenSearch); the pre-flight checks report the same
    thing as a blocker before anyone gets here.
    """
    body: dict[str, Any] = {}
    expressions = plan.expressions
    if expressions is not None:
        body["indices"] = list(expressions)
    body["ignore_unavailable"] = plan.ignore_unavailable
    body["include_global_state"] = plan.include_global_state
    if supports_feature_states(target_version):
        if plan.feature_states:
            body["feature_states"] = list(plan.feature_states)
        elif plan.include_global_state:
            # explicit: otherwise global state brings every feature state with it
            body["feature_states"] = ["none"]
    elif plan.feature_states and plan.feature_states != ["none"]:
        raise UnsupportedOption(
            f"feature states cannot be restored into {_label(target_version)}: "
            "the restore API has feature_states from Elasticsearch 7.12"
        )
    body["include_aliases"] = plan.include_aliases
    body["partial"] = plan.partial
    if plan.renames:
        body["rename_pattern"] = plan.rename_pattern
        body["rename_replacement"] = plan.rename_replacement
    if plan.index_settings:
        body["index_settings"] = flatten_index_settings(plan.index_settings)
    if plan.ignore_index_settings:
        body["ignore_index_settings"] = list(plan.ignore_index_settings)
    allowed = accepted_body_keys(target_version)
    unexpected = [key for key in body if key not in allowed]
    if unexpected:  # a bug in this module, never the user's
        raise UnsupportedOption(f"{_label(target_version)} does not accept {unexpected}")
    return RestoreRequest(
        method="POST",
        path=restore_path(plan.repository_on_target, plan.snapshot),
        params={"wait_for_completion": "false"},
        body=body,
    )


def _label(version: Version) -> str:
    product = "OpenSearch" if version.product is Product.OPENSEARCH else "Elasticsearch"
    return f"{product} {version}"


def register_repository_request(
    name: str, type_: str, settings: dict[str, Any], *, verify: bool = True
) -> RestoreRequest:
    """``PUT _snapshot/<name>`` registering a repository read-only (the confirmed fix step).

    ``url`` repositories are read-only by nature and take no ``readonly`` setting.
    """
    clean = {k: v for k, v in settings.items() if k != "readonly"}
    if type_ != "url":
        clean["readonly"] = True
    params = {} if verify else {"verify": "false"}
    return RestoreRequest(
        method="PUT",
        path=f"/_snapshot/{quote(name, safe='')}",
        params=params,
        body={"type": type_, "settings": clean},
    )
