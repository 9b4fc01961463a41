"""The HTML, CSS and script ttx serve writes itself: sign-in, console and notice pages (escaped, no external assets)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ttx.text import one_line

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
"""Everything a page loads comes from this server: a link to anyone else would be refused by the browser."""

TLP_COLOURS = {
    "RED": ("#ff2b2b", "#000"),
    "AMBER+STRICT": ("#ffc000", "#000"),
    "AMBER": ("#ffc000", "#000"),
    "GREEN": ("#33ff00", "#000"),
    "CLEAR": ("#ffffff", "#000"),
}
"""TLP 2.0 label colours (text, background), as FIRST publishes them."""


@dataclass(frozen=True)
class Exercise:
    """What every page shows on top: the exercise's title and its TLP label (``AMBER``)."""

    title: str
    tlp: str


CSS = """
:root { color-scheme: dark; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: #0c181f; color: #e8eef2;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
.banner { display: flex; gap: 1em; align-items: center; padding: .4em 1em; background: #12232d;
  border-bottom: 1px solid #24404f; white-space: nowrap; overflow: hidden; }
.banner .title { font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.banner .seat { margin-left: auto; color: #a9bcc8; }
.tlp { font: 700 14px/1 ui-monospace, "Roboto Mono", monospace; padding: .3em .5em; background: #000; }
.banner form { margin: 0; }
main.card { max-width: 30em; margin: 12vh auto 0; padding: 2em; background: #12232d; border: 1px solid #24404f; }
main.card h1 { font-size: 1.3em; margin: 0 0 1em; }
label { display: block; margin-bottom: .4em; }
input[type=password] { width: 100%; font: 1.4em ui-monospace, "Roboto Mono", monospace; letter-spacing: .2em;
  padding: .3em .5em; background: #0c181f; color: inherit; border: 1px solid #5b7b8c; }
button { font: inherit; padding: .45em 1.2em; margin-top: 1em; background: #1f6f8b; color: #fff; border: 0;
  cursor: pointer; }
.banner button { margin: 0; padding: .25em .8em; background: #3a4d58; }
.error { color: #ff8080; margin: 0 0 1em; }
.note { color: #a9bcc8; font-size: .9em; margin-top: 1.5em; }
body.console { display: flex; flex-direction: column; overflow: hidden; }
#terminal { flex: 1; min-height: 0; padding: 2px; }
#terminal .xterm { height: 100%; }
.closed { display: none; position: fixed; inset: 0; background: rgba(12, 24, 31, .92); z-index: 10;
  align-items: center; justify-content: center; }
.closed > div { background: #12232d; border: 1px solid #24404f; padding: 2em; max-width: 30em; }
body.-closed .closed { display: flex; }
.closed a { color: #8fd3ff; }
"""

CONSOLE_JS = """
// Point textual.js at this server's websocket, over ws: or wss: as the page itself came.
document.addEventListener("DOMContentLoaded", function () {
  var terminal = document.getElementById("terminal");
  var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  terminal.dataset.sessionWebsocketUrl = scheme + "//" + window.location.host + "/ws";
});
"""

FONTS = """
@font-face { font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
@font-face { font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
"""


def _text(value: str) -> str:
    """Someone's text as HTML: one line, every markup character escaped."""
    return escape(one_line(value), quote=True)


def _banner(exercise: Exercise, right: str = "") -> str:
    colour, background = TLP_COLOURS.get(exercise.tlp, ("#ffffff", "#000"))
    return (
        '<header class="banner">'
        f'<span class="tlp" style="color:{colour};background:{background}">TLP:{_text(exercise.tlp)}</span>'
        f'<span class="title">EXERCISE — {_text(exercise.title)}</span>{right}</header>'
    )


def _page(exercise: Exercise, heading: str, body: str, *, head: str = "", body_class: str = "", right: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_text(heading)} — {_text(exercise.title)}</title>"
        f'<link rel="stylesheet" href="/assets/ttx.css">{head}</head>'
        f'<body class="{body_class}">{_banner(exercise, right)}{body}</body></html>\n'
    )


def signin_page(exercise: Exercise, *, error: str = "") -> str:
    """The sign-in form: the seat code, typed as a password (not shown, not kept by the browser)."""
    message = f'<p class="error" role="alert">{_text(error)}</p>' if error else ""
    body = (
        '<main class="card"><h1>Sign in to your seat</h1>'
        f"{message}"
        '<form method="post" action="/signin" autocomplete="off">'
        '<label for="code">Seat code</label>'
        '<input type="password" id="code" name="code" required maxlength="64" autofocus '
        'autocomplete="off" autocapitalize="characters" spellcheck="false">'
        '<button type="submit">Open my console</button></form>'
        '<p class="note">The code was given to your delegation by exercise control. '
        "Your console runs on the exercise host; this page shows only your seat's screen. "
        "The projector's view code opens the wall view (TLP:CLEAR and GREEN injects only).</p></main>"
    )
    return _page(exercise, "Sign in", body)


def console_page(exercise: Exercise, seat_label: str) -> str:
    """The page around a served console: banner with a sign-out button, the terminal, and what to do when it closes."""
    signout = (
        f'<span class="seat">{_text(seat_label)}</span>'
        '<form method="post" action="/signout"><button type="submit">Sign out</button></form>'
    )
    body = (
        '<div id="terminal" class="textual-terminal" data-font-size="16"></div>'
        '<div class="closed" role="alert"><div><p>The console has closed (signed out elsewhere, idle too long, '
        "quit, or the server stopped).</p>"
        '<p><a href="/console">Open it again</a> — you may be asked for your seat code.</p>'
        '<form method="post" action="/signout"><button type="submit">Sign out</button></form></div></div>'
    )
    head = (
        '<link rel="stylesheet" href="/static/css/xterm.css"><link rel="stylesheet" href="/assets/fonts.css">'
        '<script src="/assets/console.js"></script><script src="/static/js/textual.js"></script>'
    )
    return _page(exercise, seat_label, body, head=head, body_class="console", right=signout)


def notice_page(exercise: Exercise, heading: str, message: str) -> str:
    """A short page saying why something was refused, with the way back to the sign-in form."""
    body = f'<main class="card"><h1>{_text(heading)}</h1><p>{_text(message)}</p><p><a href="/">Sign in</a></p></main>'
    return _page(exercise, heading, body)
