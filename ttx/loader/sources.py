"""The files a scenario is made of (scenario.yaml plus includes) and where each value came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ttx.loader.problems import Location, Problem, ScenarioError
from ttx.loader.yaml_source import DEFAULT_LIMITS, Limits, NodePath, YamlDocument, read_yaml

SCENARIO_FILE = "scenario.yaml"


@dataclass
class SourceMap:
    """Maps a path in the merged scenario data back to the file, line and column it was written at."""

    main: YamlDocument
    origins: dict[str, list[tuple[YamlDocument, int]]] = field(default_factory=dict)
    """For each merged list section (injects, objectives, capabilities), each item's document and index."""
    documents: list[YamlDocument] = field(default_factory=list)

    def origin(self, path: NodePath) -> tuple[YamlDocument, NodePath]:
        """The document a merged path lives in, and the path inside that document."""
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
            origins = self.origins.get(path[0], [])
            if 0 <= path[1] < len(origins):
                document, local = origins[path[1]]
                return document, (path[0], local, *path[2:])
        return self.main, path

    def locate(self, path: NodePath) -> Location:
        """File, line and column of the value at ``path`` of the merged data."""
        document, local = self.origin(path)
        return document.locate(local)

    def in_flow_mapping(self, path: NodePath) -> bool:
        """Whether the value at ``path`` was written inside a ``{…}`` mapping."""
        if not path:
            return False
        document, local = self.origin(path)
        return document.in_flow_mapping(local)

    def digest(self) -> str:
        """SHA-256 over every source file's name and bytes, in load order."""
        hasher = hashlib.sha256()
        for document in self.documents:
            hasher.update(f"{document.path.name}\0{document.sha256}\0".encode())
        return hasher.hexdigest()


def scenario_file(path: Path) -> Path:
    """The scenario.yaml for a scenario folder or file path."""
    return path / SCENARIO_FILE if path.is_dir() else path


def read_sources(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, Any], SourceMap]:
    """Read scenario.yaml and its includes; return the merged data and its source map.

    Raises:
        ScenarioError: every problem found in any of the files.
    """
    file = scenario_file(path)
    if not file.exists():
        hint = f" (no {SCENARIO_FILE} in that folder)" if path.is_dir() else ""
        raise ScenarioError([Problem(Location(file), "", f"no such scenario file{hint}")])
    main = read_yaml(file, limits)
    sources = SourceMap(main, documents=[main])
    data = dict(main.data)
    merged: dict[str, list[Any]] = {}
    for section in MERGED:
        own = data.get(section)
        merged[section] = list(own) if isinstance(own, list) else []
        sources.origins[section] = [(main, index) for index in range(len(merged[section]))]
    problems: list[Problem] = []
    for document in _included_documents(main, limits, problems):
        sources.documents.append(document)
        extra = sorted(set(document.data) - set(MERGED))
        for key in extra:
            problems.append(
                Problem(
                    document.locate((key,)),
                    key,
                    "an included file may only contain 'injects', 'objectives' and 'capabilities'",
                )
            )
        for section in MERGED:
            items = document.data.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                problems.append(Problem(document.locate((section,)), section, f"must be a list of {section}"))
                continue
            sources.origins[section].extend((document, index) for index in range(len(items)))
            merged[section].extend(items)
    if problems:
        raise ScenarioError(problems)
    for section in MERGED:
        if merged[section] or section in data:
            data[section] = merged[section]
    return data, sources


MERGED = ("objectives", "capabilities", "injects")
"""List sections an included file may add to (a shared framework file adds objectives and capabilities)."""


LIBRARIES = ("injects", "frameworks")
"""Shared libraries (injects, evaluation frameworks): the nearest folder of each name above a scenario's folder."""


PACKAGE_DIR = Path(__file__).resolve().parent.parent
"""The installed ttx package."""


def packaged_library(name: str) -> Path | None:
    """The copy of a shared library (``frameworks``, ``injects``) that ships with ttx: ``ttx/library/NAME`` in an
    installed wheel, or the folder of a source checkout ttx runs from."""
    for folder, marker in ((PACKAGE_DIR / "library" / name, None), (PACKAGE_DIR.parent / name, "pyproject.toml")):
        if folder.is_dir() and (marker is None or (PACKAGE_DIR.parent / marker).is_file()):
            return folder
    return None


def _library_above(base: Path, name: str) -> Path | None:
    return next((parent / name for parent in base.parents if (parent / name).is_dir()), None)


def escaping_link(folder: Path) -> Path | None:
    """Where ``folder`` leads, when it is a symlink to somewhere outside the folder it is found in (such a link
    would let an include read any file on the machine); None for a real folder or a link that stays inside."""
    if not folder.is_symlink():
        return None
    target = folder.resolve()
    return None if target.is_relative_to(folder.parent.resolve()) else target


def allowed_roots(scenario_dir: Path) -> list[Path]:
    """Folders a scenario may include files from: its own, and the shared injects/ and frameworks/ above it
    (or, when there is none above it, the copy that ships with ttx). A library folder that is a symlink to
    somewhere outside the folder it is found in is none of these."""
    base = scenario_dir.resolve()
    roots = [base]
    for name in LIBRARIES:
        library = _library_above(base, name) or packaged_library(name)
        if library is not None and escaping_link(library) is None:
            roots.append(library.resolve())
    return roots


def _escaping_component(base: Path, match: Path) -> tuple[Path, Path] | None:
    """The first folder on the way from ``base`` to ``match`` that is a symlink leading outside the folder it is
    found in, and where it leads."""
    if not match.is_relative_to(base):  # a file of the library that ships with ttx
        return None
    folder = base
    for part in match.relative_to(base).parts[:-1]:
        folder = folder / part
        if part in ("..", "."):
            continue
        target = escaping_link(folder)
        if target is not None:
            return folder, target
    return None


def _packaged_matches(base: Path, pattern: str) -> list[Path]:
    """Files of the packaged library that a pattern pointing into a shared library folder means, when no such
    folder is above the scenario: ``../../frameworks/bali-process.yaml`` in a scenario kept anywhere."""
    parts = Path(pattern).parts
    position = next((n for n, part in enumerate(parts) if part not in ("..", ".")), len(parts))
    if position == 0 or position >= len(parts) - 1 or parts[position] not in LIBRARIES:
        return []
    name = parts[position]
    library = packaged_library(name)
    if library is None or _library_above(base.resolve(), name) is not None:
        return []
    return sorted(p for p in library.glob(str(Path(*parts[position + 1 :]))) if p.is_file())


def _included_documents(main: YamlDocument, limits: Limits, problems: list[Problem]) -> list[YamlDocument]:
    patterns = main.data.get("include")
    if patterns is None:
        return []
    if not isinstance(patterns, list):
        problems.append(Problem(main.locate(("include",)), "include", "must be a list of file patterns"))
        return []
    base = main.path.parent
    roots = allowed_roots(base)
    seen = {main.path.resolve()}
    documents: list[YamlDocument] = []
    for index, pattern in enumerate(patterns):
        where = f"include[{index}]"
        location = main.locate(("include", index))
        if not isinstance(pattern, str) or not pattern:
            problems.append(Problem(location, where, "must be a file path or glob pattern"))
            continue
        if Path(pattern).is_absolute():
            problems.append(Problem(location, where, "use a path relative to this file"))
            continue
        if not Path(pattern).parts:  # '.' or './': the folder itself (pathlib's glob fails on it)
            problems.append(
                Problem(location, where, f"{pattern!r} names a folder, not files: write a file path or glob")
            )
            continue
        matches = sorted(p for p in base.glob(pattern) if p.is_file()) or _packaged_matches(base, pattern)
        if not matches:
            problems.append(Problem(location, where, f"no file matches {pattern!r}"))
            continue
        linked = next((found for m in matches if (found := _escaping_component(base, m)) is not None), None)
        if linked is not None:
            folder, target = linked
            problems.append(
                Problem(
                    location,
                    where,
                    f"{pattern!r} goes through {str(folder)!r}, a symlink to {str(target)!r} outside the folder "
                    "it is in; include only files from the scenario's folder and the shared injects/ and "
                    "frameworks/ libraries",
                )
            )
            continue
        outside = [m for m in matches if not any(m.resolve().is_relative_to(root) for root in roots)]
        if outside:
            problems.append(
                Problem(
                    location,
                    where,
                    f"{pattern!r} leads outside the scenario's folder and the shared injects/ and frameworks/ "
                    "libraries; "
                    "include only files from those",
                )
            )
            continue
        for match in matches:
            resolved = match.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                documents.append(read_yaml(match, limits))
            except ScenarioError as error:
                problems.extend(error.problems)
    return documents
