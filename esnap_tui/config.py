"""User configuration: which clusters and offline repositories esnap knows about.

``clusters.yaml`` lives in the XDG config directory. It is validated from YAML *nodes* rather
than plain Python objects so every problem can name the file, the line and the field; a user
with a broken file gets one precise message instead of a traceback.

Secrets are never stored in the file: a cluster names an environment variable or a command that
yields the password or API key, and those are resolved only when connecting (``resolve_*``).
Error messages name the variable or command, never the value it produced.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

CONFIG_FILE_NAME = "clusters.yaml"
PASSWORD_COMMAND_TIMEOUT = 10.0  # seconds a password_command may take


class ConfigError(Exception):
    """A problem in the config file: ``str()`` is ``<file>:<line>: <field>: <problem>``."""

    def __init__(
        self, file: str | Path, line: int | None, field_path: str | None, problem: str
    ) -> None:
        self.file = str(file)
        self.line = line
        self.field = field_path
        self.problem = problem
        where = self.file if line is None else f"{self.file}:{line}"
        message = f"{where}: {field_path}: {problem}" if field_path else f"{where}: {problem}"
        super().__init__(message)


class SecretError(Exception):
    """A password or API key could not be resolved (names the variable/command, not a value)."""


@dataclass
class ClusterConfig:
    name: str
    urls: list[str]
    username: str | None = None
    password_env: str | None = None
    password_command: list[str] | None = field(default=None, repr=False)
    api_key_env: str | None = None
    ca_certs: str | None = None
    verify_certs: bool = True
    read_only: bool = False
    protected: bool = False
    theme: str | None = None
    # repo name -> local directory of its files (`name: {path: DIR}` or `name: DIR`)
    repositories: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The first URL: what messages show for this cluster."""
        return self.urls[0]

    @property
    def auth_kind(self) -> str | None:
        """"basic", "api-key" or None: used for hints in 401 messages."""
        if self.api_key_env:
            return "api-key"
        if self.username:
            return "basic"
        return None


@dataclass
class OfflineRepositoryConfig:
    name: str
    path: str


@dataclass
class EsnapConfig:
    clusters: list[ClusterConfig] = field(default_factory=list)
    offline: list[OfflineRepositoryConfig] = field(default_factory=list)
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    path: Path | None = None  # the file it came from (None: no file)

    def cluster(self, name: str) -> ClusterConfig:
        for cluster in self.clusters:
            if cluster.name == name:
                return cluster
        known = ", ".join(c.name for c in self.clusters) or "none configured"
        raise KeyError(f"no cluster named {name!r} (known: {known})")

    def offline_repository(self, name: str) -> OfflineRepositoryConfig:
        for repo in self.offline:
            if repo.name == name:
                return repo
        raise KeyError(f"no offline repository named {name!r}")


def default_config_path() -> Path:
    """``$XDG_CONFIG_HOME/esnap/clusters.yaml``, ``~/.config/esnap/clusters.yaml`` by default."""
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "esnap" / CONFIG_FILE_NAME


def load_config(path: Path | str | None = None) -> EsnapConfig:
    """Read and validate a config file. ``None`` means the XDG default, which may be absent
    (an empty config then); an explicit path that does not exist is an error."""
    explicit = path is not None
    file = Path(path).expanduser() if path is not None else default_config_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(file, None, None, "file not found") from None
        return EsnapConfig(path=None)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(file, None, None, f"cannot read: {error}") from None
    config = parse_config(text, file)
    config.path = file
    return config


def parse_config(text: str, file: str | Path = "<config>") -> EsnapConfig:
    """Validate config text; ``file`` only appears in messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise ConfigError(file, line, None, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(file, None, None, f"invalid YAML: {error}") from None
    if root is None:
        return EsnapConfig()
    return _Validator(str(file)).config(root)


# --- validation -------------------------------------------------------------------------

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOP_KEYS = ("clusters", "offline", "keymap", "theme")
_CLUSTER_KEYS = (
    "name",
    "url",
    "urls",
    "username",
    "password_env",
    "password_command",
    "api_key_env",
    "ca_certs",
    "verify_certs",
    "read_only",
    "protected",
    "theme",
    "repositories",
)
_YAML_TYPE_NAMES = {
    "tag:yaml.org,2002:str": "a string",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "empty",
}


class _Validator:
    def __init__(self, file: str) -> None:
        self.file = file

    # errors and primitive readers ---------------------------------------------------------

    def fail(self, node: Node, field_path: str | None, problem: str) -> ConfigError:
        return ConfigError(self.file, node.start_mark.line + 1, field_path, problem)

    @staticmethod
    def describe(node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        return _YAML_TYPE_NAMES.get(node.tag, "a value")

    def mapping(
        self, node: Node, field_path: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[Node, Node]]:
        """key -> (key node, value node), rejecting duplicates and (if given) unknown keys."""
        if not isinstance(node, MappingNode):
            got = self.describe(node)
            raise self.fail(node, field_path or None, f"expected a mapping, got {got}")
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.fail(key_node, field_path or None, "keys must be plain names")
            key = str(key_node.value)
            child = f"{field_path}.{key}" if field_path else key
            if allowed is not None and key not in allowed:
                hint = ", ".join(allowed)
                raise self.fail(key_node, child, f"unknown key (expected one of: {hint})")
            if key in result:
                raise self.fail(key_node, child, "duplicate key")
            result[key] = (key_node, value_node)
        return result

    def string(self, node: Node, field_path: str, *, empty_ok: bool = False) -> str:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.fail(node, field_path, f"expected a string, got {self.describe(node)}")
        value = str(node.value)
        if not empty_ok and not value.strip():
            raise self.fail(node, field_path, "must not be empty")
        return value

    def optional_string(self, node: Node, field_path: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return None
        return self.string(node, field_path)

    def boolean(self, node: Node, field_path: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            raise self.fail(node, field_path, f"expected true or false, got {self.describe(node)}")
        return str(node.value).lower() in ("true", "yes", "on", "y")

    def sequence(self, node: Node, field_path: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, field_path, f"expected a list, got {self.describe(node)}")
        return list(node.value)

    # sections --------------------------------------------------------------------------------

    def config(self, root: Node) -> EsnapConfig:
        top = self.mapping(root, "", _TOP_KEYS)
        config = EsnapConfig()
        if "clusters" in top:
            config.clusters = self.clusters(top["clusters"][1])
        if "offline" in top:
            config.offline = self.offline(top["offline"][1])
        if "keymap" in top:
            config.keymap = self.keymap(top["keymap"][1])
        if "theme" in top:
            config.theme = self.optional_string(top["theme"][1], "theme")
        return config

    def clusters(self, node: Node) -> list[ClusterConfig]:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        clusters: list[ClusterConfig] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(self.sequence(node, "clusters")):
            cluster = self.cluster(item, f"clusters[{index}]")
            if cluster.name in seen:
                raise self.fail(
                    item,
                    f"clusters[{index}].name",
                    f"duplicate cluster name {cluster.name!r} (first defined on line "
                    f"{seen[cluster.name]})",
                )
            seen[cluster.name] = item.start_mark.line + 1
            clusters.append(cluster)
        return clusters

    def cluster(self, node: Node, path: str) -> ClusterConfig:
        keys = self.mapping(node, path, _CLUSTER_KEYS)

        def value(key: str) -> Node | None:
            return keys[key][1] if key in keys else None

        def at(key: str) -> str:
            return f"{path}.{key}"

        name_node = value("name")
        if name_node is None:
            raise self.fail(node, at("name"), "missing (every cluster needs a name)")
        name = self.string(name_node, at("name")).strip()

        url_node, urls_node = value("url"), value("urls")
        if url_node is not None and urls_node is not None:
            raise self.fail(urls_node, at("urls"), "give either url or urls, not both")
        if url_node is None and urls_node is None:
            raise self.fail(node, at("url"), "missing (every cluster needs a url)")
        if url_node is not None:
            urls = [self.url(url_node, at("url"))]
        else:
            assert urls_node is not None
            items = self.sequence(urls_node, at("urls"))
            if not items:
                raise self.fail(urls_node, at("urls"), "must list at least one URL")
            urls = [self.url(item, f"{at('urls')}[{i}]") for i, item in enumerate(items)]

        cluster = ClusterConfig(name=name, urls=urls)
        for key in ("username", "password_env", "api_key_env", "ca_certs", "theme"):
            node_ = value(key)
            if node_ is not None:
                setattr(cluster, key, self.optional_string(node_, at(key)))
        for key in ("password_env", "api_key_env"):
            env = getattr(cluster, key)
            node_ = value(key)
            if env is not None and node_ is not None and not _ENV_NAME.match(env):
                raise self.fail(
                    node_, at(key), "must be the NAME of an environment variable (letters, "
                    "digits, underscore), not the secret itself"
                )
        if cluster.ca_certs is not None:
            cluster.ca_certs = str(Path(cluster.ca_certs).expanduser())
        command_node = value("password_command")
        if command_node is not None:
            cluster.password_command = self.command(command_node, at("password_command"))
        for key in ("verify_certs", "read_only", "protected"):
            node_ = value(key)
            if node_ is not None:
                setattr(cluster, key, self.boolean(node_, at(key)))
        repos_node = value("repositories")
        if repos_node is not None:
            cluster.repositories = self.repository_paths(repos_node, at("repositories"))

        # combinations
        if cluster.password_env and cluster.password_command is not None:
            assert command_node is not None
            raise self.fail(
                command_node, at("password_command"),
                "give either password_env or password_command, not both",
            )
        has_password = bool(cluster.password_env) or cluster.password_command is not None
        if has_password and not cluster.username:
            source = "password_env" if cluster.password_env else "password_command"
            source_node = value(source)
            assert source_node is not None
            raise self.fail(source_node, at(source), "needs a username")
        if cluster.username and not has_password:
            user_node = value("username")
            assert user_node is not None
            raise self.fail(
                user_node, at("username"), "needs password_env or password_command"
            )
        if cluster.api_key_env and cluster.username:
            key_node = value("api_key_env")
            assert key_node is not None
            raise self.fail(
                key_node, at("api_key_env"),
                "give either api_key_env or username/password, not both",
            )
        return cluster

    def url(self, node: Node, field_path: str) -> str:
        # The value is never echoed: a URL may carry credentials the user pasted by mistake.
        text = self.string(node, field_path).strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise self.fail(node, field_path, "not a valid URL (bad port?)") from None
        if parts.scheme not in ("http", "https"):
            raise self.fail(
                node, field_path, "must start with http:// or https:// (e.g. http://localhost:9200)"
            )
        if not parts.hostname:
            raise self.fail(node, field_path, "has no host name")
        if parts.username is not None or parts.password is not None:
            raise self.fail(
                node, field_path,
                "must not contain credentials; use username with password_env or "
                "password_command, or api_key_env",
            )
        if parts.query or parts.fragment:
            raise self.fail(node, field_path, "must not have a query string or fragment")
        if port == 0:
            raise self.fail(node, field_path, "port must be between 1 and 65535")
        return text.rstrip("/")

    def command(self, node: Node, field_path: str) -> list[str]:
        # Like urls, the command is never echoed (it may embed a token).
        if isinstance(node, SequenceNode):
            parts = [self.string(item, f"{field_path}[{i}]") for i, item in enumerate(node.value)]
        else:
            text = self.string(node, field_path)
            try:
                parts = shlex.split(text)
            except ValueError as error:
                raise self.fail(node, field_path, f"cannot split command: {error}") from None
        if not parts:
            raise self.fail(node, field_path, "must not be empty")
        return parts

    def repository_paths(self, node: Node, field_path: str) -> dict[str, str]:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return {}
        result: dict[str, str] = {}
        for repo, (_, value_node) in self.mapping(node, field_path, None).items():
            repo_path = f"{field_path}.{repo}"
            if isinstance(value_node, ScalarNode):  # shorthand: `name: DIR`
                result[repo] = str(Path(self.string(value_node, repo_path)).expanduser())
                continue
            entry = self.mapping(value_node, repo_path, ("path",))
            if "path" not in entry:
                raise self.fail(value_node, f"{repo_path}.path", "missing")
            result[repo] = str(
                Path(self.string(entry["path"][1], f"{repo_path}.path")).expanduser()
            )
        return result

    def offline(self, node: Node) -> list[OfflineRepositoryConfig]:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        result: list[OfflineRepositoryConfig] = []
        seen: set[str] = set()
        for index, item in enumerate(self.sequence(node, "offline")):
            path = f"offline[{index}]"
            keys = self.mapping(item, path, ("name", "path"))
            for required in ("name", "path"):
                if required not in keys:
                    raise self.fail(item, f"{path}.{required}", "missing")
            name = self.string(keys["name"][1], f"{path}.name").strip()
            if name in seen:
                raise self.fail(keys["name"][1], f"{path}.name", f"duplicate name {name!r}")
            seen.add(name)
            location = self.string(keys["path"][1], f"{path}.path")
            result.append(OfflineRepositoryConfig(name, str(Path(location).expanduser())))
        return result

    def keymap(self, node: Node) -> dict[str, str]:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return {}
        result: dict[str, str] = {}
        for binding, (_, value_node) in self.mapping(node, "keymap", None).items():
            result[binding] = self.string(value_node, f"keymap.{binding}")
        return result


# --- secrets --------------------------------------------------------------------------------


def _env_value(cluster: ClusterConfig, variable: str, what: str, environ: dict[str, str]) -> str:
    value = environ.get(variable)
    if value is None:
        raise SecretError(
            f"cluster {cluster.name!r}: environment variable {variable} ({what}) is not set"
        )
    if not value:
        raise SecretError(
            f"cluster {cluster.name!r}: environment variable {variable} ({what}) is empty"
        )
    return value


async def _run_password_command(cluster: ClusterConfig, timeout: float) -> str:
    assert cluster.password_command is not None
    program = cluster.password_command[0]
    try:
        process = await asyncio.create_subprocess_exec(
            *cluster.password_command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SecretError(
            f"cluster {cluster.name!r}: password_command {program!r} could not start: {reason}"
        ) from None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise SecretError(
            f"cluster {cluster.name!r}: password_command {program!r} did not finish within "
            f"{timeout:g}s"
        ) from None
    if process.returncode != 0:
        first_line = stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        detail = f": {first_line[0][:200]}" if first_line else ""
        raise SecretError(
            f"cluster {cluster.name!r}: password_command {program!r} exited with status "
            f"{process.returncode}{detail}"
        )
    password = stdout.decode("utf-8", "replace").rstrip("\r\n")
    if not password:
        raise SecretError(f"cluster {cluster.name!r}: password_command {program!r} printed nothing")
    return password


@dataclass(frozen=True)
class Credentials:
    """Resolved secrets for one connection. Never printed: the repr hides the values."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)


async def resolve_credentials(
    cluster: ClusterConfig,
    *,
    environ: dict[str, str] | None = None,
    command_timeout: float = PASSWORD_COMMAND_TIMEOUT,
) -> Credentials:
    """Look up the password / API key of ``cluster`` now (at connect time), raising
    ``SecretError`` with a message that names the variable or command but no value."""
    env = dict(os.environ) if environ is None else environ
    if cluster.api_key_env:
        return Credentials(api_key=_env_value(cluster, cluster.api_key_env, "api_key_env", env))
    if cluster.username is None:
        return Credentials()
    if cluster.password_env:
        password = _env_value(cluster, cluster.password_env, "password_env", env)
    elif cluster.password_command is not None:
        password = await _run_password_command(cluster, command_timeout)
    else:
        password = ""
    return Credentials(username=cluster.username, password=password)


def secret_scrubber(*secrets: str | None) -> Callable[[str], str]:
    """A function that masks the given secrets in a text (belt and braces for messages that
    include server-provided strings)."""
    values = [s for s in secrets if s and len(s) >= 3]

    def scrub(text: str) -> str:
        for value in values:
            text = text.replace(value, "****")
        return text

    return scrub


def as_dict(config: EsnapConfig) -> dict[str, Any]:
    """A printable summary of the config without secrets (for `esnap ls clusters --json`)."""
    return {
        "path": str(config.path) if config.path else None,
        "clusters": [
            {
                "name": c.name,
                "urls": c.urls,
                "auth": c.auth_kind,
                "read_only": c.read_only,
                "protected": c.protected,
            }
            for c in config.clusters
        ],
        "offline": [{"name": o.name, "path": o.path} for o in config.offline],
    }
