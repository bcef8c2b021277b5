"""Rename preview: Java regex and ``Matcher.replaceAll`` semantics, names ES refuses, collisions.

Expected values are what ``"<name>".replaceAll(pattern, replacement)`` returns on the JVM.
"""

from __future__ import annotations

import pytest

from esnap_tui.restore.rename import (
    JavaRename,
    RenameError,
    index_name_problem,
    java_replace_all,
    preview,
    suggest_prefix_rename,
)


@pytest.mark.parametrize(
    ("name", "pattern", "replacement", "expected"),
    [
        ("index_1", "(.+)", "restored_$1", "restored_index_1"),
        ("logs-2024.01", "logs-(.*)", "old-logs-$1", "old-logs-2024.01"),
        ("unmatched", "logs-(.*)", "old-$1", "unmatched"),
        # replaceAll replaces every match, not only the first
        ("a-b-c", "-", "_", "a_b_c"),
        # an empty match after a non-empty one: Java gives two replacements for .*
        ("abc", ".*", "x", "xx"),
        ("abxd", "x*", "-", "-a-b--d-"),
        # named groups: (?<name>) in the pattern, ${name} in the replacement
        ("logs-2024", "(?<base>[a-z]+)-(\\d+)", "${base}_$2", "logs_2024"),
        # \$ and \\ are literals in the replacement
        ("abc", "b", "\\$", "a$c"),
        ("abc", "b", "\\\\", "a\\c"),
        # $10 with one group: Java takes $1 then the literal 0
        ("a", "(a)", "$10", "a0"),
        # a group that did not take part contributes nothing (Java appends nothing)
        ("ab", "(x)?(ab)", "[$1$2]", "[ab]"),
        # \Q..\E quotes, \z is Java's end of input, POSIX classes
        ("a.b", "\\Q.\\E", "-", "a-b"),
        ("abc", "c\\z", "C", "abC"),
        ("abc123", "\\p{Digit}+", "#", "abc#"),
        # \d is ASCII-only in Java: Arabic-Indic digits are not digits
        ("x٣", "\\d", "D", "x٣"),
        # case-insensitive flag inside the pattern
        ("LOGS-a", "(?i)logs", "l", "l-a"),
    ],
)
def test_java_replace_all(name: str, pattern: str, replacement: str, expected: str) -> None:
    assert java_replace_all(name, pattern, replacement) == expected


@pytest.mark.parametrize(
    ("pattern", "replacement", "fragment"),
    [
        ("(.+)", "$2", "No group 2"),
        ("(.+)", "x$", "group index is missing"),
        ("(.+)", "$a", "Illegal group reference"),
        ("(.+)", "${nope}", "No group with name {nope}"),
        ("(.+)", "x\\", "character to be escaped is missing"),
        ("(?P<n>.+)", "$1", "Python syntax"),
        ("a{", "$0", "Illegal repetition"),
        ("{2}", "$0", "Illegal repetition"),
        ("[a-z&&[^b]]", "x", "intersection"),
        ("[a[bc]]", "x", "nested character class"),
        ("\\p{L}+", "x", "not supported"),
        ("(?d)a", "x", "not supported"),
        ("[abc", "x", "Unclosed character class"),
    ],
)
def test_refuses_what_java_refuses_or_we_cannot_emulate(
    pattern: str, replacement: str, fragment: str
) -> None:
    with pytest.raises(RenameError, match=fragment.replace("{", "\\{").replace("}", "\\}")):
        JavaRename.compile(pattern, replacement)


def test_backing_index_keeps_its_prefix_out_of_the_rename() -> None:
    rename = JavaRename.compile("^(.+)$", "restored-$1")
    assert (
        rename.rename_index(".ds-logs-app-2099.03.09-000005", backing_index=True)
        == ".ds-restored-logs-app-2099.03.09-000005"
    )
    # an ordinary dot index is renamed as a whole
    assert rename.rename_index(".ds-logs", backing_index=False) == "restored-.ds-logs"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Logs", "must be lowercase"),
        ("a b", "must not contain the following characters"),
        ("a*b", "must not contain the following characters"),
        ('a"b', "must not contain the following characters"),
        ("a#b", "must not contain '#'"),
        ("a:b", "must not contain ':'"),
        ("_logs", "must not start with '_', '-', or '+'"),
        ("-logs", "must not start with '_', '-', or '+'"),
        ("+logs", "must not start with '_', '-', or '+'"),
        (".", "must not be '.' or '..'"),
        ("..", "must not be '.' or '..'"),
        ("a" * 256, "index name is too long, (256 > 255)"),
        ("é" * 128, "index name is too long, (256 > 255)"),  # bytes, not characters
    ],
)
def test_invalid_index_names(name: str, problem: str) -> None:
    found = index_name_problem(name)
    assert found is not None and found.startswith(problem)


@pytest.mark.parametrize("name", ["logs-2024", ".hidden", "a" * 255, "logs_a.b+c"])
def test_valid_index_names(name: str) -> None:
    assert index_name_problem(name) is None


def test_preview_lists_every_name_and_flags_problems() -> None:
    result = preview(
        ["logs-a", "logs-b", "metrics", ".ds-web-000001"],
        "(logs|metrics)-?.*",
        "$1",
        backing_indices=[".ds-web-000001"],
        data_streams=["web"],
        existing=["metrics"],
    )
    lines = {entry.source: entry for entry in result.entries}
    assert [e.source for e in result.entries] == [
        "logs-a",
        "logs-b",
        "metrics",
        ".ds-web-000001",
        "web",
    ]
    assert lines["logs-a"].target == "logs" and lines["logs-a"].collides_with == ("logs-b",)
    assert lines["metrics"].exists and not lines["metrics"].renamed
    assert lines[".ds-web-000001"].target == ".ds-web-000001" and lines[".ds-web-000001"].ok
    assert not result.ok
    assert "logs-a -> logs  (same target as logs-b)" in result.lines()


def test_preview_flags_invalid_target_names() -> None:
    result = preview(["logs"], "(.+)", "Restored_$1")
    assert result.entries[0].invalid == "must be lowercase"


def test_preview_without_replacement_renames_nothing() -> None:
    result = preview(["logs"], "(.+)", None)
    assert result.entries[0].target == "logs" and result.error is None


def test_preview_reports_a_bad_pattern_instead_of_raising() -> None:
    result = preview(["logs"], "(.+", "x")
    assert result.error is not None and not result.ok


def test_preview_keeps_feature_state_indices() -> None:
    result = preview([".kibana_1", "logs"], "(.+)", "r-$1", keep=[".kibana_1"])
    assert result.mapping() == {".kibana_1": ".kibana_1", "logs": "r-logs"}


def test_suggested_rename_avoids_names_taken_on_the_target() -> None:
    pattern, replacement = suggest_prefix_rename(["logs"], ["logs", "restored-logs"])
    assert java_replace_all("logs", pattern, replacement) == "restored-2-logs"
