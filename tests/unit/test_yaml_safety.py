"""YAML 1.1 surprises, unsafe input and resource bombs are refused or kept as written, with locations."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError
from ttx.loader.yaml_source import Limits, read_yaml

Write = Callable[..., Path]


def problems_of(path: Path, limits: Limits | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        read_yaml(path, limits or Limits())
    return [str(problem) for problem in caught.value.problems]


def test_yaml_11_scalars_keep_the_text_the_author_wrote(write: Write) -> None:
    path = write("s.yaml", "country: NO\nflag: off\nclock: 9:30\ncode: 012\nversion: 1.10\nname: ON\nyes: y\n")
    data = read_yaml(path).data
    assert data == {
        "country": "NO",
        "flag": "off",
        "clock": "9:30",
        "code": "012",
        "version": "1.10",
        "name": "ON",
        "yes": "y",
    }


def test_norway_and_on_stay_codes_in_a_scenario(write: Write, harbour: str) -> None:
    text = harbour.replace(
        "  - {id: RMO, name: Regional Migration Office, kind: io, cells: [PWG]}",
        "  - {id: RMO, name: Regional Migration Office, kind: io, cells: [PWG]}\n"
        "  - {id: NOR, name: Norway, cells: [MWG]}\n"
        "  - {id: ON, name: Observer Nation, kind: other, cells: [MWG]}",
    )
    loaded = load_scenario(write("x/scenario.yaml", text))
    assert [p.id for p in loaded.scenario.participants][-2:] == ["NOR", "ON"]


def test_plain_nulls_are_empty_but_quoted_null_is_text(write: Write) -> None:
    data = read_yaml(write("s.yaml", "a: ~\nb:\nc: 'null'\nd: null\n")).data
    assert data == {"a": None, "b": None, "c": "null", "d": None}


def test_duplicate_keys_are_errors_at_the_second_key(write: Write) -> None:
    path = write("s.yaml", "title: one\nother: x\ntitle: two\n")
    assert problems_of(path) == [f"{path}:3:1: duplicate key 'title' (first written on line 1)"]


def test_nested_duplicates_are_all_reported(write: Write) -> None:
    path = write("s.yaml", "a:\n  x: 1\n  x: 2\nb:\n  - {y: 1, y: 2}\n")
    found = problems_of(path)
    assert len(found) == 2
    assert found[0].startswith(f"{path}:3:3: duplicate key 'x'")
    assert found[1].startswith(f"{path}:5:12: duplicate key 'y'")


def test_alias_bomb_is_refused_quickly(write: Write) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[index]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = write("bomb.yaml", "\n".join(lines) + "\n")
    started = time.process_time()
    found = problems_of(path)
    assert "expands to" in found[0] and "aliases" in found[0]
    # The refusal does not expand the bomb: well under a second of CPU even on a slow machine.
    assert time.process_time() - started < 5


def test_small_aliases_are_allowed(write: Write) -> None:
    data = read_yaml(write("s.yaml", "base: &q [one, two]\ncopy: *q\n")).data
    assert data == {"base": ["one", "two"], "copy": ["one", "two"]}


def test_file_over_the_size_limit_is_refused(write: Write) -> None:
    path = write("big.yaml", "a: " + "x" * 2000 + "\n")
    assert "over the 1,000-byte limit" in problems_of(path, Limits(max_bytes=1000))[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a: 1\nb: \x00\n", ":2:4: binary file"),
        (b"a: 1\nname: caf\xe9\n", ":2:10: not UTF-8 text (byte 0xe9)"),
        (b"- just\n- a list\n", ":1:1: the top level must be a mapping"),
        (b"", ":1:1: file is empty"),
        (b"a: 1\n---\nb: 2\n", "only one YAML document per file"),
        (b"a: !!python/object:os.system x\n", "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed"),
        (b"a: [1, 2\n", ":2:1: YAML syntax"),
        (b"base: &b {x: 1}\nc:\n  <<: *b\n", ":3:3: merge keys ('<<') are not supported"),
    ],
)
def test_unsafe_or_broken_files_get_a_located_error(write: Write, content: bytes, expected: str) -> None:
    path = write("s.yaml", content)
    found = problems_of(path)
    assert len(found) == 1 and expected in found[0], found
    assert found[0].startswith(str(path) + ":")


def test_deep_nesting_is_refused(write: Write) -> None:
    path = write("deep.yaml", "a: " + "[" * 200 + "]" * 200 + "\n")
    assert "nest" in problems_of(path)[0]


def test_bom_is_accepted(write: Write) -> None:
    assert read_yaml(write("s.yaml", "\ufeffa: b\n")).data == {"a": "b"}
