"""Get-snapshots, ``_status``, ``_cat/snapshots``, create and delete over real HTTP, per dialect.

Each cluster reads a repository written in its own dialect, so envelopes and SnapshotInfo
fields can be compared with ``shared/reference/es-rest-api.md`` §3.4-3.8 version by version.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from esnap_tui.sandbox import Sandbox, Scenario
from tests.conftest import call

SNAPSHOTS = [
    {
        "generate": {
            "count": 12,
            "name": "nightly",
            "policy": "nightly",
            "every": "1d",
            "start": "-20d",
            "indices_from": "src",
        }
    },
    {"name": "manual-a", "start": "-25d", "indices_from": "src", "metadata": {"taken_by": "ops"}},
    {"name": "manual-b", "start": "-3d", "indices_from": "src", "state": "PARTIAL"},
]
DIALECTS = {
    "es6": "es-6.8",
    "es710": "es-7.10",
    "es713": "es-7.13",
    "es717": "es-7.17",
    "es815": "es-8.15",
    "es91": "es-9.1",
    "os2": "os-2.11",
}

SCENARIO: dict[str, Any] = {
    "seed": 31,
    "now": "2026-04-01T00:00:00Z",
    "clusters": [
        {
            "name": "src",
            "dialect": "es-9.1",
            "indices": [
                {"name": "orders", "size": "1mb", "shards": 2},
                {"name": "users", "size": "100kb"},
            ],
        },
        *[
            {
                "name": name,
                "dialect": dialect,
                "repositories": [{"name": "backups", "path": f"repos/{name}"}],
            }
            for name, dialect in DIALECTS.items()
        ],
    ],
    "repositories": [
        {"path": f"repos/{name}", "dialect": dialect, "snapshots": SNAPSHOTS}
        for name, dialect in DIALECTS.items()
    ],
}
SHARED: dict[str, Any] = {
    "seed": 32,
    "clusters": [
        {
            "name": "es91",
            "dialect": "es-9.1",
            "indices": [{"name": "orders", "size": "10kb"}],
            "repositories": [
                {"name": "shared", "path": "repos/shared"},
                {"name": "other", "path": "repos/other"},
            ],
        },
        {
            "name": "es815",
            "dialect": "es-8.15",
            "repositories": [{"name": "mount", "path": "repos/shared", "readonly": True}],
        },
        {
            "name": "es717",
            "dialect": "es-7.17",
            "repositories": [{"name": "shared", "path": "repos/shared"}],
        },
    ],
    "repositories": [
        {
            "path": "repos/shared",
            "dialect": "es-7.17",
            "snapshots": [{"name": "first", "start": "-1d", "indices_from": "es91"}],
        },
        {
            "path": "repos/other",
            "dialect": "es-9.1",
            "snapshots": [{"name": "elsewhere", "start": "-2d", "indices_from": "es91"}],
        },
    ],
}


@pytest.fixture
async def sandbox():
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as running:
        yield running


@pytest.fixture
async def shared():
    async with Sandbox(Scenario.from_dict(SHARED), fixed_clock=True) as running:
        yield running


# ---- envelopes and fields per version (§3.5, §3.6) -----------------------------------------

ENVELOPES = {
    "es6": ["snapshots"],
    "es710": ["snapshots"],
    "es713": ["snapshots"],
    "os2": ["snapshots"],
    "es717": ["snapshots", "total", "remaining"],
    "es815": ["snapshots", "total", "remaining"],
    "es91": ["snapshots", "total", "remaining"],
}
FIELDS = {
    "es6": [
        "snapshot",
        "uuid",
        "version_id",
        "version",
        "indices",
        "include_global_state",
        "state",
        "start_time",
        "start_time_in_millis",
        "end_time",
        "end_time_in_millis",
        "duration_in_millis",
        "failures",
        "shards",
    ],
    "es710": [
        "snapshot",
        "uuid",
        "version_id",
        "version",
        "indices",
        "data_streams",
        "include_global_state",
        "state",
        "start_time",
        "start_time_in_millis",
        "end_time",
        "end_time_in_millis",
        "duration_in_millis",
        "failures",
        "shards",
    ],
}
FIELDS["os2"] = FIELDS["es710"]
FIELDS["es713"] = [*FIELDS["es710"], "feature_states"]
FIELDS["es717"] = [*FIELDS["es713"][:2], "repository", *FIELDS["es713"][2:]]
FIELDS["es815"] = FIELDS["es717"]
FIELDS["es91"] = FIELDS["es717"]


@pytest.mark.parametrize("name", list(DIALECTS))
async def test_envelope_and_fields_per_version(sandbox, http, name):
    status, body = await call(http, sandbox, name, "GET", "/_snapshot/backups/manual-a")
    assert status == 200
    assert list(body) == ENVELOPES[name]
    info = body["snapshots"][0]
    fields = [key for key in info if key != "metadata"]
    assert fields == FIELDS[name]
    assert ("metadata" in info) == (name != "es6")  # user metadata from 7.3
    version = {
        "es6": "6.8.23",
        "es710": "7.10.2",
        "es713": "7.13.4",
        "es717": "7.17.28",
        "es815": "8512000",
        "es91": "9033000",
        "os2": "2.11.1",
    }[name]
    assert info["version"] == version  # release string up to 8.9, the id string from 8.10
    assert info["shards"] == {"total": 3, "failed": 0, "successful": 3}


async def test_version_ids_are_the_writers(sandbox, http):
    _, body = await call(http, sandbox, "os2", "GET", "/_snapshot/backups/manual-a")
    assert body["snapshots"][0]["version_id"] == 2110199 ^ 0x08000000
    _, body = await call(http, sandbox, "es815", "GET", "/_snapshot/backups/manual-a")
    assert body["snapshots"][0]["version_id"] == 8512000


async def test_parameters_exist_only_where_the_version_has_them(sandbox, http):
    status, body = await call(http, sandbox, "es710", "GET", "/_snapshot/backups/_all?sort=name")
    assert status == 400
    assert body["error"]["type"] == "illegal_argument_exception"
    assert body["error"]["reason"] == (
        "request [/_snapshot/backups/_all] contains unrecognized parameter: [sort]"
    )
    status, body = await call(
        http, sandbox, "es815", "GET", "/_snapshot/backups/_all?state=SUCCESS"
    )
    assert status == 400
    assert "unrecognized parameter: [state]" in body["error"]["reason"]
    status, body = await call(http, sandbox, "es91", "GET", "/_snapshot/backups/_all?state=PARTIAL")
    assert [s["snapshot"] for s in body["snapshots"]] == ["manual-b"]
    status, body = await call(
        http, sandbox, "es713", "GET", "/_snapshot/backups/manual-a?index_details=true"
    )
    assert set(body["snapshots"][0]["index_details"]) == {"orders", "users"}
    status, body = await call(
        http, sandbox, "es710", "GET", "/_snapshot/backups/manual-a?index_details=true"
    )
    assert status == 400


async def test_verbose_false_lists_only_catalogue_facts(sandbox, http):
    status, body = await call(http, sandbox, "es815", "GET", "/_snapshot/backups/*?verbose=false")
    assert status == 200
    first = body["snapshots"][0]
    assert list(first) == ["snapshot", "uuid", "repository", "indices", "data_streams", "state"]
    assert [s["snapshot"] for s in body["snapshots"]] == sorted(
        s["snapshot"] for s in body["snapshots"]
    )
    status, body = await call(
        http, sandbox, "es815", "GET", "/_snapshot/backups/*?verbose=false&size=2&sort=name"
    )
    assert status == 400
    assert body["error"]["type"] == "action_request_validation_exception"
    assert body["error"]["reason"] == (
        "Validation Failed: 1: can't use non-default sort with verbose=false;"
        "2: can't use size limit with verbose=false;"
    )


@pytest.mark.parametrize(
    ("sort", "order"),
    [("start_time", "desc"), ("name", "asc"), ("duration", "desc"), ("index_count", "asc")],
)
async def test_after_cursor_walks_every_snapshot_once(sandbox, http, sort, order):
    _, everything = await call(
        http, sandbox, "es91", "GET", f"/_snapshot/backups/_all?sort={sort}&order={order}"
    )
    expected = [s["snapshot"] for s in everything["snapshots"]]
    assert len(expected) == 14
    seen: list[str] = []
    query = f"size=5&sort={sort}&order={order}"
    while True:
        status, page = await call(http, sandbox, "es91", "GET", f"/_snapshot/backups/_all?{query}")
        assert status == 200
        seen += [s["snapshot"] for s in page["snapshots"]]
        assert page["total"] == 14
        assert page["remaining"] == 14 - len(seen)
        if "next" not in page:
            break
        last = page["snapshots"][-1]
        value, repo, name = base64.urlsafe_b64decode(page["next"]).decode().split(",")
        assert (repo, name) == ("backups", last["snapshot"])
        assert value == str(last["start_time_in_millis"]) or sort != "start_time"
        query = f"size=5&sort={sort}&order={order}&after={page['next']}"
    assert seen == expected
    if sort == "start_time":
        starts = [s["start_time_in_millis"] for s in everything["snapshots"]]
        assert starts == sorted(starts, reverse=True)


async def test_offset_from_sort_value_and_policy_filter(sandbox, http):
    _, everything = await call(http, sandbox, "es815", "GET", "/_snapshot/backups/_all?sort=name")
    names = [s["snapshot"] for s in everything["snapshots"]]
    _, page = await call(
        http, sandbox, "es815", "GET", "/_snapshot/backups/_all?sort=name&offset=12&size=5"
    )
    assert [s["snapshot"] for s in page["snapshots"]] == names[12:]
    assert page["total"] == 14 and page["remaining"] == 0
    _, page = await call(
        http, sandbox, "es815", "GET", "/_snapshot/backups/_all?sort=name&from_sort_value=manual-b"
    )
    assert [s["snapshot"] for s in page["snapshots"]] == names[1:]
    _, page = await call(
        http, sandbox, "es815", "GET", "/_snapshot/backups/_all?slm_policy_filter=_none"
    )
    assert sorted(s["snapshot"] for s in page["snapshots"]) == ["manual-a", "manual-b"]
    _, page = await call(
        http, sandbox, "es815", "GET", "/_snapshot/backups/_all?slm_policy_filter=night*"
    )
    assert len(page["snapshots"]) == 12


async def test_missing_snapshot_and_repository(sandbox, http):
    status, body = await call(http, sandbox, "es91", "GET", "/_snapshot/backups/nope")
    assert status == 404
    assert body["error"]["root_cause"] == [
        {"type": "snapshot_missing_exception", "reason": "[backups:nope] is missing"}
    ]
    status, body = await call(
        http, sandbox, "es91", "GET", "/_snapshot/backups/nope,manual-a?ignore_unavailable=true"
    )
    assert [s["snapshot"] for s in body["snapshots"]] == ["manual-a"]
    for name in ("es6", "es91"):
        status, body = await call(http, sandbox, name, "GET", "/_snapshot/elsewhere/_all")
        assert status == 404
        assert body["error"]["type"] == "repository_missing_exception"
        assert body["error"]["reason"] == "[elsewhere] missing"
    # 7.14-8.14 report a missing repository beside the others' snapshots
    status, body = await call(
        http, sandbox, "es717", "GET", "/_snapshot/backups,elsewhere/manual-a"
    )
    assert status == 200
    assert body["failures"] == {
        "elsewhere": {"type": "repository_missing_exception", "reason": "[elsewhere] missing"}
    }


async def test_status_and_cat_snapshots(sandbox, http):
    status, body = await call(http, sandbox, "es815", "GET", "/_snapshot/backups/manual-a/_status")
    assert status == 200
    snap = body["snapshots"][0]
    assert snap["state"] == "SUCCESS"
    assert snap["shards_stats"]["done"] == 3 and snap["shards_stats"]["total"] == 3
    assert set(snap["indices"]) == {"orders", "users"}
    assert snap["indices"]["orders"]["shards"]["0"]["stage"] == "DONE"
    _, body = await call(http, sandbox, "es6", "GET", "/_snapshot/backups/manual-a/_status")
    assert "number_of_files" in body["snapshots"][0]["stats"]  # 6.x legacy keys
    _, body = await call(http, sandbox, "es815", "GET", "/_snapshot/_status")
    assert body == {"snapshots": []}

    _, text = await call(http, sandbox, "es815", "GET", "/_cat/snapshots/backups?v")
    header = text.splitlines()[0].split()
    assert header == [
        "id",
        "repository",
        "status",
        "start_epoch",
        "start_time",
        "end_epoch",
        "end_time",
        "duration",
        "indices",
        "successful_shards",
        "failed_shards",
        "total_shards",
    ]
    assert text.splitlines()[1].split()[0] == "manual-a"  # oldest first
    _, text = await call(http, sandbox, "es6", "GET", "/_cat/snapshots/backups?v")
    assert "repository" not in text.splitlines()[0].split()
    status, body = await call(http, sandbox, "es713", "GET", "/_cat/snapshots")
    assert status == 400
    assert body["error"]["reason"] == "Validation Failed: 1: repository is missing;"


# ---- shared repositories: taken on one cluster, visible on another ---------------------------


async def test_snapshot_taken_on_one_cluster_is_visible_on_another(shared, http):
    status, body = await call(
        http,
        shared,
        "es717",
        "PUT",
        "/_snapshot/shared/from-717?wait_for_completion=true",
        {"indices": "*", "include_global_state": False},
    )
    assert status == 200
    assert body["snapshot"]["snapshot"] == "from-717"
    assert body["snapshot"]["version"] == "7.17.28"
    _, listing = await call(http, shared, "es815", "GET", "/_snapshot/mount/_all")
    assert [s["snapshot"] for s in listing["snapshots"]] == ["first", "from-717"]
    status, body = await call(http, shared, "es91", "PUT", "/_snapshot/shared/from-91", {})
    assert (status, body) == (200, {"accepted": True})
    _, listing = await call(http, shared, "es815", "GET", "/_snapshot/mount/from-91")
    assert listing["snapshots"][0]["version"] == "9033000"

    _, listing = await call(http, shared, "es91", "GET", "/_snapshot/shared,other/_all?sort=name")
    assert [(s["repository"], s["snapshot"]) for s in listing["snapshots"]] == [
        ("other", "elsewhere"),
        ("shared", "first"),
        ("shared", "from-717"),
        ("shared", "from-91"),
    ]


async def test_readonly_repository_refuses_writes(shared, http):
    status, body = await call(http, shared, "es815", "PUT", "/_snapshot/mount/nope", {})
    assert status == 500
    assert body["error"]["root_cause"] == [
        {
            "type": "repository_exception",
            "reason": "[mount] cannot create snapshot in a readonly repository",
        }
    ]
    status, body = await call(http, shared, "es815", "DELETE", "/_snapshot/mount/first")
    assert status == 500
    assert body["error"]["reason"] == "[mount] cannot delete snapshot from a readonly repository"


async def test_delete_and_duplicate_names(shared, http):
    status, body = await call(http, shared, "es91", "PUT", "/_snapshot/shared/first", {})
    assert status == 400
    assert body["error"]["type"] == "invalid_snapshot_name_exception"
    assert body["error"]["reason"] == (
        "[shared:first] Invalid snapshot name [first], snapshot with the same name already exists"
    )
    status, body = await call(http, shared, "es91", "PUT", "/_snapshot/shared/Upper", {})
    assert status == 400
    assert (
        body["error"]["reason"] == "[shared:Upper] Invalid snapshot name [Upper], must be lowercase"
    )
    status, body = await call(http, shared, "es91", "PUT", "/_snapshot/shared/bad", {"colour": 1})
    assert (status, body["error"]["reason"]) == (400, "Unknown parameter colour")
    assert await call(http, shared, "es91", "DELETE", "/_snapshot/shared/first") == (
        200,
        {"acknowledged": True},
    )
    status, body = await call(http, shared, "es815", "GET", "/_snapshot/mount/first")
    assert status == 404
    assert body["error"]["reason"] == "[mount:first] is missing"
