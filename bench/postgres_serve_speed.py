"""Benchmark: release → served client latency with two `ttx serve` hosts sharing one PostgreSQL session.

One controller (`ttx run --plain`, the facilitator's) runs the session; each serving host (a `ttx serve` on its own
loopback port) has one signed-in delegation client speaking textual-serve's websocket protocol. The facilitator
queues the release of an inject addressed to both delegations; the latency, per host, is from queuing the release
to the inject's title arriving in that host's client's screen stream (median, p95 and max over the releases, after
one warm-up release). Baselines measured in the same run: one host on a SQLite session file (the default), and one
host on a PostgreSQL session. The PostgreSQL server is a throwaway local one (fsync on). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bench.serve_speed import percentile
from tests.postgres_cluster import start
from tests.serve.harness import Browserless, Served, room, ttx_process
from ttx.engine import commands as cmd
from ttx.store.sessions import open_store, resolve

SESSION = "two-hosts"
DELEGATIONS = ("XAA", "XAB")
"""The two delegations of the room; each release goes to both, and each host serves one of them."""


def shared_room(folder: Path, releases: int) -> Path:
    """A room of two delegations whose injects (``R{n}``, titled ``Shared release NNN``) each go to both."""
    room(folder, len(DELEGATIONS), manual=True)
    path = folder / "scenario.yaml"
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    template = scenario["injects"][0]
    scenario["injects"] = [
        {**template, "id": f"R{n}", "to": list(DELEGATIONS), "title": f"Shared release {n:03d}"}
        for n in range(releases)
    ]
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return folder


class Controller:
    """`ttx run --plain` on a session in any store: the one writer, as the facilitator runs it."""

    def __init__(self, scenario: Path, session: str, store: list[str]) -> None:
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.process = ttx_process(
            "run", scenario, "--session", session, *store, "--plain", "--speed", "1", errors=self.errors
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("controller running"):
                break
        else:
            self.errors.seek(0)
            raise RuntimeError(f"the controller did not start: {self.errors.read()[-2000:]}")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # the event feed, drained

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


async def latencies(scenario: Path, session: str, store: str | None, hosts: int, releases: int) -> list[list[float]]:
    """Per host, the seconds from queuing each release to its title on that host's client (warm-up left out)."""
    flags = ["--store", store] if store else []
    controller = Controller(scenario, session, flags)
    where = resolve(session, store)
    facilitator = open_store(where)
    servers: list[Served] = []
    clients: list[Browserless] = []
    try:
        codes = {seat.seat: seat.code for seat in facilitator.seats()}
        servers = [Served(Path(session), *flags, "--max-consoles", "2") for _ in range(hosts)]
        clients = [Browserless(server.url) for server in servers]
        for client, delegation in zip(clients, DELEGATIONS, strict=False):
            await client.sign_in(codes[f"delegation:{delegation}"])
            await client.open(width=120, height=40)
        await asyncio.gather(*(c.read_until(lambda s: "LOAD ROOM" in s, timeout=120) for c in clients))
        facilitator.enqueue("facilitator", cmd.Start())
        await asyncio.sleep(1.0)
        took: list[list[float]] = [[] for _ in clients]
        for number in range(releases + 1):
            title = f"Shared release {number:03d}"
            queued = time.perf_counter()
            facilitator.enqueue("facilitator", cmd.ReleaseNow(inject=f"R{number}"))

            async def shown(client: Browserless, title: str = title, queued: float = queued) -> float:
                await client.read_until(lambda s: title in s, timeout=60)
                return time.perf_counter() - queued

            seen = await asyncio.gather(*map(shown, clients))
            if number:  # the first release is the warm-up: the reader pane is drawn for the first time
                for host, seconds in enumerate(seen):
                    took[host].append(seconds)
            await asyncio.sleep(0.3)
        return took
    finally:
        for client in clients:
            await client.close()
        for server in servers:
            server.stop()
        controller.stop()
        facilitator.close()


def line(label: str, values: list[float], baseline: float | None) -> str:
    median = statistics.median(values)
    ratio = f"  ratio {median / baseline:4.2f}x" if baseline else ""
    return (
        f"{label:<36}: median {median:5.2f} s, p95 {percentile(values, 0.95):5.2f} s, max {max(values):5.2f} s{ratio}"
    )


async def main(releases: int) -> None:
    cluster = start(durable=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            scenario = shared_room(folder / "room", releases + 1)
            [alone] = await latencies(scenario, str(folder / "alone.ttx"), None, 1, releases)
            [single] = await latencies(scenario, "one-host", cluster.url(), 1, releases)
            two = await latencies(scenario, SESSION, cluster.url(), 2, releases)
    finally:
        cluster.stop()
    base = statistics.median(alone)
    print(
        f"release → served client latency, {releases} releases (after one warm-up), one delegation client per "
        "serving host; ratio = median / baseline median"
    )
    print(line("one host, SQLite session (baseline)", alone, None))
    print(line("one host, PostgreSQL session", single, base))
    for host, values in enumerate(two):
        print(line(f"two hosts, PostgreSQL, host {'AB'[host]} ({DELEGATIONS[host]})", values, base))
    both = [max(pair) for pair in zip(*two, strict=True)]
    print(line("two hosts, PostgreSQL, both shown", both, base))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=20, help="releases measured per configuration (default 20)")
    asyncio.run(main(parser.parse_args().releases))
