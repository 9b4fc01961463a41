"""Safe, bounded YAML reading that keeps every node's line and column.

Scalars are kept as the text the author wrote (``NO`` stays "NO", ``9:30`` stays "9:30",
``1.10`` stays "1.10"); the models decide what a field's text means. Duplicate keys, tags,
binary or non-UTF-8 files, oversized files and alias bombs are refused with a location.
"""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ttx.loader.problems import Location, Problem, ScenarioError

IMPLICIT = "tag:ttx,implicit"
_ALLOWED_EXPLICIT = {IMPLICIT, "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_NULLS = {"", "~", "null", "Null", "NULL"}

PathKey = str | int
NodePath = tuple[PathKey, ...]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what a scenario file may cost to read."""

    max_bytes: int = 10 * 1024 * 1024
    """Largest file accepted (10 MiB)."""
    max_nodes: int = 1_000_000
    """Most YAML nodes a document may expand to through aliases."""
    max_depth: int = 64
    """Deepest nesting of mappings and lists."""


DEFAULT_LIMITS = Limits()


class _PlainResolver(yaml.resolver.BaseResolver):
    """Gives every implicitly-typed node one tag: its text is interpreted later, by the models."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return IMPLICIT


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _NodeLoader(CParser, _PlainResolver):
        """libyaml parser and composer with the plain resolver."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _PlainResolver.__init__(self)

else:  # pragma: no cover - libyaml missing

    class _NodeLoader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        _PlainResolver,
    ):
        """Pure-Python parser and composer with the plain resolver."""

        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _PlainResolver.__init__(self)


@dataclass
class YamlDocument:
    """A parsed YAML file: its plain data and the node tree that knows where everything is."""

    path: Path
    root: Node
    data: dict[str, Any]
    sha256: str = ""

    def locate(self, path: NodePath) -> Location:
        """Where the value at ``path`` was written; the nearest enclosing node if it is missing."""
        return _mark_location(self.path, _node_at(self.root, path))

    def in_flow_mapping(self, path: NodePath) -> bool:
        """Whether the value at ``path`` is a key of a mapping written ``{…}`` on one line."""
        if not path:
            return False
        parent = _node_at(self.root, path[:-1])
        if not isinstance(parent, MappingNode) or not parent.flow_style:
            return False
        return any(isinstance(key, ScalarNode) and key.value == path[-1] for key, _ in parent.value)


def _mark_location(file: Path, node: Node) -> Location:
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


def _node_at(root: Node, path: NodePath) -> Node:
    node = root
    for key in path:
        if isinstance(node, MappingNode) and isinstance(key, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == key:
                    node = value_node
                    break
            else:
                return node
        elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
        else:
            return node
    return node


def read_yaml(path: Path, limits: Limits = DEFAULT_LIMITS) -> YamlDocument:
    """Read one YAML file into plain data (dicts, lists, strings, None), refusing unsafe input.

    Raises:
        ScenarioError: with every problem found, each located in ``path``.
    """
    start = Location(path)
    too_big = Problem(start, "", f"file is over the {limits.max_bytes:,}-byte limit (--max-size)")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(
                [Problem(start, "", "not a regular file (a device, pipe or folder cannot be a scenario)")]
            )
        if info.st_size > limits.max_bytes:
            raise ScenarioError([too_big])
        with path.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
        if len(raw) > limits.max_bytes:
            raise ScenarioError([too_big])
    except OSError as error:
        raise ScenarioError([Problem(start, "", f"cannot read file: {error.strerror or error}")]) from None
    text = _decode(path, raw)
    loader: _NodeLoader | None = None
    try:
        loader = _NodeLoader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise ScenarioError([_yaml_problem(path, error, text)]) from None
    except yaml.reader.ReaderError as error:
        line, column = _line_col(text.encode("utf-8"), len(text[: error.position].encode("utf-8")))
        message = f"character U+{error.character:04X} is not allowed in YAML text; remove it"
        raise ScenarioError([Problem(Location(path, line, column), "", message)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(start, "", f"not valid YAML: {error}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(start, "", "nesting is too deep")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise ScenarioError([Problem(start, "", "file is empty; a scenario file is a mapping of keys")])
    if not isinstance(root, MappingNode):
        raise ScenarioError(
            [Problem(_mark_location(path, root), "", "the top level must be a mapping of keys (key: value)")]
        )
    _check_size(path, root, limits)
    builder = _Builder(path, limits)
    data = builder.build(root, 0)
    if builder.problems:
        raise ScenarioError(builder.problems)
    assert isinstance(data, dict)
    return YamlDocument(path, root, data, hashlib.sha256(raw).hexdigest())


def _decode(path: Path, raw: bytes) -> str:
    nul = raw.find(b"\0")
    if nul >= 0:
        line, column = _line_col(raw, nul)
        raise ScenarioError(
            [Problem(Location(path, line, column), "", "binary file (NUL byte); scenario files are UTF-8 text")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_col(raw, error.start)
        raise ScenarioError(
            [
                Problem(
                    Location(path, line, column),
                    "",
                    f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _yaml_problem(path: Path, error: yaml.MarkedYAMLError, text: str = "") -> Problem:
    mark = error.problem_mark or error.context_mark
    location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    message = error.problem or "not valid YAML"
    if error.context:
        message = f"{error.context}: {message}"
    if "expected a single document" in message or "but found another document" in message:
        message = "only one YAML document per file ('---' starts a second one)"
    hint = next((hint for clue, hint in _HINTS if clue in message), "")
    if mark is not None and _tab_at(text, mark.line, mark.column):
        hint = "; indent with spaces, not tabs"
    return Problem(location, "", f"YAML syntax: {message}{hint}")


_HINTS = (
    (
        "mapping values are not allowed",
        "; a text containing ': ' must be quoted, e.g. title: \"Control: nobody has decided\"",
    ),
)
"""Clues in PyYAML's messages for the mistakes authors make most, and what to do about each."""


def _tab_at(text: str, line: int, column: int) -> bool:
    """Whether the error points at a tab (PyYAML says only "a character that cannot start any token")."""
    lines = text.splitlines()
    return 0 <= line < len(lines) and lines[line][column : column + 1] == "\t"


def _check_size(path: Path, root: Node, limits: Limits) -> None:
    """Refuse documents whose aliases expand past the node limit, without expanding them."""
    sizes: dict[int, int] = {}

    def size(node: Node, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if depth > limits.max_depth:
            raise ScenarioError(
                [Problem(_mark_location(path, node), "", f"nested more than {limits.max_depth} levels deep")]
            )
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        sizes[id(node)] = total
        return total

    total = size(root, 0)
    if total > limits.max_nodes:
        raise ScenarioError(
            [
                Problem(
                    Location(path),
                    "",
                    f"document expands to {total:,} values through aliases (limit {limits.max_nodes:,}); "
                    "remove the anchors (&) and aliases (*)",
                )
            ]
        )


class _Builder:
    """Turns a node tree into plain data, collecting duplicate-key and tag problems."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.problems: list[Problem] = []

    def _problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(_mark_location(self.path, node), "", message))

    def build(self, node: Node, depth: int) -> Any:
        if node.tag not in _ALLOWED_EXPLICIT:
            self._problem(node, f"YAML tag {node.tag!r} is not allowed; remove it")
            return None
        if isinstance(node, ScalarNode):
            if node.tag == IMPLICIT and not node.style and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, SequenceNode):
            return [self.build(child, depth + 1) for child in node.value]
        assert isinstance(node, MappingNode)
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem(key_node, "keys must be plain text")
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:
                self._problem(key_node, "merge keys ('<<') are not supported; write the keys out")
                continue
            if key in first_seen:
                first = first_seen[key].start_mark.line + 1
                self._problem(key_node, f"duplicate key {key!r} (first written on line {first})")
                continue
            first_seen[key] = key_node
            result[key] = self.build(value_node, depth + 1)
        return result
