"""clusters.yaml: what a user with a good or a broken file sees."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from esnap_tui.config import (
    ConfigError,
    SecretError,
    default_config_path,
    load_config,
    parse_config,
    resolve_credentials,
)

GOOD = """\
theme: dark
keymap:
  quit: ctrl+q
  filter: slash
clusters:
  - name: prod
    url: https://es.example.com:9200/
    username: admin
    password_env: ES_PROD_PASSWORD
    ca_certs: /etc/ssl/es-ca.pem
    protected: true
    theme: production
    repositories:
      nightly:
        path: /mnt/backups/nightly
      weekly: /mnt/backups/weekly
  - name: staging
    urls:
      - http://10.0.0.1:9200
      - http://10.0.0.2:9200
    api_key_env: STAGING_API_KEY
    verify_certs: false
    read_only: true
  - name: vault
    url: http://localhost:9200
    username: ops
    password_command: ["pass", "show", "es/vault"]
offline:
  - name: archive
    path: /srv/old-repo
"""


def test_good_file_gives_every_field(tmp_path: Path) -> None:
    file = tmp_path / "clusters.yaml"
    file.write_text(GOOD)
    config = load_config(file)
    assert config.path == file
    assert config.theme == "dark"
    assert config.keymap == {"quit": "ctrl+q", "filter": "slash"}
    prod, staging, vault = config.clusters
    assert prod.name == "prod"
    assert prod.urls == ["https://es.example.com:9200"]
    assert (prod.username, prod.password_env) == ("admin", "ES_PROD_PASSWORD")
    assert prod.ca_certs == "/etc/ssl/es-ca.pem"
    assert prod.protected and not prod.read_only and prod.verify_certs
    assert prod.theme == "production"
    assert prod.repositories == {
        "nightly": "/mnt/backups/nightly",
        "weekly": "/mnt/backups/weekly",
    }
    assert staging.urls == ["http://10.0.0.1:9200", "http://10.0.0.2:9200"]
    assert staging.api_key_env == "STAGING_API_KEY"
    assert staging.verify_certs is False and staging.read_only is True
    assert vault.password_command == ["pass", "show", "es/vault"]
    assert [(o.name, o.path) for o in config.offline] == [("archive", "/srv/old-repo")]
    assert config.cluster("staging") is staging


def test_password_command_string_is_split_like_a_shell() -> None:
    text = "clusters:\n  - name: a\n    url: http://h:9200\n    username: u\n"
    text += "    password_command: \"pass show 'es/my cluster'\"\n"
    assert parse_config(text).clusters[0].password_command == ["pass", "show", "es/my cluster"]


def test_empty_file_is_an_empty_config() -> None:
    config = parse_config("", "x.yaml")
    assert config.clusters == [] and config.offline == [] and config.keymap == {}


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_config_path() == tmp_path / "esnap" / "clusters.yaml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_config_path() == tmp_path / "home" / ".config" / "esnap" / "clusters.yaml"


def test_missing_default_file_is_empty_but_missing_explicit_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config().clusters == []
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_xdg_default_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "esnap").mkdir()
    (tmp_path / "esnap" / "clusters.yaml").write_text(GOOD)
    assert [c.name for c in load_config().clusters] == ["prod", "staging", "vault"]


CLUSTER = "clusters:\n  - name: a\n    url: http://localhost:9200\n"

# (text, line, field, words in the problem)
BAD_FILES = [
    pytest.param("colour: red\n", 1, "colour", "unknown key", id="unknown-top-key"),
    pytest.param(CLUSTER + "    pasword_env: X\n", 4, "clusters[0].pasword_env", "unknown key",
                 id="unknown-cluster-key"),
    pytest.param("clusters:\n  - url: http://h:9200\n", 2, "clusters[0].name", "missing",
                 id="missing-name"),
    pytest.param("clusters:\n  - name: a\n", 2, "clusters[0].url", "missing", id="missing-url"),
    pytest.param(CLUSTER + "    urls: [http://h:1]\n", 4, "clusters[0].urls", "either url or urls",
                 id="url-and-urls"),
    pytest.param("clusters:\n  - name: a\n    urls: []\n", 3, "clusters[0].urls", "at least one",
                 id="empty-urls"),
    pytest.param(CLUSTER + "  - name: b\n    url: ftp://h\n", 5, "clusters[1].url",
                 "http:// or https://", id="bad-scheme"),
    pytest.param(CLUSTER + "  - name: b\n    url: http://h:99999\n", 5, "clusters[1].url",
                 "not a valid URL", id="bad-port"),
    pytest.param("clusters:\n  - name: a\n    url: 'http://:9200'\n", 3, "clusters[0].url",
                 "no host", id="no-host"),
    pytest.param(CLUSTER + "  - name: a\n    url: http://h:9200\n", 4, "clusters[1].name",
                 "duplicate cluster name 'a' (first defined on line 2)", id="duplicate-name"),
    pytest.param(CLUSTER + "    verify_certs: sometimes\n", 4, "clusters[0].verify_certs",
                 "expected true or false, got a string", id="bool-wrong-type"),
    pytest.param(CLUSTER + "    read_only: 1\n", 4, "clusters[0].read_only",
                 "expected true or false, got a number", id="bool-number"),
    pytest.param("clusters:\n  - name: 12\n    url: http://h\n", 2, "clusters[0].name",
                 "expected a string, got a number", id="name-number"),
    pytest.param("clusters: {a: 1}\n", 1, "clusters", "expected a list", id="clusters-not-list"),
    pytest.param("clusters:\n  - just-a-string\n", 2, "clusters[0]", "expected a mapping",
                 id="cluster-not-mapping"),
    pytest.param(CLUSTER + "    username: u\n    password_env: P\n    password_command: cat p\n",
                 6, "clusters[0].password_command", "either password_env or password_command",
                 id="password-env-and-command"),
    pytest.param(CLUSTER + "    password_env: P\n", 4, "clusters[0].password_env",
                 "needs a username", id="password-without-username"),
    pytest.param(CLUSTER + "    username: u\n", 4, "clusters[0].username",
                 "needs password_env or password_command", id="username-without-password"),
    pytest.param(CLUSTER + "    username: u\n    password_env: P\n    api_key_env: K\n", 6,
                 "clusters[0].api_key_env", "either api_key_env or username", id="key-and-user"),
    pytest.param(CLUSTER + "    repositories:\n      nightly: {location: /x}\n", 5,
                 "clusters[0].repositories.nightly.location", "unknown key",
                 id="repository-bad-key"),
    pytest.param("offline:\n  - name: x\n", 2, "offline[0].path", "missing", id="offline-no-path"),
    pytest.param("offline:\n  - {name: x, path: /a}\n  - {name: x, path: /b}\n", 3,
                 "offline[1].name", "duplicate", id="offline-duplicate"),
    pytest.param("keymap:\n  quit: [q, x]\n", 2, "keymap.quit", "expected a string",
                 id="keymap-not-string"),
    pytest.param(CLUSTER + "    theme: dark\n    theme: light\n", 5, "clusters[0].theme",
                 "duplicate key", id="duplicate-key"),
]


@pytest.mark.parametrize(("text", "line", "field", "problem"), BAD_FILES)
def test_bad_file_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, problem: str
) -> None:
    file = tmp_path / "clusters.yaml"
    file.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    error = caught.value
    assert (error.file, error.line, error.field) == (str(file), line, field)
    assert str(error).startswith(f"{file}:{line}: {field}: ")
    assert problem in error.problem
    assert "\n" not in str(error)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    file = tmp_path / "clusters.yaml"
    file.write_text("clusters:\n  - name: a\n    url: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    assert caught.value.line is not None and caught.value.line >= 3
    assert "invalid YAML" in str(caught.value)


SECRET = "hunter2-s3cret"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"clusters:\n  - name: a\n    url: http://admin:{SECRET}@h:9200\n",
                     id="credentials-in-url"),
        pytest.param(f"clusters:\n  - name: a\n    url: http://h\n    password_env: {SECRET}!\n",
                     id="secret-as-env-name"),
        pytest.param(f"clusters:\n  - name: a\n    url: http://h\n    api_key_env: '{SECRET} x'\n",
                     id="key-as-env-name"),
        pytest.param(
            f"clusters:\n  - name: a\n    url: http://h\n    password_command: echo {SECRET}\n",
            id="command-without-username",
        ),
    ],
)
def test_secrets_pasted_in_the_file_are_never_echoed(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.yaml")
    assert SECRET not in str(caught.value)


def test_repr_hides_password_command() -> None:
    text = CLUSTER + f"    username: u\n    password_command: echo {SECRET}\n"
    cluster = parse_config(text).clusters[0]
    assert SECRET not in repr(cluster)


async def test_password_from_env_resolved_lazily() -> None:
    text = CLUSTER + "    username: u\n    password_env: ESNAP_TEST_PW\n"
    cluster = parse_config(text).clusters[0]
    credentials = await resolve_credentials(cluster, environ={"ESNAP_TEST_PW": SECRET})
    assert (credentials.username, credentials.password) == ("u", SECRET)
    assert SECRET not in repr(credentials)


async def test_missing_env_var_names_the_variable() -> None:
    cluster = parse_config(CLUSTER + "    api_key_env: ESNAP_TEST_KEY\n").clusters[0]
    with pytest.raises(SecretError) as caught:
        await resolve_credentials(cluster, environ={})
    assert str(caught.value) == (
        "cluster 'a': environment variable ESNAP_TEST_KEY (api_key_env) is not set"
    )


async def test_password_command_output_is_the_password() -> None:
    command = shlex.join([sys.executable, "-c", f"print('{SECRET}')"])
    text = CLUSTER + f"    username: u\n    password_command: {json.dumps(command)}\n"
    cluster = parse_config(text).clusters[0]
    credentials = await resolve_credentials(cluster)
    assert credentials.password == SECRET


async def test_failing_password_command_does_not_leak_stdout() -> None:
    command = [sys.executable, "-c", f"print('{SECRET}'); import sys; sys.exit(3)"]
    cluster = parse_config(CLUSTER).clusters[0]
    cluster.username, cluster.password_command = "u", command
    with pytest.raises(SecretError) as caught:
        await resolve_credentials(cluster)
    assert "exited with status 3" in str(caught.value)
    assert SECRET not in str(caught.value)


async def test_hanging_password_command_times_out() -> None:
    cluster = parse_config(CLUSTER).clusters[0]
    cluster.username = "u"
    cluster.password_command = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(SecretError) as caught:
        await resolve_credentials(cluster, command_timeout=0.2)
    assert "did not finish within 0.2s" in str(caught.value)
