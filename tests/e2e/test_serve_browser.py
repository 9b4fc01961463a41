"""A delegation in headless Chromium: signs in, sees only its cell's injects, responds; the controller records it."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY
from ..serve.devtools import Browser, chromium_or_skip, png_pixels
from ..serve.harness import Controller, Served, alive, screen_text, wait_until

RESPONSE = "Calvera briefs the families from a browser"


def responses(session: Path) -> list[tuple[str, str]]:
    store = SqliteStore(session, read_only=True)
    try:
        return [(r.participant, r.text) for r in fold(store.events()).responses.get("N1-5", [])]
    finally:
        store.close()


async def test_a_delegation_signs_in_reads_its_injects_and_responds_in_chromium(tmp_path: Path) -> None:
    shots = Path(os.environ.get("TTX_SERVE_SCREENSHOTS", tmp_path))
    executable = chromium_or_skip()
    controller = Controller(FERRY, tmp_path / "ferry.ttx")
    served = Served(controller.session)
    browser = Browser(executable, tmp_path / "profile")
    try:
        controller.submit('{"kind": "start"}')  # releases N1-1, to DWG only
        controller.submit('{"kind": "release", "inject": "N1-5"}')  # to PWG, where Calvera sits
        await browser.start()
        await browser.send("Page.navigate", url=f"{served.url}/")
        await browser.wait_for("document.getElementById('code') !== null", "the sign-in page")
        assert "NIGHT FERRY" in await browser.evaluate("document.body.innerText")
        await browser.evaluate("document.getElementById('code').value = 'WRONG9'; document.forms[0].submit()")
        await browser.wait_for(
            "document.body.innerText.includes('not a seat code')", "the wrong code refused on the page"
        )
        await browser.evaluate("document.getElementById('code').focus()")
        await browser.type_text(controller.codes["delegation:XCA"])
        await browser.key("Enter", "Enter", 13, text="\r")
        await browser.wait_for("location.pathname === '/console'", "the console page")
        assert await browser.evaluate("document.cookie") == "", "the token is HttpOnly"

        async def seen(text: str, what: str) -> str:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                screen = screen_text(await browser.screen())
                if text in screen:
                    return screen
                await asyncio.sleep(0.2)
            raise AssertionError(f"{what} not shown within 30 s:\n{screen_text(await browser.screen())[-2000:]}")

        screen = await seen("Passengers' families wait", "N1-5 in Calvera's console")
        assert "delegation XCA" in screen and "NIGHT FERRY" in screen
        assert "N1-1" not in screen and "Unlit ferry" not in screen, "N1-1 went to DWG only"

        await browser.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await browser.key("r", "KeyR", 82, text="r")
        await asyncio.sleep(0.5)
        await browser.type_text(RESPONSE)
        await seen(RESPONSE, "the typed response")
        await browser.key("s", "KeyS", 83, ctrl=True)
        await seen("Recorded", "the recorded confirmation")
        assert responses(controller.session) == [("XCA", RESPONSE)]

        shot = await browser.screenshot()
        (shots / "served-console.png").write_bytes(shot)
        width, height, rows = png_pixels(shot)
        assert (width, height) == (1280, 800)
        banner = b"".join(rows[4:24])
        assert b"\xff\xc0\x00" in banner, "the TLP:AMBER label is drawn in amber on the banner"
        lit = sum(1 for row in rows[60::8] for x in range(0, width * 3, 24) if sum(row[x : x + 3]) > 450)
        assert lit > 50, (
            f"{lit} light samples: the console's text is drawn on the page (light pixels over the dark background)"
        )

        origin = urlsplit(served.url).netloc
        elsewhere = [
            u for u in browser.requested if urlsplit(u).netloc not in (origin, "") and not u.startswith("data:")
        ]
        assert elsewhere == [], f"requests left the host: {elsewhere}"
        assert any(u.startswith(f"ws://{origin}/ws") for u in browser.requested)
        assert any(u.endswith("/static/fonts/RobotoMono-VariableFont_wght.ttf") for u in browser.requested)

        [pid] = served.consoles()
        await browser.evaluate("document.querySelector('header form button').click()")
        await browser.wait_for("location.pathname === '/' && document.getElementById('code') !== null", "sign-out")
        wait_until(lambda: not alive(pid), "the console's end after the Sign out button", 10)
    finally:
        await browser.close()
        served.stop()
        controller.stop()
