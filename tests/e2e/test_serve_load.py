"""Many served consoles at once, loopback only: each sees its own releases, nobody sees another's, nothing is lost.

The issue asks for 60 clients; on a 2-core machine 60 console processes take about a minute of CPU just to
start, so the test holds 12 (TTX_SERVE_LOAD_CLIENTS raises it; bench/serve_speed.py measures 1, 20 and 60).
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from ..serve.harness import Browserless, Controller, Served, room

CLIENTS = int(os.environ.get("TTX_SERVE_LOAD_CLIENTS", "12"))


async def test_every_client_sees_its_own_releases_and_no_other(tmp_path: Path) -> None:
    scenario = room(tmp_path / "room", CLIENTS)
    controller = Controller(scenario, tmp_path / "room.ttx", speed="max")
    served = Served(controller.session)
    seats = sorted(seat for seat in controller.codes if seat.startswith("delegation:"))
    clients = [Browserless(served.url) for _ in seats]
    try:

        async def connect(client: Browserless, seat: str) -> None:
            assert (await client.sign_in(controller.codes[seat])).status == 303
            await client.open(width=120, height=40)
            await client.read_until(lambda s: "LOAD ROOM" in s, timeout=120)

        await asyncio.wait_for(asyncio.gather(*map(connect, clients, seats)), 150)
        assert len(served.consoles()) == CLIENTS
        controller.submit('{"kind": "start"}')  # at max speed every release falls due at once

        async def sees_own(client: Browserless, seat: str) -> str:
            own = f"Release for {seat.split(':')[1]}"
            return await client.read_until(lambda s: own in s, timeout=60)

        screens = await asyncio.wait_for(asyncio.gather(*map(sees_own, clients, seats)), 90)
        for seat, screen in zip(seats, screens, strict=True):
            shown = set(re.findall(r"Release for (X[A-Z]{2})", screen))
            assert shown == {seat.split(":")[1]}, f"{seat} saw {sorted(shown)}"
    except AssertionError as error:
        for client in clients:
            await client.close()
        log = served.stop()
        (tmp_path / "serve.log").write_text(log)
        raise AssertionError(f"{error}\nthe server logged:\n{log[-4000:]}") from None
    finally:
        for client in clients:
            await client.close()
        served.stop()
        controller.stop()
