"""A throwaway PostgreSQL cluster on a Unix socket in a temporary folder (tests and benchmarks), and its fixture."""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "ttx"
"""The cluster's superuser (trust authentication on its socket: nothing listens on the network)."""


class ClusterUnavailable(Exception):
    """PostgreSQL cannot be started on this machine; the message says why."""


def server_binaries() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: on the PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)],
    )
    if not versions:
        raise ClusterUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql package (make test does)"
        )
    return versions[-1].parent


def _runner() -> tuple[list[str], int | None]:
    """How to run the server: as ourselves, or (as root, which initdb refuses) as an unprivileged account."""
    if os.geteuid() != 0:
        return [], None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailable("running as root without runuser: cannot start PostgreSQL as another user")
    for name in ("postgres", "nobody"):
        try:
            return [runuser, "-u", name, "--"], pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
    raise ClusterUnavailable("running as root and neither the postgres nor the nobody account exists")


@dataclass
class Cluster:
    """A running cluster: its folder (socket and data), and how to reach it."""

    root: Path
    binaries: Path
    prefix: list[str]

    @property
    def socket(self) -> Path:
        """The folder holding the server's Unix socket."""
        return self.root

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A connection URL to ``database`` over the socket (no session named)."""
        return f"postgresql:///{database}?host={self.socket}&user={user}"

    def session_url(self, session: str, database: str = "postgres", user: str = SUPERUSER) -> str:
        """The URL of session ``session`` in ``database``."""
        return f"{self.url(database, user)}&session={session}"

    def psql(self, sql: str, database: str = "postgres", user: str = SUPERUSER) -> str:
        """Run SQL as ``user`` with psql; its output (raises on any error)."""
        result = subprocess.run(
            [
                str(self.binaries / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-h",
                str(self.socket),
                "-U",
                user,
                "-d",
                database,
            ],
            input=sql,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def new_database(self) -> str:
        """A fresh, empty database; its name."""
        name = f"db_{uuid.uuid4().hex[:12]}"
        self.psql(f"CREATE DATABASE {name}")
        return name

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        subprocess.run(
            [
                *self.prefix,
                str(self.binaries / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start(*, durable: bool = False) -> Cluster:
    """Create and start a cluster in a new temporary folder (``durable``: fsync on, as a real server runs).

    Raises:
        ClusterUnavailable: no server binaries, no way to run them, or the server did not start.
    """
    binaries = server_binaries()
    prefix, uid = _runner()
    root = Path(tempfile.mkdtemp(prefix="ttx-pg-", dir="/tmp"))  # short: a socket path has at most 107 bytes
    if uid is not None:
        os.chown(root, uid, -1)
    data = root / "data"
    settings = ["-k", str(root), "-h", "''", "-c", "max_connections=120"]
    if not durable:
        settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    initdb = [str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8"]
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60"]
    steps = [
        [*initdb, "--locale=C", "--no-sync", "--no-instructions"],
        [*pg_ctl, "-o", " ".join(settings), "start"],
    ]
    cluster = Cluster(root, binaries, prefix)
    for step in steps:
        result = subprocess.run([*prefix, *step], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
            cluster.stop()
            raise ClusterUnavailable(f"{Path(step[0]).name} failed: {(result.stderr or log).strip()[-500:]}")
    return cluster


_shared: Cluster | None = None


def shared() -> Cluster:
    """The cluster of this test run: started on first use, stopped at the end of the run (or of the process).

    Raises:
        ClusterUnavailable: it cannot start here.
    """
    global _shared
    if _shared is None:
        _shared = start()
        atexit.register(stop_shared)
    return _shared


def stop_shared() -> None:
    """Stop the run's cluster, if one was started."""
    global _shared
    if _shared is not None:
        _shared.stop()
        _shared = None


def under_ci() -> bool:
    """Whether this run is CI's (``CI=true``), where PostgreSQL tests must run, never skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """The throwaway cluster; the test is skipped (failed under CI) with the reason when it cannot start."""
    try:
        cluster = shared()
    except ClusterUnavailable as error:
        if under_ci():
            pytest.fail(f"PostgreSQL tests must run under CI, but the cluster did not start: {error}")
        pytest.skip(f"PostgreSQL cannot start on this machine: {error}")
    yield cluster
    stop_shared()
