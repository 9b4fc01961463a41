"""Text is data: how scenario and participant text is made safe for terminals, one-line outputs, CSV and Markdown."""

from __future__ import annotations

import functools
import re

MAX_FIELD_CHARS = 20_000
"""The longest text one field of a command may carry (a response, a request, a note, an ad-hoc body)."""


def _escape(char: str) -> str:
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if code == 0x1B:
        return "\\e"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_ONE_LINE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def visible(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\e``, ``\\x07``, ``\\u202e``); tabs and newlines kept.

    Nothing a terminal would obey (colour, cursor moves, clearing, title or clipboard writes,
    bidirectional reordering) survives; printable text of every script is unchanged.
    """
    if text.isprintable():  # the common case, checked in C: nothing to escape
        return text
    return _UNSAFE.sub(lambda match: _escape(match.group()), text)


def one_line(text: str) -> str:
    """Like :func:`visible`, and newlines and carriage returns escaped too: a value that must stay on its line."""
    if text.isprintable():
        return text
    return _UNSAFE_ONE_LINE.sub(lambda match: _escape(match.group()), text)


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(text: str) -> str:
    """JSON text with every character a terminal would obey written as a ``\\u`` escape with four hex digits (still the same JSON).

    ``json.dumps`` escapes C0 controls itself; this adds DEL, C1 and the bidirectional marks, so a
    JSON document printed to a terminal is as inert as any other output. Only string contents
    can hold such characters, so the escapes keep the document's meaning.
    """
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> str:
    """A value for a CSV cell that no spreadsheet evaluates: text that would start a formula gets a leading ``'``.

    Numbers stay numbers (``-3`` is a number, not a formula); control characters are shown as escapes.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    text = visible(str(value))
    return f"'{text}" if text.startswith(_FORMULA_START) else text


_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_MARKDOWN_LINE_START = re.compile(r"(?m)^([ \t]*)([#+=-]|\d+(?=[.)]))")


def markdown_text(text: str) -> str:
    """User text as literal Markdown: no HTML, links, images, emphasis or headings; control characters escaped.

    Every Markdown and HTML metacharacter is backslash-escaped, so ``<script>`` and
    ``[x](javascript:...)`` show as written and never become markup or a link.
    """
    inline = _MARKDOWN_INLINE.sub(r"\\\1", visible(text))
    # GFM turns bare web addresses into links; an escaped colon or dot keeps them text.
    inline = inline.replace("://", "\\://").replace("www.", "www\\.")
    return _MARKDOWN_LINE_START.sub(_escape_line_start, inline)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark = match.groups()
    return f"{indent}{mark}\\" if mark[0].isdigit() else f"{indent}\\{mark}"


_AUTHORED_UNSAFE = re.compile(r"([\\\[\]<>&])")


def authored_markdown(text: str) -> str:
    """An author's Markdown (an inject body): emphasis, lists and code kept; HTML, links and images shown as written.

    Scenario bodies are documented as Markdown, so ``**bold**`` renders; but no tag, link, image
    or bare web address becomes live, and control characters are escapes, as everywhere.
    """
    escaped = _AUTHORED_UNSAFE.sub(r"\\\1", visible(text))
    return escaped.replace("://", "\\://").replace("www.", "www\\.")


def markdown_cell(text: str) -> str:
    """User text for one cell of a Markdown table: literal, on one line."""
    if len(text) <= _SHORT:
        return _short_markdown_cell(text)  # ids, labels, counts: the same few values in many rows
    return _markdown_cell(text)


_SHORT = 48


def _markdown_cell(text: str) -> str:
    return markdown_text(text).replace("\r", " ").replace("\n", " ")


_short_markdown_cell = functools.lru_cache(maxsize=4096)(_markdown_cell)


def bounded(text: str, limit: int = MAX_FIELD_CHARS) -> str | None:
    """Why ``text`` cannot be accepted as one field (None when it can): too long, or a NUL character."""
    if len(text) > limit:
        return f"is {len(text):,} characters long; the limit is {limit:,}"
    if text.isascii():  # the common case, checked in C: no surrogate can be in it
        return "contains a NUL character" if "\x00" in text else None
    if "\x00" in text:
        return "contains a NUL character"
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return "is not valid UTF-8 text"
    return None
