"""What a scenario may cost to read: only regular files, includes confined, sizes bounded (variables included).

Each case runs `ttx validate` as a real process: exit 2, a located `file:line:col:` message, no traceback,
and no hang on a device or a pipe.
"""

from __future__ import annotations

import os
import re
import tracemalloc
from pathlib import Path

import pytest

from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError
from ttx.loader.yaml_source import Limits

from ..helpers import HARBOUR, ttx

LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): ", re.MULTILINE)
TIMEOUT = 30  # a scenario path that blocks (a FIFO, a device) must not hang validate
HARBOUR_TEXT = (HARBOUR / "scenario.yaml").read_text(encoding="utf-8")
_H1_4_START = HARBOUR_TEXT.index("  - id: H1-4")
_H1_4_END = HARBOUR_TEXT.index("  - id: H2-1")
H1_4_BLOCK = HARBOUR_TEXT[_H1_4_START:_H1_4_END]
WITHOUT_H1_4 = HARBOUR_TEXT[:_H1_4_START] + HARBOUR_TEXT[_H1_4_END:]


def validate(*args: str | Path) -> tuple[int, str]:
    result = ttx("validate", *args, timeout=TIMEOUT)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.returncode, output


def with_include(text: str, *patterns: str) -> str:
    """HARBOUR WATCH's text with an include list before its injects."""
    listed = "".join(f"  - '{pattern}'\n" for pattern in patterns)
    return text.replace("\ninjects:\n", f"\ninclude:\n{listed}\ninjects:\n", 1)


def scenario_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios" / "x"
    folder.mkdir(parents=True)
    return folder


# ---------------------------------------------------------------------- not a regular file
def test_symlink_to_dev_zero_is_not_a_scenario(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    (folder / "scenario.yaml").symlink_to("/dev/zero")
    code, output = validate(folder)
    assert code == 2
    assert re.search(r"scenario\.yaml:1:1: not a regular file", output), output


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    os.mkfifo(folder / "scenario.yaml")
    code, output = validate(folder)  # would block forever on open() for reading if it were opened
    assert code == 2
    assert re.search(r"scenario\.yaml:1:1: not a regular file", output), output


def test_folder_named_scenario_yaml_is_refused(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    (folder / "scenario.yaml").mkdir()
    code, output = validate(folder)
    assert code == 2
    assert re.search(r"scenario\.yaml:1:1: not a regular file", output), output


def test_included_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    (folder / "scenario.yaml").write_text(with_include(HARBOUR_TEXT, "extra.yaml"), encoding="utf-8")
    os.mkfifo(folder / "extra.yaml")
    code, output = validate(folder)
    assert code == 2
    # the glob lists only regular files: a pipe is never opened
    assert "include[0]" in output and LOCATED.search(output), output


# ---------------------------------------------------------------------- includes stay inside
def test_include_leading_outside_the_scenario_folder_is_refused(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text("injects:\n" + H1_4_BLOCK, encoding="utf-8")
    scenario = folder / "scenario.yaml"
    scenario.write_text(with_include(WITHOUT_H1_4, "../../outside/x.yaml"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 2
    match = re.search(rf"{re.escape(str(scenario))}:(\d+):\d+: include\[0\]: .*leads outside", output)
    assert match, output
    line = scenario.read_text(encoding="utf-8").splitlines()[int(match.group(1)) - 1]
    assert "../../outside/x.yaml" in line  # located at the pattern itself
    with pytest.raises(ScenarioError):
        load_scenario(folder)


def test_symlink_inside_the_folder_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text("injects:\n" + H1_4_BLOCK, encoding="utf-8")
    (folder / "lib.yaml").symlink_to(outside / "x.yaml")
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "*.yaml"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 2 and "leads outside" in output, output


def test_include_from_the_shared_injects_library_still_works(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    library = tmp_path / "injects"
    library.mkdir()
    (library / "lib.yaml").write_text("injects:\n" + H1_4_BLOCK, encoding="utf-8")
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "../../injects/lib.yaml"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 0, output
    assert "6 injects" in output and "2 files" in output
    loaded = load_scenario(folder)
    assert "H1-4" in loaded.plan.by_id


def test_include_from_the_scenario_folder_itself_works(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    (folder / "more").mkdir()
    (folder / "more" / "lib.yaml").write_text("injects:\n" + H1_4_BLOCK, encoding="utf-8")
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "more/*.yaml"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 0, output


# ---------------------------------------------------------------------- sizes
BIG_VARIABLE = 200_000
USES = 100


def variable_bomb(folder: Path) -> Path:
    """HARBOUR WATCH with a 200 kB variable used 100 times: a 200 kB file that would expand to 20 MB."""
    text = HARBOUR_TEXT.replace(
        "variables:\n  harbour: Port Serein\n",
        f"variables:\n  harbour: Port Serein\n  big: {'x' * BIG_VARIABLE}\n",
    )
    text = text.replace(
        "    body: A harbour pilot sees a launch with about forty passengers bailing water.\n",
        "    body: '" + "{{ big }} " * USES + "'\n",
    )
    assert text.count("{{ big }}") == USES
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_variables_cannot_expand_past_max_size(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    path = variable_bomb(folder)
    assert path.stat().st_size < 1024 * 1024  # the file itself is within --max-size 1
    code, output = validate(folder, "--max-size", "1")
    assert code == 2
    message = re.search(r"scenario\.yaml:(\d+):\d+: injects\[H1-1\]\.body: (.*)", output)
    assert message, output
    assert "1,048,576-byte limit (--max-size)" in message.group(2)
    assert output.count("--max-size") == 1, "reported once, where the limit was crossed"


def test_variable_expansion_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    variable_bomb(folder)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(folder, Limits(max_bytes=1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert any("--max-size" in problem.message for problem in caught.value.problems)
    # expanded, the body alone would be 20 MB; refused, reading costs a few times the 200 kB file
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes"


def test_variables_within_the_limit_still_expand(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    variable_bomb(folder)
    loaded = load_scenario(folder, Limits(max_bytes=25 * 1024 * 1024))
    assert loaded.scenario.inject("H1-1").body.count("x" * BIG_VARIABLE) == USES


def test_file_over_max_size_is_refused(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    padding = "# " + "p" * 100 + "\n"
    (folder / "scenario.yaml").write_text(HARBOUR_TEXT + padding * 11_000, encoding="utf-8")  # about 1.1 MB
    code, output = validate(folder, "--max-size", "1")
    assert code == 2
    assert re.search(r"scenario\.yaml:1:1: file is over the 1,048,576-byte limit \(--max-size\)", output), output
    code, output = validate(folder, "--max-size", "2")
    assert code == 0, output


def test_included_file_over_max_size_is_refused(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    padding = "# " + "p" * 100 + "\n"
    (folder / "lib.yaml").write_text("injects:\n" + H1_4_BLOCK + padding * 6_000, encoding="utf-8")  # ~0.6 MB
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "lib.yaml"), encoding="utf-8")
    code, output = validate(folder, "--max-size", "0.5")
    assert code == 2
    assert re.search(r"lib\.yaml:1:1: file is over the 524,288-byte limit \(--max-size\)", output), output


@pytest.mark.parametrize("pattern", [".", "./", ".//"])
def test_an_include_naming_the_scenario_folder_itself_is_one_located_problem(tmp_path: Path, pattern: str) -> None:
    folder = scenario_dir(tmp_path)
    scenario = folder / "scenario.yaml"
    scenario.write_text(with_include(HARBOUR_TEXT, pattern), encoding="utf-8")
    code, output = validate(folder)
    assert code == 2
    assert re.search(
        rf"{re.escape(str(scenario))}:\d+:\d+: include\[0\]: '{re.escape(pattern)}' names a folder", output
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "../../frameworks/../pyproject.toml",
        "../../injects/../ttx/templates/starter.yaml",
        "../../frameworks/../../../../../../../../etc/hostname",
        "../../frameworks/../frameworks/../README.md",
    ],
)
def test_the_packaged_library_copy_leads_nowhere_else(tmp_path: Path, pattern: str) -> None:
    """With no shared library above the scenario, ``../../frameworks/`` means the copy that ships with ttx: that
    folder only, whatever ``..`` follows."""
    folder = scenario_dir(tmp_path)
    assert not any((parent / name).exists() for parent in folder.parents for name in ("frameworks", "injects"))
    (folder / "scenario.yaml").write_text(with_include(HARBOUR_TEXT, pattern), encoding="utf-8")
    code, output = validate(folder)
    assert code == 2
    assert "include[0]: " in output and ("leads outside" in output or "no file matches" in output), output


# ---------------------------------------------------------------------- symlinked library folders
def test_a_library_folder_linked_outside_its_folder_is_refused(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    (tmp_path / "frameworks").symlink_to("/etc")
    scenario = folder / "scenario.yaml"
    scenario.write_text(with_include(HARBOUR_TEXT, "../../frameworks/passwd"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 2
    match = re.search(
        rf"{re.escape(str(scenario))}:(\d+):\d+: include\[0\]: '../../frameworks/passwd' goes through "
        r"'[^']*frameworks', a symlink to '/etc' outside the folder it is in",
        output,
    )
    assert match, output
    assert "../../frameworks/passwd" in scenario.read_text(encoding="utf-8").splitlines()[int(match.group(1)) - 1]
    assert "root:" not in output


def test_a_library_folder_linked_elsewhere_adds_nothing(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "lib.yaml").write_text("injects:\n" + H1_4_BLOCK, encoding="utf-8")
    folder = scenario_dir(tmp_path)
    (tmp_path / "injects").symlink_to(elsewhere)
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "../../injects/*.yaml"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 2 and "a symlink to" in output, output
    with pytest.raises(ScenarioError):
        load_scenario(folder)
    (folder / "inside").symlink_to(elsewhere)
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "inside/lib.yaml"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"'inside/lib\.yaml' goes through .*, a symlink to"):
        load_scenario(folder)


def test_a_library_folder_linked_inside_its_folder_still_works(tmp_path: Path) -> None:
    folder = scenario_dir(tmp_path)
    shared = tmp_path / "shared" / "injects"
    shared.mkdir(parents=True)
    (shared / "lib.yaml").write_text("injects:\n" + H1_4_BLOCK, encoding="utf-8")
    (tmp_path / "injects").symlink_to(Path("shared") / "injects")
    (folder / "scenario.yaml").write_text(with_include(WITHOUT_H1_4, "../../injects/lib.yaml"), encoding="utf-8")
    code, output = validate(folder)
    assert code == 0, output
    assert "H1-4" in load_scenario(folder).plan.by_id
