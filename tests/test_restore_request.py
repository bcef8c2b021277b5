"""The restore request: only keys the target version accepts, exact shape, masked curl."""

from __future__ import annotations

import json
import shlex

import pytest

from esnap_tui.restore.plan import RestorePlan
from esnap_tui.restore.request import (
    UnsupportedOption,
    accepted_body_keys,
    build_request,
    register_repository_request,
)
from esnap_tui.versions import Product, Version

ES_6 = Version(6, 8, 23)
ES_7_10 = Version(7, 10, 2)
ES_7_17 = Version(7, 17, 28)
ES_9 = Version(9, 1, 5)
OS_2 = Version(2, 11, 1, product=Product.OPENSEARCH)


def plan(**changes: object) -> RestorePlan:
    base = RestorePlan(repository="backups", snapshot="nightly-2026.01.01", target_cluster="prod")
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_request_line_and_params() -> None:
    method, path, params, body = build_request(plan(indices=["logs-a"]), ES_9)
    assert method == "POST"
    assert path == "/_snapshot/backups/nightly-2026.01.01/_restore"
    assert params == {"wait_for_completion": "false"}
    assert body == {
        "indices": ["logs-a"],
        "ignore_unavailable": False,
        "include_global_state": False,
        "include_aliases": True,
        "partial": False,
    }


def test_target_repository_name_is_used_in_the_path() -> None:
    request = build_request(plan(indices=["x"], target_repository="backups-ro"), ES_9)
    assert request.path == "/_snapshot/backups-ro/nightly-2026.01.01/_restore"


def test_data_streams_join_the_indices_expression() -> None:
    body = build_request(plan(indices=["logs-a"], data_streams=["web"]), ES_9).body
    assert body["indices"] == ["logs-a", "web"]


def test_nothing_selected_sends_the_select_nothing_expression_not_everything() -> None:
    body = build_request(plan(include_global_state=True), ES_9).body
    assert body["indices"] == ["-*"]


def test_all_indices_sends_no_indices_key() -> None:
    assert "indices" not in build_request(plan(all_indices=True), ES_9).body


def test_global_state_without_feature_states_says_none_explicitly() -> None:
    body = build_request(plan(indices=["x"], include_global_state=True), ES_9).body
    assert body["feature_states"] == ["none"]


def test_feature_states_only_where_accepted() -> None:
    chosen = plan(feature_states=["kibana"])
    assert build_request(chosen, ES_9).body["feature_states"] == ["kibana"]
    for version in (ES_6, ES_7_10, OS_2):
        assert "feature_states" not in accepted_body_keys(version)
        with pytest.raises(UnsupportedOption, match="feature states"):
            build_request(chosen, version)
    # global state into 7.10: no feature_states key at all (7.10 would answer 400)
    body = build_request(plan(indices=["x"], include_global_state=True), ES_7_10).body
    assert "feature_states" not in body


@pytest.mark.parametrize("version", [ES_6, ES_7_10, ES_7_17, ES_9, OS_2])
def test_every_sent_key_is_accepted_by_the_target(version: Version) -> None:
    full = plan(
        indices=["logs-*"],
        include_global_state=True,
        include_aliases=False,
        partial=True,
        ignore_unavailable=True,
        rename_pattern="(.+)",
        rename_replacement="r-$1",
        index_settings={"number_of_replicas": 0},
        ignore_index_settings=["index.refresh_interval"],
    )
    body = build_request(full, version).body
    assert set(body) <= accepted_body_keys(version)
    assert "settings" not in body


def test_rename_sent_only_with_both_halves() -> None:
    assert "rename_pattern" not in build_request(plan(rename_pattern="(.+)"), ES_9).body
    body = build_request(plan(rename_pattern="(.+)", rename_replacement="r-$1"), ES_9).body
    assert (body["rename_pattern"], body["rename_replacement"]) == ("(.+)", "r-$1")


def test_replicas_zero_preset_and_setting_keys_normalised() -> None:
    body = build_request(plan(indices=["x"]).with_replicas_zero(), ES_9).body
    assert body["index_settings"] == {"index.number_of_replicas": 0}
    nested = plan(index_settings={"index": {"refresh_interval": "30s"}, "number_of_replicas": 1})
    assert build_request(nested, ES_9).body["index_settings"] == {
        "index.refresh_interval": "30s",
        "index.number_of_replicas": 1,
    }


def test_console_form_for_the_review_screen() -> None:
    request = build_request(plan(indices=["logs-a"]), ES_9)
    text = request.console()
    first, rest = text.split("\n", 1)
    assert first == "POST _snapshot/backups/nightly-2026.01.01/_restore?wait_for_completion=false"
    assert json.loads(rest) == request.body


def test_curl_runs_the_same_request_and_never_holds_a_secret() -> None:
    request = build_request(plan(indices=["it's"]), ES_9)
    command = request.curl(
        "https://elastic:hunter2@es.example:9200/", username="elastic", password_env="ES_PASSWORD"
    )
    assert "hunter2" not in command
    words = shlex.split(command)
    assert words[words.index("-u") + 1] == "elastic:${ES_PASSWORD}"
    assert (
        "https://es.example:9200/_snapshot/backups/nightly-2026.01.01/_restore"
        "?wait_for_completion=false"
    ) in words
    assert json.loads(words[words.index("-d") + 1]) == request.body
    assert words[words.index("-X") + 1] == "POST"


def test_curl_masks_secrets_that_did_not_come_from_the_environment() -> None:
    request = build_request(plan(indices=["x"]), ES_9)
    assert "********" in request.curl("http://h:9200", username="u", has_password=True)
    api = request.curl("http://h:9200", has_api_key=True)
    assert "Authorization: ApiKey ********" in api
    assert "${ES_KEY}" in request.curl("http://h:9200", api_key_env="ES_KEY")


def test_register_repository_read_only() -> None:
    request = register_repository_request(
        "backups", "fs", {"location": "/mnt/b", "readonly": "false"}
    )
    assert request.method == "PUT" and request.path == "/_snapshot/backups"
    assert request.body == {"type": "fs", "settings": {"location": "/mnt/b", "readonly": True}}
    url = register_repository_request("old", "url", {"url": "file:///mnt/b"})
    assert "readonly" not in url.body["settings"]
