"""Benchmark: ttx serve on loopback — sign-in to first frame, release to text visible, memory per open console.

Starts a real controller (`ttx run --plain`) and a real `ttx serve`, signs in websocket clients that speak
textual-serve's protocol (as the page's script does), and has the facilitator release one inject to every
client at once; the latency is from queuing the release to the inject's title arriving in the client's
screen stream. It includes the controller's poll (0.2 s) and the console's (0.25 s), as a person would see.
`--clients 1 20 60` chooses the room sizes (default 1 and 20: 60 consoles take about a minute to start on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.serve.harness import Browserless, Controller, Served, room, rss_mib
from ttx.engine import commands as cmd
from ttx.store.sqlite import SqliteStore


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def first_frames(served: Served, codes: dict[str, str], times: int) -> list[float]:
    """Seconds from posting the seat code to the console's banner arriving, one client at a time."""
    seat = next(s for s in sorted(codes) if s.startswith("delegation:"))
    took = []
    for _ in range(times):
        client = Browserless(served.url)
        began = time.perf_counter()
        await client.sign_in(codes[seat])
        await client.open()
        await client.read_until(lambda s: "LOAD ROOM" in s and "delegation" in s, timeout=60)
        took.append(time.perf_counter() - began)
        await client.close()
        await asyncio.sleep(0.5)
    return took


async def room_latency(clients_wanted: int, rounds: int, folder: Path) -> tuple[list[float], float, float, float]:
    """Release → visible latencies, console RSS per client (MiB), server RSS growth (MiB), start time (s)."""
    scenario = room(folder / "room", clients_wanted, rounds=rounds, manual=True)
    controller = Controller(scenario, folder / "room.ttx")
    served = Served(controller.session, "--max-consoles", str(clients_wanted + 2))
    seats = sorted(s for s in controller.codes if s.startswith("delegation:"))
    clients = [Browserless(served.url) for _ in seats]
    facilitator = SqliteStore(controller.session)
    try:
        server_before = rss_mib(served.pid)
        began = time.perf_counter()

        async def connect(client: Browserless, seat: str) -> None:
            await client.sign_in(controller.codes[seat])
            await client.open(width=120, height=40)
            await client.read_until(lambda s: "LOAD ROOM" in s, timeout=300)

        await asyncio.gather(*map(connect, clients, seats))
        started = time.perf_counter() - began
        controller.submit('{"kind": "start"}')
        await asyncio.sleep(2.0)
        consoles = served.consoles()
        per_console = sum(rss_mib(pid) for pid in consoles) / len(consoles)
        server_growth = rss_mib(served.pid) - server_before
        latencies: list[float] = []
        for round_ in range(rounds):
            queued = time.perf_counter()
            for seat in seats:
                facilitator.enqueue("facilitator", cmd.ReleaseNow(inject=f"I{round_}-{seat.split(':')[1]}"))

            async def visible(client: Browserless, seat: str, round_: int = round_, queued: float = queued) -> float:
                title = f"Release {round_} for {seat.split(':')[1]}"
                await client.read_until(lambda s: title in s, timeout=120)
                return time.perf_counter() - queued

            latencies += await asyncio.gather(*map(visible, clients, seats))
            await asyncio.sleep(0.3)
        return latencies, per_console, server_growth, started
    finally:
        facilitator.close()
        for client in clients:
            await client.close()
        served.stop()
        controller.stop()


async def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario = room(folder / "one", 1, rounds=1, manual=True)
        controller = Controller(scenario, folder / "one.ttx")
        served = Served(controller.session)
        try:
            frames = await first_frames(served, controller.codes, 5)
        finally:
            served.stop()
            controller.stop()
        print(
            f"sign-in to first frame        : median {statistics.median(frames):5.2f} s, "
            f"max {max(frames):5.2f} s (5 sign-ins, one at a time)"
        )
        for size in sizes:
            rounds = max(3, 20 // size)
            latencies, per_console, server_growth, started = await room_latency(size, rounds, folder / f"room{size}")
            print(
                f"release → visible, {size:>2} client{'s' if size > 1 else ' '}: p50 {percentile(latencies, 0.5):5.2f} s, "
                f"p95 {percentile(latencies, 0.95):5.2f} s ({len(latencies)} releases; all {size} consoles up in {started:5.1f} s)"
            )
            print(
                f"memory, {size:>2} open console{'s' if size > 1 else ' '}  : {per_console:5.1f} MiB resident per console process, "
                f"server +{server_growth:5.1f} MiB"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20], help="room sizes to measure")
    asyncio.run(main(parser.parse_args().clients))
