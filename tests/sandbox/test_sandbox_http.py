"""The sandbox over real HTTP: root documents, headers, media types, errors, auth, cluster APIs."""

from __future__ import annotations

import base64
import json
import shutil
from typing import Any

import aiohttp
import pytest

from esnap_tui.sandbox import Sandbox, Scenario

VENDOR = "application/vnd.elasticsearch+json; compatible-with={}"


async def fetch(method: str, url: str, **kwargs) -> tuple[int, Any, bytes]:
    async with aiohttp.ClientSession() as session, session.request(method, url, **kwargs) as r:
        return r.status, r.headers, await r.read()


async def get_json(url: str, **kwargs) -> tuple[int, dict]:
    status, _, body = await fetch("GET", url, **kwargs)
    return status, json.loads(body)


# ---- root documents and product header -----------------------------------------------------

ROOTS = {
    "prod": ("9.1.5", "default", None, "8.19.0", "8.0.0", "You Know, for Search"),
    "es8": ("8.15.5", "default", None, "7.17.0", "7.0.0", "You Know, for Search"),
    "es7": ("7.13.4", "default", None, "6.8.0", "6.0.0-beta1", "You Know, for Search"),
    "es6": ("6.8.23", "default", None, "5.6.0", "5.0.0", "You Know, for Search"),
    "os2": ("2.11.1", None, "opensearch", "7.10.0", "7.0.0",
            "The OpenSearch Project: https://opensearch.org/"),
}


@pytest.mark.parametrize("name", sorted(ROOTS))
async def test_root_document_per_dialect(sandbox, name: str) -> None:
    number, flavor, distribution, wire, index, tagline = ROOTS[name]
    status, doc = await get_json(sandbox.clusters[name].url + "/")
    assert status == 200
    version = doc["version"]
    assert version["number"] == number
    assert version.get("build_flavor") == flavor
    assert version.get("distribution") == distribution
    assert version["minimum_wire_compatibility_version"] == wire
    assert version["minimum_index_compatibility_version"] == index
    assert doc["tagline"] == tagline
    assert doc["cluster_name"] == name
    assert list(doc) == ["name", "cluster_name", "cluster_uuid", "version", "tagline"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("prod", "Elasticsearch"), ("es8", "Elasticsearch"), ("es7", None), ("es6", None),
     ("os2", None)],
)
async def test_x_elastic_product_header_only_from_7_14(sandbox, name: str, expected) -> None:
    for path in ("/", "/_cluster/health", "/no-such-index/_settings"):
        _, headers, _ = await fetch("GET", sandbox.clusters[name].url + path)
        assert headers.get("X-Elastic-Product") == expected, path


async def test_head_root_has_no_body(sandbox) -> None:
    status, _, body = await fetch("HEAD", sandbox.clusters["prod"].url + "/")
    assert status == 200
    assert body == b""


async def test_pretty_uses_jackson_layout_with_trailing_newline(sandbox) -> None:
    _, _, body = await fetch("GET", sandbox.clusters["prod"].url + "/_data_stream?pretty")
    text = body.decode()
    assert text.startswith('{\n  "data_streams" : [ {\n    "name" : "logs-app-default",')
    assert text.endswith("}\n")


async def test_filter_path_keeps_only_matching_fields(sandbox) -> None:
    url = sandbox.clusters["prod"].url + "/?filter_path=version.number,tagline"
    _, doc = await get_json(url)
    assert doc == {"version": {"number": "9.1.5"}, "tagline": "You Know, for Search"}


# ---- media types (es-rest-api.md §2.1) -------------------------------------------------------


async def test_8x_rejects_compatible_with_9_like_real_clusters(sandbox) -> None:
    status, doc = await get_json(
        sandbox.clusters["es8"].url + "/_cluster/health", headers={"Accept": VENDOR.format(9)}
    )
    assert status == 400
    assert doc == {
        "error": {
            "root_cause": [{
                "type": "media_type_header_exception",
                "reason": "Invalid media-type value on headers [Content-Type, Accept]",
            }],
            "type": "media_type_header_exception",
            "reason": "Invalid media-type value on headers [Content-Type, Accept]",
            "caused_by": {
                "type": "status_exception",
                "reason": "Accept version must be either version 8 or 7, but found 9. "
                "Accept=application/vnd.elasticsearch+json; compatible-with=9",
            },
        },
        "status": 400,
    }


async def test_9x_rejects_compatible_with_7(sandbox) -> None:
    status, doc = await get_json(
        sandbox.clusters["prod"].url + "/", headers={"Accept": VENDOR.format(7)}
    )
    assert status == 400
    assert doc["error"]["caused_by"]["reason"].startswith(
        "Accept version must be either version 9 or 8, but found 7."
    )


async def test_9x_accepts_compatible_with_8_and_echoes_it(sandbox) -> None:
    status, headers, _ = await fetch(
        "GET", sandbox.clusters["prod"].url + "/", headers={"Accept": VENDOR.format(8)}
    )
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.elasticsearch+json;compatible-with=8"


async def test_9x_needs_matching_versions_on_both_headers_with_a_body(sandbox) -> None:
    status, doc = await get_json(
        sandbox.clusters["prod"].url + "/_snapshot/x",
        headers={"Accept": VENDOR.format(9), "Content-Type": "application/json"},
        data=b"{}",
    )
    assert status == 400
    assert doc["error"]["caused_by"]["reason"].startswith(
        "A compatible version is required on both Content-Type and Accept headers if either "
        "one has requested a compatible version. Accept="
    )


async def test_old_versions_refuse_vendor_content_type_with_406_string_error(sandbox) -> None:
    for name in ("es6", "os2"):
        status, _, body = await fetch(
            "PUT", sandbox.clusters[name].url + "/_snapshot/x",
            headers={"Content-Type": VENDOR.format(8)}, data=b"{}",
        )
        assert status == 406
        assert json.loads(body) == {
            "error": "Content-Type header [application/vnd.elasticsearch+json; compatible-with=8]"
            " is not supported",
            "status": 406,
        }


async def test_7_13_accepts_vendor_media_types(sandbox) -> None:
    status, _, _ = await fetch(
        "GET", sandbox.clusters["es7"].url + "/", headers={"Accept": VENDOR.format(7)}
    )
    assert status == 200


# ---- parameters and routes -------------------------------------------------------------------


async def test_unknown_parameter_is_refused_with_suggestion(sandbox) -> None:
    status, doc = await get_json(sandbox.clusters["es8"].url + "/_cluster/health?levl=indices")
    assert status == 400
    assert doc["error"]["type"] == "illegal_argument_exception"
    assert doc["error"]["reason"] == (
        "request [/_cluster/health] contains unrecognized parameter: [levl] -> did you mean "
        "[level]?"
    )


async def test_several_unknown_parameters_are_listed_in_order(sandbox) -> None:
    _, doc = await get_json(sandbox.clusters["prod"].url + "/_cat/indices?zzz=1&aaa=2")
    assert doc["error"]["reason"] == (
        "request [/_cat/indices] contains unrecognized parameters: [aaa], [zzz]"
    )


async def test_unknown_route_error_shape_by_version(sandbox) -> None:
    status, doc = await get_json(sandbox.clusters["prod"].url + "/_nope/a/b")
    assert status == 400
    assert doc["error"]["reason"] == "no handler found for uri [/_nope/a/b] and method [GET]"
    status, doc = await get_json(sandbox.clusters["es7"].url + "/_nope/a/b")
    assert status == 400
    assert doc["error"] == "no handler found for uri [/_nope/a/b] and method [GET]"


async def test_features_api_only_where_it_exists(sandbox) -> None:
    status, doc = await get_json(sandbox.clusters["prod"].url + "/_features")
    assert status == 200
    assert [f["name"] for f in doc["features"]] == ["kibana", "security", "tasks"]
    status, doc = await get_json(sandbox.clusters["es6"].url + "/_features")
    assert status == 404
    assert doc["error"]["type"] == "index_not_found_exception"
    assert doc["error"]["reason"] == "no such index [_features]"


# ---- security --------------------------------------------------------------------------------


async def test_missing_credentials_give_the_real_401(sandbox) -> None:
    status, headers, body = await fetch("GET", sandbox.clusters["secure"].url + "/_cat/indices?v")
    assert status == 401
    assert headers.getall("WWW-Authenticate") == [
        'Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"
    ]
    assert "X-Elastic-Product" not in headers
    doc = json.loads(body)
    assert doc["status"] == 401
    assert doc["error"]["type"] == "security_exception"
    assert doc["error"]["reason"] == (
        "missing authentication credentials for REST request [/_cat/indices?v]"
    )
    assert doc["error"]["root_cause"][0]["header"]["WWW-Authenticate"][2] == "ApiKey"


async def test_wrong_password_and_good_credentials(sandbox) -> None:
    url = sandbox.clusters["secure"].url + "/"
    wrong = {"Authorization": aiohttp.encode_basic_auth("elastic", "wrong")}
    status, doc = await get_json(url, headers=wrong)
    assert status == 401
    assert doc["error"]["reason"] == "unable to authenticate user [elastic] for REST request [/]"
    good = {"Authorization": aiohttp.encode_basic_auth("elastic", "changeme")}
    status, doc = await get_json(url, headers=good)
    assert status == 200
    assert doc["cluster_name"] == "secure"


async def test_api_key_authentication(sandbox) -> None:
    url = sandbox.clusters["secure"].url + "/_cluster/health"
    good = base64.b64encode(b"key1:s3cr3t").decode()
    bad = base64.b64encode(b"key1:nope").decode()
    status, _ = await get_json(url, headers={"Authorization": f"ApiKey {good}"})
    assert status == 200
    status, doc = await get_json(url, headers={"Authorization": f"ApiKey {bad}"})
    assert status == 401
    assert doc["error"]["type"] == "security_exception"


# ---- cluster APIs ------------------------------------------------------------------------------


async def test_cat_indices_text_json_and_columns(sandbox) -> None:
    base = sandbox.clusters["prod"].url
    _, _, body = await fetch("GET", base + "/_cat/indices?v&s=index")
    lines = body.decode().splitlines()
    assert lines[0].split() == ["health", "status", "index", "uuid", "pri", "rep", "docs.count",
                                "docs.deleted", "store.size", "pri.store.size"]
    assert [line.split()[2] for line in lines[1:]] == [
        ".ds-logs-app-default-2026.01.08-000001", ".ds-logs-app-default-2026.01.15-000002",
        "logs-2026.01", "metrics-old",
    ]
    _, rows = await get_json(base + "/_cat/indices/logs-2026*?format=json&bytes=b&h=index,pri,"
                             "store.size,docs.count")
    assert rows == [{"index": "logs-2026.01", "pri": "2", "store.size": str(2 * 24 * 1024**2),
                     "docs.count": "12000"}]


async def test_closed_index_has_no_health_in_6_8_but_counts_from_7_2(sandbox) -> None:
    es6 = sandbox.clusters["es6"]
    es6.cluster.index("legacy-6").state = "close"
    _, rows = await get_json(es6.url + "/_cat/indices?format=json&h=health,status,index")
    assert rows == [{"health": None, "status": "close", "index": "legacy-6"}]
    _, rows = await get_json(sandbox.clusters["prod"].url +
                             "/_cat/indices/metrics-old?format=json&h=health,status")
    assert rows == [{"health": "green", "status": "close"}]


async def test_health_follows_recovering_shards(sandbox) -> None:
    prod = sandbox.clusters["prod"]
    _, doc = await get_json(prod.url + "/_cluster/health")
    assert doc["status"] == "green"
    assert doc["active_shards_percent_as_number"] == 100.0
    index = prod.cluster.index("logs-2026.01")
    index.initializing_primaries = 1
    _, doc = await get_json(prod.url + "/_cluster/health/logs-2026.01")
    summary = (doc["status"], doc["initializing_shards"], doc["active_primary_shards"])
    assert summary == ("red", 1, 1)
    index.initializing_primaries = 0
    index.initializing_replicas = 1
    _, doc = await get_json(prod.url + "/_cluster/health?level=indices")
    assert doc["status"] == "yellow"
    assert doc["indices"]["logs-2026.01"]["status"] == "yellow"


async def test_single_node_cluster_is_yellow_with_replicas(sandbox) -> None:
    _, doc = await get_json(sandbox.clusters["es8"].url + "/_cluster/health")
    assert doc["status"] == "yellow"
    assert doc["unassigned_shards"] == 1
    assert "unassigned_primary_shards" not in doc  # 8.15 predates the field


async def test_health_of_missing_index_times_out_red(sandbox) -> None:
    status, doc = await get_json(sandbox.clusters["prod"].url + "/_cluster/health/nope")
    assert status == 408
    assert (doc["status"], doc["timed_out"]) == ("red", True)


async def test_settings_flat_and_nested_with_version_created(sandbox) -> None:
    base = sandbox.clusters["prod"].url
    _, doc = await get_json(base + "/metrics-old/_settings")
    assert doc["metrics-old"]["settings"]["index"]["version"]["created"] == "8090299"
    _, doc = await get_json(base + "/logs-*/_settings?flat_settings=true")
    assert doc["logs-2026.01"]["settings"]["index.version.created"] == "9033000"
    status, doc = await get_json(base + "/missing/_settings")
    assert status == 404
    assert doc["error"]["index"] == "missing"


async def test_cluster_state_metadata_for_one_index(sandbox) -> None:
    _, doc = await get_json(sandbox.clusters["prod"].url + "/_cluster/state/metadata/metrics-old")
    entry = doc["metadata"]["indices"]["metrics-old"]
    assert entry["state"] == "close"
    assert entry["settings"]["index"]["number_of_shards"] == "1"
    assert list(doc["metadata"]["indices"]) == ["metrics-old"]


async def test_allocation_and_fs_stats_report_disk(sandbox) -> None:
    base = sandbox.clusters["prod"].url
    _, rows = await get_json(base + "/_cat/allocation?format=json&bytes=b&h=node,disk.avail,"
                             "disk.total,shards")
    assert [r["node"] for r in rows] == ["prod-node-0", "prod-node-1"]
    assert {r["disk.avail"] for r in rows} == {str(120 * 1024**3)}
    assert sum(int(r["shards"]) for r in rows) == 11
    _, doc = await get_json(base + "/_nodes/stats/fs")
    totals = [n["fs"]["total"] for n in doc["nodes"].values()]
    assert totals[0]["free_in_bytes"] == 120 * 1024**3


async def test_close_open_and_delete_index(sandbox) -> None:
    base = sandbox.clusters["es8"].url
    status, _, body = await fetch("POST", base + "/orders/_close")
    assert status == 200
    assert json.loads(body)["indices"] == {"orders": {"closed": True}}
    assert sandbox.clusters["es8"].cluster.index("orders").state == "close"
    status, _, _ = await fetch("POST", base + "/orders/_open")
    assert sandbox.clusters["es8"].cluster.index("orders").state == "open"
    status, _, body = await fetch("DELETE", base + "/*")
    assert status == 400
    assert json.loads(body)["error"]["reason"] == (
        "Wildcard expressions or all indices are not allowed"
    )
    status, _, _ = await fetch("DELETE", base + "/orders")
    assert status == 200
    assert sandbox.clusters["es8"].cluster.index("orders") is None


async def test_data_stream_write_index_is_protected_then_stream_deleted(sandbox) -> None:
    prod = sandbox.clusters["prod"]
    status, _, body = await fetch(
        "DELETE", prod.url + "/.ds-logs-app-default-2026.01.15-000002"
    )
    assert status == 400
    assert "is the write index for data stream [logs-app-default]" in json.loads(body)["error"][
        "reason"]
    status, _, _ = await fetch("DELETE", prod.url + "/_data_stream/logs-app-default")
    assert status == 200
    assert prod.cluster.index(".ds-logs-app-default-2026.01.08-000001") is None
    status, doc = await get_json(prod.url + "/_data_stream/logs-app-default")
    assert status == 404
    assert doc["error"]["type"] == "index_not_found_exception"


async def test_license_and_slm(sandbox) -> None:
    base = sandbox.clusters["prod"].url
    _, doc = await get_json(base + "/_license")
    assert doc["license"]["type"] == "enterprise"
    assert doc["license"]["status"] == "active"
    _, doc = await get_json(base + "/_slm/policy/nightly")
    assert doc["nightly"]["policy"]["repository"] == "backups"
    assert doc["nightly"]["last_success"]["snapshot_name"].startswith("nightly-2026.01.05-")
    status, doc = await get_json(base + "/_slm/policy/weekly")
    assert status == 404
    assert doc["error"]["type"] == "resource_not_found_exception"


# ---- repositories ------------------------------------------------------------------------------


async def test_get_repositories_shows_the_shared_readonly_directory(sandbox) -> None:
    _, prod = await get_json(sandbox.clusters["prod"].url + "/_snapshot")
    _, es8 = await get_json(sandbox.clusters["es8"].url + "/_snapshot/shared")
    assert prod["backups"]["settings"]["location"] == es8["shared"]["settings"]["location"]
    assert es8["shared"]["settings"]["readonly"] == "true"
    assert prod["backups"]["uuid"] == es8["shared"]["uuid"]  # read from the same index-N
    status, doc = await get_json(sandbox.clusters["prod"].url + "/_snapshot/nope")
    assert status == 404
    assert doc["error"]["reason"] == "[nope] missing"


async def test_register_repository_outside_path_repo_fails_like_es(sandbox) -> None:
    status, _, body = await fetch(
        "PUT", sandbox.clusters["prod"].url + "/_snapshot/my_backup",
        json={"type": "fs", "settings": {"location": "/data"}},
    )
    assert status == 500
    doc = json.loads(body)
    inner = ("[my_backup] location [/data] doesn't match any of the locations specified by "
             "path.repo")
    assert doc["error"]["root_cause"] == [{"type": "repository_exception", "reason": inner}]
    assert doc["error"]["reason"] == "[my_backup] failed to create repository"
    assert doc["error"]["caused_by"]["reason"] == inner


async def test_register_verify_cleanup_and_delete_repository(sandbox) -> None:
    base = sandbox.clusters["prod"].url
    status, _, body = await fetch(
        "PUT", base + "/_snapshot/extra", json={"type": "fs", "settings": {"location": "extra"}}
    )
    assert (status, json.loads(body)) == (200, {"acknowledged": True})
    assert (sandbox.root / "extra").is_dir()
    status, _, body = await fetch("POST", base + "/_snapshot/extra/_verify")
    assert next(iter(json.loads(body)["nodes"].values())) == {"name": "prod-node-0"}
    status, _, body = await fetch("POST", base + "/_snapshot/extra/_cleanup")
    assert json.loads(body) == {"results": {"deleted_bytes": 0, "deleted_blobs": 0}}
    status, _, _ = await fetch("DELETE", base + "/_snapshot/extra")
    assert status == 200
    status, _, _ = await fetch("GET", base + "/_snapshot/extra")
    assert status == 404


async def test_register_repository_validation_errors(sandbox) -> None:
    base = sandbox.clusters["prod"].url
    status, _, body = await fetch("PUT", base + "/_snapshot/x", json={"settings": {}})
    assert status == 400
    assert json.loads(body)["error"]["reason"] == "Validation Failed: 1: type is missing;"
    status, _, body = await fetch("PUT", base + "/_snapshot/x", json={"type": "nfs"})
    assert status == 500
    assert json.loads(body)["error"]["reason"] == "[x] repository type [nfs] does not exist"
    status, _, body = await fetch("PUT", base + "/_snapshot/x", json={"type": "fs"})
    assert json.loads(body)["error"]["caused_by"]["reason"] == "[x] missing location"


async def test_cleanup_of_readonly_repository_is_refused(sandbox) -> None:
    url = sandbox.clusters["es8"].url + "/_snapshot/shared/_cleanup"
    status, _, body = await fetch("POST", url)
    assert status == 500
    assert json.loads(body)["error"]["reason"] == (
        "[shared] cannot run cleanup on readonly repository"
    )


# ---- faults and reproducibility ----------------------------------------------------------------

FAULTY = {
    "seed": 3,
    "clusters": [{
        "name": "flaky",
        "dialect": "es-8.15",
        "faults": [
            {"path": "/_cat/*", "status": 503, "type": "cluster_block_exception",
             "reason": "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];"},
            {"path": "/_nodes/*", "drop": True},
            {"path": "/_cluster/health", "status": 500, "probability": 0.5},
        ],
    }],
}


async def test_fault_error_response_and_dropped_connection() -> None:
    async with Sandbox(Scenario.from_dict(FAULTY), fixed_clock=True) as running:
        url = running.clusters["flaky"].url
        status, doc = await get_json(url + "/_cat/indices")
        assert status == 503
        assert doc["error"]["type"] == "cluster_block_exception"
        with pytest.raises(aiohttp.ClientError):
            await fetch("GET", url + "/_nodes/stats/fs")
        status, _ = await get_json(url + "/")
        assert status == 200


async def test_random_faults_are_reproducible_per_seed() -> None:
    runs = []
    for _ in range(2):
        async with Sandbox(Scenario.from_dict(FAULTY), fixed_clock=True) as running:
            url = running.clusters["flaky"].url + "/_cluster/health"
            runs.append([(await fetch("GET", url))[0] for _ in range(12)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}


PATHS = ["/", "/_cluster/health", "/_cat/indices?v", "/_cluster/state/metadata",
         "/_snapshot", "/_license", "/_slm/policy", "/_nodes/stats/fs", "/_data_stream?pretty"]


async def test_fixed_clock_gives_byte_identical_responses(tmp_path) -> None:
    runs = []
    root = tmp_path / "root"
    for _ in range(2):
        shutil.rmtree(root, ignore_errors=True)
        async with Sandbox("small", fixed_clock=True, root=root) as running:
            base = running.clusters["prod"].url
            answers = []
            for path in PATHS:
                status, headers, body = await fetch("GET", base + path)
                answers.append((path, status, headers["Date"], body))
            runs.append(answers)
    assert runs[0] == runs[1]
