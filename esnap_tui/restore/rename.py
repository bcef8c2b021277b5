"""Rename on restore exactly as Elasticsearch does it: Java regex, Java ``replaceAll``.

Why: Elasticsearch renames each restored index with ``name.replaceAll(rename_pattern,
rename_replacement)`` on the JVM. Python's ``re`` differs from ``java.util.regex`` in syntax
(named groups, ``\\Q..\\E``, ``\\p{..}``, ``\\z``, a stray ``{``) and in replacement syntax
(``$1``/``${name}`` against ``\\1``/``\\g<name>``), so running the user's pattern through ``re``
as is would preview names the cluster never creates. This module translates the Java
constructs that matter, refuses the ones it cannot translate with a clear message (never a
silent wrong preview), and applies the replacement with ``Matcher.appendReplacement`` rules.

Backing indices of data streams (``.ds-<stream>-...``) are renamed without their ``.ds-``
prefix, which is put back afterwards (``RestoreService.renameIndex``); data stream names are
renamed with the same pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

BACKING_PREFIXES = (".ds-", ".fs-")
"""Data stream backing / failure-store index prefixes that are kept out of the rename."""

_ASCII_CLASSES = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}
_JAVA_ONLY_FLAGS = set("dU")  # UNIX_LINES, UNICODE_CHARACTER_CLASS: no re equivalent
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")
_GROUP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


class RenameError(ValueError):
    """A rename pattern or replacement that Elasticsearch would refuse or we cannot emulate.

    ``position`` is the offset in the offending text when known.
    """

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


# --------------------------------------------------------------------------------------------
# pattern translation


def translate_pattern(java: str) -> str:
    """A ``re`` pattern that matches what the Java pattern matches (for index names).

    Raises :class:`RenameError` for syntax Java rejects (``(?P<..>)``, a ``{`` that is not a
    repetition) and for Java constructs ``re`` cannot express (class intersections, nested
    classes, ``\\p{..}`` beyond the POSIX ASCII classes, ``\\G``, ``\\R``, ``\\X``...).
    """
    out: list[str] = []
    i = 0
    n = len(java)
    in_class = False
    class_start = 0
    while i < n:
        char = java[i]
        if char == "\\":
            piece, i = _escape(java, i, in_class)
            out.append(piece)
            continue
        if in_class:
            if char == "[":
                raise RenameError(
                    f"nested character class at {i}: Java's class union is not supported; "
                    "write one class",
                    position=i,
                )
            if char == "&" and java.startswith("&&", i):
                raise RenameError(
                    f"character class intersection '&&' at {i} is not supported", position=i
                )
            if char == "]" and i > class_start:
                in_class = False
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            if i < n and java[i] == "^":
                out.append("^")
                i += 1
            class_start = i
            if i < n and java[i] == "]":
                # Java: a ']' right after '[' or '[^' is a literal member
                out.append("\\]")
                i += 1
            continue
        if char == "(" and java.startswith("(?", i):
            piece, i = _group_open(java, i)
            out.append(piece)
            continue
        if char == "{":
            match = _QUANTIFIER.match(java, i)
            if match is None or not out or out[-1] in ("(", "|"):
                raise RenameError(f"Illegal repetition near index {i}", position=i)
            low = int(match.group(1))
            high = match.group(3)
            if high and int(high) < low:
                raise RenameError(f"Illegal repetition range near index {i}", position=i)
            out.append(match.group(0))
            i = match.end()
            continue
        out.append(char)
        i += 1
    if in_class:
        raise RenameError(f"Unclosed character class near index {n - 1}", position=n - 1)
    return "".join(out)


def _escape(java: str, i: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape starting at ``java[i] == '\\'``; returns (text, next index)."""
    if i + 1 >= len(java):
        raise RenameError(f"Unexpected internal error near index {i}: trailing '\\'", position=i)
    code = java[i + 1]
    if code == "Q":
        end = java.find("\\E", i + 2)
        literal = java[i + 2 :] if end < 0 else java[i + 2 : end]
        stop = len(java) if end < 0 else end + 2
        return re.escape(literal) if literal else "", stop
    if code in "pP":
        if i + 2 < len(java) and java[i + 2] == "{":
            end = java.find("}", i + 3)
            if end < 0:
                raise RenameError(f"Unclosed character family near index {i}", position=i)
            name = java[i + 3 : end]
            stop = end + 1
        elif i + 2 < len(java):
            name = java[i + 2]
            stop = i + 3
        else:
            raise RenameError(f"Illegal character family near index {i}", position=i)
        bare = name.removeprefix("Is")
        if bare not in _ASCII_CLASSES:
            raise RenameError(
                f"character class \\{code}{{{name}}} at {i} is not supported; use an explicit "
                "class such as [a-z]",
                position=i,
            )
        members = _ASCII_CLASSES[bare]
        if in_class:
            if code == "P":
                raise RenameError(
                    f"\\P{{{name}}} inside a character class at {i} is not supported", position=i
                )
            return members, stop
        return (f"[^{members}]" if code == "P" else f"[{members}]"), stop
    if code == "z":
        return "\\Z", i + 2
    if code == "Z":
        # Java \Z also matches before a final line terminator; index names have none
        return "\\Z", i + 2
    if code == "e":
        return "\\x1b", i + 2
    if code == "h":
        return ("[ \\t\\xa0]" if not in_class else " \\t\\xa0"), i + 2
    if code == "k":
        if i + 2 < len(java) and java[i + 2] == "<":
            end = java.find(">", i + 3)
            if end < 0:
                raise RenameError(f"named group reference is missing '>' near {i}", position=i)
            return f"(?P={java[i + 3 : end]})", end + 1
        raise RenameError(f"\\k is not followed by <name> near index {i}", position=i)
    if code in "GRXHVvcN0":
        raise RenameError(f"Java escape \\{code} at {i} is not supported", position=i)
    if code.isalpha() and code not in "dDsSwWbBAtnrfaxu":
        raise RenameError(
            f"Illegal/unsupported escape sequence \\{code} near index {i}", position=i
        )
    return java[i : i + 2], i + 2


def _group_open(java: str, i: int) -> tuple[str, int]:
    """Translate ``(?...`` at ``i``."""
    rest = java[i + 2 :]
    if rest.startswith("<") and not rest.startswith(("<=", "<!")):
        match = _GROUP_NAME.match(rest, 1)
        if match is None or not rest.startswith(">", match.end()):
            raise RenameError(f"named capturing group is missing trailing '>' near {i}", position=i)
        name = match.group(0)
        return f"(?P<{name}>", i + 2 + match.end() + 1
    if rest.startswith("P"):
        raise RenameError(
            f"(?P...) at {i} is Python syntax; Java writes a named group as (?<name>...)",
            position=i,
        )
    if rest.startswith("#"):
        raise RenameError(f"(?#...) comments at {i} are not Java syntax", position=i)
    flags = re.match(r"[a-zA-Z-]*", rest)
    used = set(flags.group(0)) if flags else set()
    bad = used & _JAVA_ONLY_FLAGS
    if bad:
        raise RenameError(
            f"embedded flag (?{''.join(sorted(bad))}) at {i} is not supported", position=i
        )
    return "(?", i + 2


def compile_java(pattern: str) -> re.Pattern[str]:
    """Compile a Java regex for index-name matching (ASCII classes and case folding, as Java
    does by default)."""
    translated = translate_pattern(pattern)
    try:
        return re.compile(translated, re.ASCII)
    except re.error as error:
        raise RenameError(f"invalid pattern: {error}", position=error.pos) from None


# --------------------------------------------------------------------------------------------
# replacement (Matcher.appendReplacement)


@dataclass(frozen=True)
class _Literal:
    text: str


@dataclass(frozen=True)
class _Group:
    ref: int | str


def parse_replacement(replacement: str, pattern: re.Pattern[str]) -> list[_Literal | _Group]:
    """Split a Java replacement into literals and group references, checked against
    ``pattern`` the way ``Matcher.appendReplacement`` checks them."""
    parts: list[_Literal | _Group] = []
    buffer: list[str] = []
    groups = pattern.groups
    i = 0
    n = len(replacement)
    while i < n:
        char = replacement[i]
        if char == "\\":
            if i + 1 >= n:
                raise RenameError("character to be escaped is missing", position=i)
            buffer.append(replacement[i + 1])
            i += 2
            continue
        if char != "$":
            buffer.append(char)
            i += 1
            continue
        if i + 1 >= n:
            raise RenameError("Illegal group reference: group index is missing", position=i)
        if buffer:
            parts.append(_Literal("".join(buffer)))
            buffer = []
        if replacement[i + 1] == "{":
            end = replacement.find("}", i + 2)
            if end < 0:
                raise RenameError("named capturing group is missing trailing '}'", position=i)
            name = replacement[i + 2 : end]
            if not name:
                raise RenameError("named capturing group has 0 length name", position=i)
            if not _GROUP_NAME.fullmatch(name):
                raise RenameError(
                    "named capturing group name must start with a letter and contain only "
                    f"letters and digits: {{{name}}}",
                    position=i,
                )
            if name not in pattern.groupindex:
                raise RenameError(f"No group with name {{{name}}}", position=i)
            parts.append(_Group(name))
            i = end + 1
            continue
        digit = replacement[i + 1]
        if not ("0" <= digit <= "9"):
            raise RenameError("Illegal group reference", position=i)
        number = int(digit)
        if number > groups:
            raise RenameError(f"No group {number}", position=i)
        i += 2
        while i < n and "0" <= replacement[i] <= "9":
            candidate = number * 10 + int(replacement[i])
            if candidate > groups:
                break
            number = candidate
            i += 1
        parts.append(_Group(number))
    if buffer:
        parts.append(_Literal("".join(buffer)))
    return parts


@dataclass(frozen=True)
class JavaRename:
    """A compiled ``rename_pattern`` + ``rename_replacement`` pair."""

    pattern: str
    replacement: str
    compiled: re.Pattern[str]
    parts: tuple[_Literal | _Group, ...]

    @classmethod
    def compile(cls, pattern: str, replacement: str) -> JavaRename:
        compiled = compile_java(pattern)
        return cls(pattern, replacement, compiled, tuple(parse_replacement(replacement, compiled)))

    def _expand(self, match: re.Match[str]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, _Literal):
                out.append(part.text)
            else:
                value = match.group(part.ref)
                if value is not None:  # Java appends nothing for a group that did not take part
                    out.append(value)
        return "".join(out)

    def replace_all(self, text: str) -> str:
        """``text.replaceAll(pattern, replacement)``."""
        return self.compiled.sub(self._expand, text)

    def rename_index(self, name: str, *, backing_index: bool = False) -> str:
        """The restored name of one index; backing indices keep their prefix out of it."""
        if backing_index:
            for prefix in BACKING_PREFIXES:
                if name.startswith(prefix):
                    return prefix + self.replace_all(name[len(prefix) :])
        return self.replace_all(name)


def java_replace_all(text: str, pattern: str, replacement: str) -> str:
    """``text.replaceAll(pattern, replacement)`` with Java semantics."""
    return JavaRename.compile(pattern, replacement).replace_all(text)


# --------------------------------------------------------------------------------------------
# index name rules


_FORBIDDEN = ("\\", "/", "*", "?", '"', "<", ">", "|", " ", ",", "#")


def index_name_problem(name: str, *, colon_forbidden: bool = True) -> str | None:
    """Why Elasticsearch refuses ``name`` as an index name, in its words, or ``None``.

    Mirrors ``MetadataCreateIndexService.validateIndexOrAliasName``; ``:`` is refused from 7.0.
    """
    if not name:
        return "must not be empty"
    bad = [c for c in _FORBIDDEN if c != "#" and c in name]
    if bad:
        return "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]"
    if "#" in name:
        return "must not contain '#'"
    if colon_forbidden and ":" in name:
        return "must not contain ':'"
    if name.startswith(("_", "-", "+")):
        return "must not start with '_', '-', or '+'"
    if name != name.lower():
        return "must be lowercase"
    if name in (".", ".."):
        return "must not be '.' or '..'"
    size = len(name.encode("utf-8"))
    if size > 255:
        return f"index name is too long, ({size} > 255)"
    return None


def invalid_index_name_reason(name: str, problem: str) -> str:
    """The ``invalid_index_name_exception`` reason text."""
    return f"Invalid index name [{name}], {problem}"


# --------------------------------------------------------------------------------------------
# preview


@dataclass(frozen=True)
class RenameEntry:
    """One source -> target line of the preview."""

    source: str
    target: str
    kind: str = "index"  # "index" | "backing-index" | "data-stream"
    invalid: str | None = None  # why ES refuses the target name
    collides_with: tuple[str, ...] = ()  # other sources renamed into the same target
    exists: bool = False  # the target name is already an index/data stream/alias on the target

    @property
    def renamed(self) -> bool:
        return self.source != self.target

    @property
    def ok(self) -> bool:
        return self.invalid is None and not self.collides_with and not self.exists


@dataclass
class RenamePreview:
    entries: list[RenameEntry] = field(default_factory=list)
    error: str | None = None  # the pattern/replacement itself is wrong

    @property
    def ok(self) -> bool:
        return self.error is None and all(entry.ok for entry in self.entries)

    def mapping(self) -> dict[str, str]:
        return {entry.source: entry.target for entry in self.entries}

    def lines(self) -> list[str]:
        """Human lines: ``logs-1 -> restored-logs-1  (exists)``."""
        out: list[str] = []
        for entry in self.entries:
            notes = []
            if entry.invalid:
                notes.append(f"invalid: {entry.invalid}")
            if entry.collides_with:
                notes.append("same target as " + ", ".join(entry.collides_with))
            if entry.exists:
                notes.append("exists on target")
            suffix = f"  ({'; '.join(notes)})" if notes else ""
            out.append(f"{entry.source} -> {entry.target}{suffix}")
        return out


def preview(
    indices: Iterable[str],
    pattern: str | None,
    replacement: str | None,
    *,
    backing_indices: Iterable[str] = (),
    data_streams: Iterable[str] = (),
    existing: Iterable[str] = (),
    keep: Iterable[str] = (),
    colon_forbidden: bool = True,
) -> RenamePreview:
    """Every source -> target name, with invalid names and collisions flagged.

    ``backing_indices`` are the data-stream backing indices among ``indices``; ``keep`` are
    names never renamed (system indices of restored feature states); ``existing`` are the
    index, data stream and alias names already on the target cluster. Without both a pattern
    and a replacement nothing is renamed (Elasticsearch ignores one without the other).
    """
    rename: JavaRename | None = None
    result = RenamePreview()
    if pattern is not None and replacement is not None:
        try:
            rename = JavaRename.compile(pattern, replacement)
        except RenameError as error:
            result.error = str(error)
    backing = set(backing_indices)
    kept = set(keep)
    present = set(existing)

    raw: list[tuple[str, str, str]] = []
    for name in indices:
        kind = "backing-index" if name in backing else "index"
        target = name
        if rename is not None and name not in kept:
            target = rename.rename_index(name, backing_index=name in backing)
        raw.append((name, target, kind))
    for name in data_streams:
        target = rename.replace_all(name) if rename is not None else name
        raw.append((name, target, "data-stream"))

    by_target: dict[tuple[str, str], list[str]] = {}
    for source, target, kind in raw:
        space = "stream" if kind == "data-stream" else "index"
        by_target.setdefault((space, target), []).append(source)
    for source, target, kind in raw:
        space = "stream" if kind == "data-stream" else "index"
        others = tuple(s for s in by_target[(space, target)] if s != source)
        result.entries.append(
            RenameEntry(
                source=source,
                target=target,
                kind=kind,
                invalid=index_name_problem(target, colon_forbidden=colon_forbidden),
                collides_with=others,
                exists=target in present,
            )
        )
    return result


def suggest_prefix_rename(
    names: Iterable[str],
    taken: Iterable[str],
    *,
    backing_indices: Iterable[str] = (),
    base: str = "restored-",
) -> tuple[str, str]:
    """A ``(.+)`` -> ``<prefix>$1`` rename whose targets are all free on the target."""
    sources = list(names)
    backing = set(backing_indices)
    used = set(taken)
    attempt = 1
    prefix = base
    while True:
        rename = JavaRename.compile("(.+)", f"{prefix}$1")
        targets = [rename.rename_index(n, backing_index=n in backing) for n in sources]
        if not used.intersection(targets):
            return "(.+)", f"{prefix}$1"
        attempt += 1
        prefix = f"{base.rstrip('-')}-{attempt}-"
