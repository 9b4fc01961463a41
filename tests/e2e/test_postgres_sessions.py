"""Sessions in PostgreSQL as real processes: ttx verbs by URL or --store/TTX_STORE, copies, shared sessions, grants."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ttx.engine.session import SessionReader
from ttx.store.sessions import open_store, resolve

from ..helpers import FERRY, ROOT, ttx
from ..postgres_cluster import Cluster, postgres

__all__ = ["postgres"]

HEAD = re.compile(r"head ([0-9a-f]{64})")


def head_of(output: str) -> str:
    """The head hash a ttx command printed."""
    found = HEAD.search(output)
    assert found is not None, output
    return found.group(1)


def ttx_env(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m ttx ARGS` with extra environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "ttx", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, **env},
    )


def seat_codes(session: str, store: str | None = None) -> dict[str, str]:
    """Seat id → join code of a session."""
    opened = open_store(resolve(session, store), read_only=True)
    try:
        return {seat.seat: seat.code for seat in opened.seats()}
    finally:
        opened.close()


@pytest.fixture
def database(postgres: Cluster) -> str:
    """The URL of a fresh database in the throwaway cluster (no session named)."""
    return postgres.url(postgres.new_database())


def test_a_headless_run_in_postgres_verifies_exports_and_copies_with_one_head(database: str, tmp_path: Path) -> None:
    run = ttx("run", FERRY, "--session", "ferry", "--store", database, "--headless", "--speed", "max")
    assert run.returncode == 0, run.stderr
    assert "session: closed" in run.stdout
    head = head_of(run.stdout)

    by_url = ttx("verify", f"{database}&session=ferry", "--head", head[:16])
    assert by_url.returncode == 0 and "sealed" in by_url.stdout and head_of(by_url.stdout) == head
    exported = tmp_path / "ferry.jsonl"
    log = ttx_env("log", "ferry", "--format", "jsonl", "-o", exported, env={"TTX_STORE": database})
    assert log.returncode == 0, log.stderr
    from_export = ttx_env("verify", exported, env={"TTX_STORE": database})  # a path stays a file with TTX_STORE set
    assert from_export.returncode == 0 and head_of(from_export.stdout) == head

    local = tmp_path / "ferry.ttx"
    copied = ttx("session", "copy", "ferry", local, "--store", database)
    assert copied.returncode == 0, copied.stderr
    assert "verified on arrival" in copied.stdout and head_of(copied.stdout) == head
    back = ttx("session", "copy", local, "ferry-again", "--store", database)
    assert back.returncode == 0 and head_of(back.stdout) == head
    for session in (local, "ferry-again"):
        assert head_of(ttx("verify", session, "--store", database).stdout) == head
    seats = [ttx("seats", session, "--store", database).stdout.splitlines()[1:-2] for session in ("ferry", local)]
    assert seats[0] == seats[1] and len(seats[0]) >= 8, "join codes travel with the session"
    statuses = [json.loads(ttx("status", s, "--store", database, "--json").stdout) for s in ("ferry-again", local)]
    assert statuses[0] == statuses[1] and statuses[0]["lifecycle"] == "closed"
    report = ttx("report", "ferry", "--store", database, "--format", "json")
    assert report.returncode == 0 and json.loads(report.stdout)["schema"].startswith("ttx-report")

    again = ttx("session", "copy", local, "ferry-again", "--store", database)
    assert again.returncode == 2 and "already there; nothing was copied" in again.stderr
    onto_file = ttx("session", "copy", "ferry", local, "--store", database)
    assert onto_file.returncode == 2 and "already there" in onto_file.stderr
    from_log = ttx("session", "copy", exported, "ferry-from-log", "--store", database)
    assert from_log.returncode == 0 and "new ones were made" in from_log.stdout and head_of(from_log.stdout) == head


def test_a_controller_submitters_and_a_reader_in_separate_processes_share_one_session(
    postgres: Cluster, database: str, tmp_path: Path
) -> None:
    url = f"{database}&session=live"
    feed = (tmp_path / "feed.txt").open("w")
    controller = subprocess.Popen(
        [sys.executable, "-m", "ttx", "run", str(FERRY), "--session", url, "--plain", "--speed", "1"],
        cwd=ROOT,
        stdout=feed,
        stderr=subprocess.STDOUT,
    )
    reader: SessionReader | None = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "controller running" not in (tmp_path / "feed.txt").read_text():
            time.sleep(0.05)
        codes = seat_codes(url)
        second = ttx("run", "--session", url, "--headless")
        assert second.returncode == 2 and "another controller is already running" in second.stderr
        busy = ttx("session", "copy", url, tmp_path / "busy.ttx")
        assert busy.returncode == 2 and "a controller is running it" in busy.stderr
        reader = SessionReader(open_store(resolve(url, None)), codes["delegation:XAR"])
        assert reader.controller_running()
        for command in ('{"kind": "start"}', '{"kind": "release", "inject": "N1-3"}'):
            sent = ttx("submit", url, "--seat", codes["facilitator"], "--json", command)
            assert sent.returncode == 0 and "recorded as event" in sent.stdout, sent.stdout + sent.stderr
        worker = (
            "import sys, contextlib, io\n"
            "from ttx.cli import main\n"
            "url, code, index = sys.argv[1], sys.argv[2], sys.argv[3]\n"
            "results = []\n"
            "for n in range(5):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        results.append(main(['submit', url, '--seat', code, '--inject', 'N1-3', '--text', f'p{index} r{n}']))\n"
            "print(results.count(0))\n"
        )
        delegations = [code for seat, code in codes.items() if seat.startswith("delegation:")]
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", worker, url, delegations[index % len(delegations)], str(index)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for index in range(4)
        ]
        assert [int(w.communicate(timeout=120)[0].strip()) for w in workers] == [5] * 4
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(reader.state.responses.get("N1-3", [])) < 20:
            reader.refresh()  # folds only after a NOTIFY said something was written
            time.sleep(0.02)
        texts = sorted(r.text for r in reader.state.responses["N1-3"])
        assert texts == sorted(f"p{i} r{n}" for i in range(4) for n in range(5)), "every response recorded once"
    finally:
        controller.send_signal(signal.SIGINT)
        controller.wait(timeout=30)
        feed.close()
    assert reader is not None and not reader.controller_running(), "a stopped controller clears its heartbeat"
    reader.close()
    queued = ttx("submit", url, "--seat", codes["delegation:XBO"], "--inject", "N1-3", "--text", "later")
    assert queued.returncode == 3 and "no controller is running" in queued.stdout
    assert ttx("verify", url).returncode == 0


def test_failures_are_one_line_and_say_what_to_do(database: str) -> None:
    refused = ttx("status", "bali", "--store", "postgresql://127.0.0.1:9/ttx")
    assert refused.returncode == 2 and "connection refused" in refused.stderr
    empty = ttx("status", "nobody-here", "--store", database)
    assert empty.returncode == 2 and "no ttx sessions in this database" in empty.stderr
    assert ttx("session", "init", "--store", database).returncode == 0
    missing = ttx("status", "nobody-here", "--store", database)
    assert missing.returncode == 2 and "no such session in this database" in missing.stderr
    fragment = ttx("verify", "postgresql://localhost/ttx#bali")
    assert fragment.returncode == 2 and "?session=NAME" in fragment.stderr
    create = ttx("run", "--session", "fresh", "--store", database)
    assert create.returncode == 2 and "give a scenario to create it" in create.stderr
    secret = ttx("verify", "postgresql://someone:s3cret@127.0.0.1:9/ttx?session=bali")
    assert secret.returncode == 2 and "s3cret" not in secret.stderr, "a password is never printed"
    without_psycopg = (
        "import sys; sys.modules['psycopg'] = None; from ttx.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    no_driver = subprocess.run(
        [sys.executable, "-c", without_psycopg, "status", "bali", "--store", database],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert no_driver.returncode == 2 and "pip install 'ttx[postgres]'" in no_driver.stderr
    for result in (refused, empty, missing, fragment, create, secret, no_driver):
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def documented_sql() -> list[str]:
    """The SQL blocks of docs/sessions.md's roles and grants, in order."""
    text = (ROOT / "docs" / "sessions.md").read_text(encoding="utf-8")
    section = text.split("### Roles and grants", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


def test_the_documented_roles_and_grants_let_each_role_do_its_job_and_no_more(postgres: Cluster) -> None:
    superuser_sql, grants_sql = documented_sql()
    postgres.psql(superuser_sql)
    facilitator, serve, audit = (postgres.url("ttx", user) for user in ("ttx_facilitator", "ttx_serve", "ttx_audit"))
    init = ttx("session", "init", "--store", facilitator)
    assert init.returncode == 0, init.stderr
    postgres.psql(grants_sql, database="ttx", user="ttx_facilitator")

    run = ttx("run", FERRY, "--session", "graded", "--store", facilitator, "--headless", "--speed", "max")
    assert run.returncode == 0, run.stderr
    head = head_of(run.stdout)
    codes = seat_codes("graded", serve)

    queued = ttx(
        "submit",
        "graded",
        "--store",
        serve,
        "--seat",
        codes["delegation:XAR"],
        "--json",
        '{"kind": "note", "text": "x"}',
        "--no-wait",
    )
    assert queued.returncode == 0 and "queued as command" in queued.stdout, queued.stderr
    takeover = ttx("run", "--session", "graded", "--store", serve, "--headless")
    assert takeover.returncode == 2 and "permission denied" in takeover.stderr
    assert head_of(ttx("verify", "graded", "--store", audit).stdout) == head
    assert ttx("status", "graded", "--store", audit).returncode == 0
    blocked = ttx(
        "submit", "graded", "--store", audit, "--seat", codes["facilitator"], "--json", '{"kind": "note", "text": "x"}'
    )
    assert blocked.returncode == 2 and "permission denied" in blocked.stderr and "docs/sessions.md" in blocked.stderr
    assert head_of(ttx("verify", "graded", "--store", facilitator).stdout) == head, "nobody but the facilitator wrote"
