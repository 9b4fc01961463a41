"""ttx serve at the HTTP level, in process: sign-in page, codes, rate limit, cookie, facilitator, sign-out, headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from ttx.engine.clock import SystemClock
from ttx.engine.creation import create_session
from ttx.loader.load import load_scenario
from ttx.serve.app import COOKIE, ServeHandlers, ServeOptions, build_app
from ttx.serve.directory import Directory
from ttx.store.sqlite import SqliteStore

HOSTILE_TITLE = 'HARBOUR <script>alert(1)</script> & "WATCH"'


@pytest.fixture
def session(tmp_path: Path, harbour: str, write: Callable[..., Path]) -> tuple[Path, dict[str, str]]:
    folder = write(
        "scenario/scenario.yaml", harbour.replace("title: HARBOUR WATCH", f"title: '{HOSTILE_TITLE}'")
    ).parent
    loaded = load_scenario(folder)
    path = tmp_path / "s.ttx"
    store = SqliteStore(path, create=True)
    seats = create_session(store, loaded.scenario, loaded.digest, SystemClock())
    store.close()
    return path, {seat.seat: seat.code for seat in seats}


async def _client(path: Path, **options: object) -> TestClient:  # type: ignore[type-arg]
    handlers = ServeHandlers(ServeOptions(session=str(path), **options), Directory(str(path)))  # type: ignore[arg-type]
    client = TestClient(TestServer(build_app(handlers)), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    return client


@pytest.fixture
async def client(session: tuple[Path, dict[str, str]]) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    served = await _client(session[0])
    yield served
    await served.close()


async def test_the_sign_in_page_shows_the_exercise_escaped_and_loads_nothing_from_elsewhere(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/")
    page = await response.text()
    assert response.status == 200
    assert "<script>alert(1)" not in page
    assert "HARBOUR &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;WATCH&quot;" in page
    assert "TLP:GREEN" in page and 'name="code"' in page and 'type="password"' in page
    assert "http://" not in page and "https://" not in page and "//" not in page.replace("<!DOCTYPE", "")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_a_wrong_code_is_refused_and_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[type-arg]
    with caplog.at_level(logging.INFO, logger="ttx.serve"):
        response = await client.post("/signin", data={"code": "WRONG1"}, allow_redirects=False)
    assert response.status == 401
    assert "not a seat code of this exercise" in await response.text()
    assert COOKIE not in response.cookies
    assert any("failed sign-in from 127.0.0.1 (1 in the last minute)" in r.getMessage() for r in caplog.records)
    assert not any("WRONG1" in r.getMessage() for r in caplog.records), "codes are never logged"


async def test_failed_attempts_are_limited_per_address(
    client: TestClient,  # type: ignore[type-arg]
    session: tuple[Path, dict[str, str]],
) -> None:
    for _ in range(10):
        assert (await client.post("/signin", data={"code": "NOPE00"}, allow_redirects=False)).status == 401
    limited = await client.post("/signin", data={"code": session[1]["delegation:XAR"]}, allow_redirects=False)
    assert limited.status == 429, "even the right code waits once an address used up its attempts"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61


async def test_a_right_code_gives_a_random_token_in_a_strict_httponly_cookie(
    client: TestClient,  # type: ignore[type-arg]
    session: tuple[Path, dict[str, str]],
) -> None:
    code = session[1]["delegation:XCA"]
    response = await client.post("/signin", data={"code": code.lower()}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console"
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert len(cookie.value) >= 40 and code not in cookie.value and code.lower() not in cookie.value
    console = await client.get("/console", allow_redirects=False)
    page = await console.text()
    assert console.status == 200 and "delegation:XCA" in page and "Calvera" in page
    assert code not in page
    assert '<script src="/static/js/textual.js">' in page and "fonts.googleapis" not in page
    assert (await client.get("/", allow_redirects=False)).headers["Location"] == "/console"


async def test_the_facilitator_is_refused_unless_allowed(session: tuple[Path, dict[str, str]]) -> None:
    code = session[1]["facilitator"]
    refused = await _client(session[0])
    allowed = await _client(session[0], allow_facilitator=True)
    try:
        response = await refused.post("/signin", data={"code": code}, allow_redirects=False)
        assert response.status == 403 and "facilitator" in await response.text()
        assert COOKIE not in response.cookies
        assert (await allowed.post("/signin", data={"code": code}, allow_redirects=False)).status == 303
    finally:
        await refused.close()
        await allowed.close()


async def test_sign_out_ends_the_token(
    client: TestClient,  # type: ignore[type-arg]
    session: tuple[Path, dict[str, str]],
) -> None:
    signed = await client.post("/signin", data={"code": session[1]["delegation:XAR"]}, allow_redirects=False)
    token = signed.cookies[COOKIE].value
    out = await client.post("/signout", allow_redirects=False)
    assert out.status == 303 and out.cookies[COOKIE].value == ""
    client.session.cookie_jar.update_cookies({COOKIE: token})  # a copied token no longer works either
    assert (await client.get("/console", allow_redirects=False)).headers["Location"] == "/"
    assert (await client.get("/ws")).status == 403


async def test_the_console_websocket_needs_a_token_and_this_origin(
    client: TestClient,  # type: ignore[type-arg]
    session: tuple[Path, dict[str, str]],
) -> None:
    assert (await client.get("/ws")).status == 403
    await client.post("/signin", data={"code": session[1]["delegation:XAR"]}, allow_redirects=False)
    foreign = await client.get("/ws", headers={"Origin": "https://elsewhere.example", "Upgrade": "websocket"})
    assert foreign.status == 403


async def test_the_bound_on_consoles_is_said_at_sign_in(session: tuple[Path, dict[str, str]]) -> None:
    served = await _client(session[0], max_consoles=0)
    try:
        response = await served.post("/signin", data={"code": session[1]["delegation:XAR"]}, allow_redirects=False)
        assert response.status == 503 and "try again" in await response.text()
    finally:
        await served.close()


async def test_bundled_script_and_fonts_are_served_and_folders_are_not_listed(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in ("/static/js/textual.js", "/static/css/xterm.css", "/static/fonts/RobotoMono-VariableFont_wght.ttf"):
        assert (await client.get(path)).status == 200, path
    for path in ("/assets/ttx.css", "/assets/fonts.css", "/assets/console.js"):
        assert (await client.get(path)).status == 200, path
    assert (await client.get("/static/")).status in (403, 404)
    assert (await client.get("/static/../../ttx")).status in (403, 404)
    assert (await client.get("/assets/other.js")).status == 404


async def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    session: tuple[Path, dict[str, str]],
) -> None:
    untrusted = await _client(session[0])
    trusted = await _client(session[0], trusted_proxies=frozenset({"127.0.0.1"}))
    try:
        for _ in range(10):
            await untrusted.post("/signin", data={"code": "NOPE00"}, headers={"X-Forwarded-For": "10.0.0.9"})
        spoofed = await untrusted.post("/signin", data={"code": "NOPE00"}, headers={"X-Forwarded-For": "10.0.0.8"})
        assert spoofed.status == 429, "a client cannot escape the limit by naming another address"
        for _ in range(10):
            await trusted.post("/signin", data={"code": "NOPE00"}, headers={"X-Forwarded-For": "10.0.0.9"})
        other = await trusted.post("/signin", data={"code": "NOPE00"}, headers={"X-Forwarded-For": "10.0.0.8"})
        assert other.status == 401, "behind a trusted proxy each client has its own attempts"
    finally:
        await untrusted.close()
        await trusted.close()
