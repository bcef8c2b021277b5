"""Gather the facts the pre-flight checks read, from live clusters and local repository files.

Why a separate module: ``checks.py`` is pure and only sees ``TargetFacts``/``SnapshotFacts``;
this is the one place that knows which REST endpoint of which version holds each fact. Every
optional endpoint is asked for on its own and a missing one (6.8 has no data streams, OpenSearch
no licence or features, a user without ``monitor`` privilege) leaves that fact ``None`` or
empty — "not known" — and adds a note instead of failing the whole gather.

Created versions: the REST API never exposes an index's ``index.version.created``; when the
snapshot's repository is readable on this machine the offline reader gives it exactly, and the
compat verdicts use it; otherwise they use the bounds the snapshot's version proves.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from esnap_tui.cluster import ClusterClient, Forbidden, HttpError, RepositoryInfo
from esnap_tui.cluster.local import open_local_reader
from esnap_tui.models import IndexInSnapshot, SnapshotDetail
from esnap_tui.restore.facts import (
    ExistingDataStream,
    ExistingIndex,
    GlobalMetadataSummary,
    NodeDisk,
    RepositoryFacts,
    RestoreInFlight,
    SlmPolicyFacts,
    SnapshotFacts,
    TargetFacts,
)
from esnap_tui.versions import Product

if TYPE_CHECKING:
    from esnap_tui.repository.reader import RepositoryReader

_MISSING_STATUSES = (400, 404, 405, 410, 501)


class _Notes(list[str]):
    """What could not be learned (shown as info lines by the CLI and the wizard)."""


async def _optional(client: ClusterClient, path: str, params: Mapping[str, Any] | None,
                    notes: list[str], what: str) -> tuple[Any, Mapping[str, str]] | None:
    """GET ``path``; None (and a note) when the endpoint is absent or forbidden."""
    try:
        response = await client.request("GET", path, params)
    except Forbidden:
        notes.append(f"{what}: not allowed to read {path} on {client.name}")
        return None
    except HttpError as error:
        if error.status in _MISSING_STATUSES:
            notes.append(f"{what}: {client.name} has no {path} ({error.status})")
            return None
        raise
    return response.body, response.headers


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _nested(settings: Any, *keys: str) -> Any:
    """A setting from flat or nested settings (``index.number_of_shards``)."""
    if not isinstance(settings, dict):
        return None
    flat = ".".join(keys)
    if flat in settings:
        return settings[flat]
    node: Any = settings
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _duration_ms(text: Any) -> int | None:
    """``30d``, ``12h``, ``90m``, ``1000ms`` -> milliseconds (SLM ``expire_after``)."""
    if text is None:
        return None
    raw = str(text).strip().lower()
    units = (("ms", 1), ("micros", 0), ("nanos", 0), ("d", 86_400_000), ("h", 3_600_000),
             ("m", 60_000), ("s", 1000))
    for suffix, factor in units:
        if raw.endswith(suffix):
            number = raw[: -len(suffix)]
            try:
                value = float(number)
            except ValueError:
                continue
            return int(value * factor) if factor else 0
    return _int(raw)


def _date_ms(headers: Mapping[str, str]) -> int | None:
    """The cluster's idea of now, from the HTTP ``Date`` header (for SLM retention)."""
    text = headers.get("date")
    if not text:
        return None
    try:
        return int(email.utils.parsedate_to_datetime(text).timestamp() * 1000)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# target


async def gather_target_facts(
    client: ClusterClient,
    *,
    repository: str | None = None,
    snapshot: str | None = None,
    global_state: bool = False,
    notes: list[str] | None = None,
) -> TargetFacts:
    """Everything ``run_checks`` reads about the target cluster of ``client``.

    ``repository``/``snapshot``: also ask whether the target sees that snapshot in its
    repository of that name. ``global_state``: also read templates and pipelines (only a
    global-state restore needs them). ``notes`` collects what could not be learned.
    """
    notes = notes if notes is not None else _Notes()
    info = client.info or await client.connect()
    caps = client.capabilities
    assert caps is not None
    facts = TargetFacts(
        name=client.name,
        version=info.version,
        minimum_index_compatibility=info.minimum_index_compatibility,
    )
    licence = await client.license()
    facts.license = licence.effective if licence is not None else None
    metadata = await _indices(client, facts, notes)
    if caps.data_streams:
        found = await _optional(client, "/_data_stream", None, notes, "data streams")
        if found is not None:
            body, _ = found
            facts.data_streams = [
                ExistingDataStream(
                    name=str(s.get("name")),
                    indices=tuple(str(i.get("index_name")) for i in s.get("indices") or []),
                    system=bool(s.get("system", False)),
                )
                for s in (body or {}).get("data_streams", [])
                if isinstance(s, dict)
            ]
    await _disk(client, facts, notes)
    await _settings(client, facts, notes)
    try:
        repos = await client.repositories()
    except Forbidden:
        notes.append(f"repositories: not allowed to list them on {client.name}")
    else:
        facts.repositories = [_repository_facts(r) for r in repos]
        if repository is not None and snapshot is not None:
            facts.repository_snapshots = await _sees_snapshot(client, repos, repository, snapshot)
    facts.restores_in_progress = await restores_in_progress(client, notes=notes)
    if caps.slm:
        found = await _optional(client, "/_slm/policy", None, notes, "SLM policies")
        if found is not None:
            facts.slm_policies = _slm(found[0])
    if caps.feature_states:
        found = await _optional(client, "/_features", None, notes, "features")
        if found is not None:
            facts.installed_features = [
                str(f.get("name")) for f in (found[0] or {}).get("features", [])
            ]
    if global_state:
        _global_state(metadata, facts, notes)
    return facts


async def _indices(
    client: ClusterClient, facts: TargetFacts, notes: list[str]
) -> dict[str, Any] | None:
    """Existing indices (state, uuid, shards, aliases); returns the cluster-state metadata."""
    found = await _optional(
        client,
        "/_cluster/state/metadata",
        {
            "flat_settings": True,
            "filter_path": "metadata.indices.*.state,metadata.indices.*.settings,"
            "metadata.indices.*.aliases,metadata.indices.*.system,metadata.templates,"
            "metadata.index_template,metadata.component_template,metadata.ingest,"
            "metadata.index_lifecycle",
        },
        notes,
        "indices",
    )
    metadata: dict[str, Any] | None = None
    if found is None:
        # no cluster-state privilege: _cat/indices has names, state and shard counts
        for index in await client.indices():
            facts.indices.append(
                ExistingIndex(
                    name=index.name,
                    uuid=index.uuid,
                    state="close" if index.status == "close" else "open",
                    primary_shards=index.primary_shards,
                    replicas=index.replicas,
                )
            )
        facts.aliases = None
        notes.append("aliases: unknown (no cluster state); alias conflicts are not checked")
    else:
        body, headers = found
        facts.now_ms = _date_ms(headers)
        metadata = (body or {}).get("metadata") or {}
        for name, entry in (metadata.get("indices") or {}).items():
            settings = entry.get("settings") or {}
            facts.indices.append(
                ExistingIndex(
                    name=str(name),
                    uuid=_nested(settings, "index", "uuid"),
                    state=str(entry.get("state", "open")),
                    primary_shards=_int(_nested(settings, "index", "number_of_shards")),
                    replicas=_int(_nested(settings, "index", "number_of_replicas")),
                    aliases=tuple(entry.get("aliases") or ()),
                    system=bool(entry.get("system", False)),
                )
            )
    facts.open_shards = sum(
        (i.primary_shards or 0) * (1 + (i.replicas or 0)) for i in facts.indices if i.is_open
    )
    return metadata


async def _disk(client: ClusterClient, facts: TargetFacts, notes: list[str]) -> None:
    found = await _optional(
        client, "/_cat/allocation", {"format": "json", "bytes": "b"}, notes, "disk"
    )
    if found is None:
        return
    for row in found[0] or []:
        if not isinstance(row, dict) or row.get("node") in (None, "UNASSIGNED"):
            continue
        available = _int(row.get("disk.avail"))
        if available is None:
            continue
        roles = row.get("node.role")
        facts.nodes.append(
            NodeDisk(
                name=str(row["node"]),
                available_bytes=available,
                total_bytes=_int(row.get("disk.total")),
                data=roles is None or "d" in str(roles) or any(c in str(roles) for c in "hwcsf"),
            )
        )


async def _settings(client: ClusterClient, facts: TargetFacts, notes: list[str]) -> None:
    found = await _optional(
        client,
        "/_cluster/settings",
        {"include_defaults": True, "flat_settings": True},
        notes,
        "cluster settings",
    )
    if found is None:
        return
    body = found[0] or {}
    persistent = body.get("persistent") or {}
    facts.persistent_settings = {str(k): str(v) for k, v in persistent.items()}
    for layer in ("transient", "persistent", "defaults"):
        value = (body.get(layer) or {}).get("cluster.max_shards_per_node")
        if value is not None:
            facts.max_shards_per_node = _int(value)
            break


def _repository_facts(repo: RepositoryInfo) -> RepositoryFacts:
    return RepositoryFacts.from_settings(repo.name, repo.type, dict(repo.settings), uuid=repo.uuid)


async def _sees_snapshot(
    client: ClusterClient, repos: list[RepositoryInfo], repository: str, snapshot: str
) -> list[str] | None:
    if not any(r.name == repository for r in repos):
        return None  # the repository check reports it missing
    try:
        await client.request(
            "GET", f"/_snapshot/{_path(repository)}/{_path(snapshot)}", {"verbose": False}
            if (client.capabilities and client.capabilities.verbose_false) else None
        )
    except HttpError as error:
        if error.status == 404:
            return []
        return None
    return [snapshot]


def _path(part: str) -> str:
    from urllib.parse import quote

    return quote(part, safe="")


def _slm(body: Any) -> list[SlmPolicyFacts]:
    out = []
    for policy_id, entry in (body or {}).items():
        policy = (entry or {}).get("policy") or {}
        retention = policy.get("retention") or {}
        out.append(
            SlmPolicyFacts(
                id=str(policy_id),
                repository=str(policy.get("repository", "")),
                expire_after_ms=_duration_ms(retention.get("expire_after")),
                min_count=_int(retention.get("min_count")),
                max_count=_int(retention.get("max_count")),
            )
        )
    return out


def _global_state(
    metadata: dict[str, Any] | None, facts: TargetFacts, notes: list[str]
) -> None:
    """Names of what a global-state restore would overwrite, from the cluster-state metadata
    (legacy templates always; composable templates, pipelines and ILM where the cluster
    renders them), else unknown."""
    if not isinstance(metadata, dict):
        notes.append("global state: templates and pipelines of the target are unknown")
        return
    summary = GlobalMetadataSummary.from_metadata({"meta-data": metadata})
    facts.templates = summary.templates
    for key, attr, value in (
        ("index_template", "index_templates", summary.index_templates),
        ("component_template", "component_templates", summary.component_templates),
        ("ingest", "pipelines", summary.pipelines),
        ("index_lifecycle", "ilm_policies", summary.ilm_policies),
    ):
        if key in metadata:
            setattr(facts, attr, value)


# --------------------------------------------------------------------------------------------
# restores in flight


async def restores_in_progress(
    client: ClusterClient, *, notes: list[str] | None = None
) -> list[RestoreInFlight]:
    """Restores with a shard still recovering (``_recovery?active_only``), grouped by
    repository, snapshot and restore uuid."""
    notes = notes if notes is not None else _Notes()
    found = await _optional(client, "/_recovery", {"active_only": True}, notes, "recoveries")
    if found is None:
        return []
    return group_restores(found[0] or {})


def group_restores(body: Mapping[str, Any]) -> list[RestoreInFlight]:
    """``_recovery`` body -> one ``RestoreInFlight`` per (repository, snapshot, restore uuid)."""
    groups: dict[tuple[str | None, str, str | None], dict[str, Any]] = {}
    for index, entry in body.items():
        for shard in (entry or {}).get("shards") or []:
            if shard.get("type") != "SNAPSHOT":
                continue
            source = shard.get("source") or {}
            snapshot = source.get("snapshot")
            if not snapshot:
                continue
            key = (source.get("repository"), str(snapshot), source.get("restoreUUID"))
            group = groups.setdefault(key, {"indices": {}, "start": None})
            group["indices"][str(index)] = None
            start = _int(shard.get("start_time_in_millis"))
            if start is not None and (group["start"] is None or start < group["start"]):
                group["start"] = start
    return [
        RestoreInFlight(
            snapshot=snapshot,
            repository=repository,
            indices=tuple(sorted(group["indices"])),
            restore_uuid=uuid,
            started_ms=group["start"],
        )
        for (repository, snapshot, uuid), group in sorted(
            groups.items(), key=lambda item: (item[0][0] or "", item[0][1], item[0][2] or "")
        )
    ]


# --------------------------------------------------------------------------------------------
# snapshot


async def gather_snapshot_facts(
    repository: str,
    snapshot: str,
    *,
    source: ClusterClient | None = None,
    reader: RepositoryReader | None = None,
    target: TargetFacts | None = None,
    notes: list[str] | None = None,
) -> SnapshotFacts:
    """The snapshot's contents, from the source cluster and/or the repository files.

    With a ``source`` client the detail comes from get-snapshot (``index_details`` 7.13+) and,
    unless ``reader`` is given, the repository's files are opened when this machine can read
    them (``open_local_reader``). The reader gives every index's exact created version,
    settings and aliases, and the global metadata. ``target`` adds compat verdicts.
    """
    notes = notes if notes is not None else _Notes()
    if source is None and reader is None:
        raise ValueError("need a source cluster or a repository reader")
    repo_facts: RepositoryFacts | None = None
    detail: SnapshotDetail | None = None
    if source is not None:
        repos = await source.repositories()
        info = next((r for r in repos if r.name == repository), None)
        if info is not None:
            repo_facts = _repository_facts(info)
            if reader is None:
                try:
                    reader = open_local_reader(info, source.config)
                except Exception as error:  # unreadable files: the live API still answers
                    notes.append(f"repository files of {repository}: {error}")
                    reader = None
        detail = await source.snapshot(repository, snapshot)
    indices: list[IndexInSnapshot] = []
    global_metadata: GlobalMetadataSummary | None = None
    if reader is not None:
        try:
            offline_detail = reader.snapshot(snapshot)
            indices = reader.indices(snapshot)
            if detail is None:
                detail = offline_detail
            elif not detail.index_details and offline_detail.index_details:
                detail.index_details = offline_detail.index_details
            if detail.include_global_state is not False:
                global_metadata = GlobalMetadataSummary.from_metadata(
                    reader.global_metadata(snapshot)
                )
        except Exception as error:  # a damaged blob degrades to the live facts
            notes.append(f"repository files of {repository}: {error}")
            if detail is None:
                raise
        if repo_facts is None:
            uuid = getattr(reader.catalogue, "uuid", None)
            repo_facts = RepositoryFacts(name=repository, type="fs", uuid=uuid)
        elif repo_facts.uuid is None:
            uuid = getattr(reader.catalogue, "uuid", None)
            if uuid and uuid != "_na_":
                repo_facts = replace(repo_facts, uuid=uuid)
    else:
        notes.append(
            f"created versions: {repository} is not readable here; compatibility uses the "
            "bounds the snapshot's version proves"
        )
    assert detail is not None
    if not indices:
        indices = [
            IndexInSnapshot(
                name=name,
                primary_shards=(
                    detail.index_details[name].shard_count
                    if name in detail.index_details
                    else None
                ),
            )
            for name in detail.indices
        ]
    facts = SnapshotFacts(
        detail=detail, indices=indices, global_metadata=global_metadata, repository=repo_facts
    )
    if target is not None:
        facts.verdicts = compat_verdicts(facts, target)
    return facts


def compat_verdicts(snapshot: SnapshotFacts, target: TargetFacts) -> list[Any]:
    """``esnap_tui.compat.check_index`` for every index of the snapshot against the target."""
    from esnap_tui.compat import TargetCluster, check_index

    cluster = TargetCluster(
        version=target.version,
        license=None if target.version.product is Product.OPENSEARCH else target.license,
        name=target.name,
    )
    sizes = {
        name: details.size_in_bytes
        for name, details in snapshot.detail.index_details.items()
        if details.size_in_bytes is not None
    }
    return [
        check_index(
            index, snapshot.detail.version, cluster, size_in_bytes=sizes.get(index.name)
        )
        for index in snapshot.indices
    ]


__all__ = [
    "compat_verdicts",
    "gather_snapshot_facts",
    "gather_target_facts",
    "group_restores",
    "restores_in_progress",
]
