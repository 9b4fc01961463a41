"""Text is data (ttx/text.py): what reaches a terminal, a one-line output, a CSV cell or Markdown is inert.

Every rule is checked on generated text (hypothesis) as well as on the hostile strings people really type.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ttx.text import MAX_FIELD_CHARS, bounded, csv_cell, markdown_cell, markdown_text, one_line, visible

# ---------------------------------------------------------------------- what must never survive
C0_BUT_TAB_NEWLINE = {chr(c) for c in range(0x20)} - {"\t", "\n"}
DEL_AND_C1 = {chr(c) for c in range(0x7F, 0xA0)}
BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]}
LINE_SEPARATORS = {"\u2028", "\u2029"}
FORBIDDEN = C0_BUT_TAB_NEWLINE | DEL_AND_C1 | BIDI | LINE_SEPARATORS
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HOSTILE = [
    "[/bold] x",
    "Update [/] fix",
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x1b]52;c;Zm9v\x07",
    "\x9b31m",
    "abc\u202edef",
    "ok\n    42 2027-03-01 01:00:00 D1 08:00  facilitator        exercise_ended",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![img](http://x/y.png)",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<http://evil.example>",
    "# heading\n=====\n---\n1. one\n2) two\n- item\n+ item\n> quote\n    code\n```\nfence\n```",
    "| a | b |\n|---|---|\n| c | d |",
    "&lt;script&gt; &#60;b&#62; *em* **strong** _u_ ~~s~~ `code`",
    "\t=1",
    "\r=1",
    "＝1+1",
]

# Any code point at all, lone surrogates included, with the dangerous ones made frequent.
DANGEROUS = st.sampled_from(sorted(FORBIDDEN | {"\t", "\n", "\r", "\x00", "\u200b", chr(0xD800), chr(0xDFFF)}))
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
HOSTILE_TEXT = st.one_of(
    st.text(st.one_of(ANY_CHAR, DANGEROUS), max_size=80),
    st.lists(st.sampled_from(HOSTILE) | st.text(max_size=10), max_size=6).map("".join),
)
# Printable text of every script: letters, marks, digits, punctuation, symbols, spaces; tab and newline.
PRINTABLE = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
        st.sampled_from(["\t", "\n", " ", "é", "Ñ", "ß", "中文", "العربية", "עברית", "हिन्दी", "ไทย", "🙂"]),
    ),
    max_size=60,
).map("".join)


def leftovers(text: str, forbidden: set[str] = FORBIDDEN) -> set[str]:
    return {char for char in text if char in forbidden or 0xD800 <= ord(char) <= 0xDFFF}


# ---------------------------------------------------------------------- visible / one_line
@given(HOSTILE_TEXT)
@settings(max_examples=300)
def test_visible_leaves_nothing_a_terminal_would_obey(text: str) -> None:
    shown = visible(text)
    assert not leftovers(shown), f"{text!r} -> {shown!r}"
    assert shown.count("\n") == text.count("\n")  # newlines and tabs are kept as they are
    assert shown.count("\t") == text.count("\t")


@given(PRINTABLE)
@settings(max_examples=200)
def test_visible_keeps_printable_text_of_every_script_unchanged(text: str) -> None:
    assert visible(text) == text
    assert one_line(text) == text.replace("\n", "\\n")


@given(HOSTILE_TEXT)
@settings(max_examples=300)
def test_one_line_never_breaks_a_line(text: str) -> None:
    shown = one_line(text)
    assert not leftovers(shown)
    assert "\n" not in shown and "\r" not in shown
    assert shown.splitlines() in ([shown], [])


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\e[2J"),
        ("\x1b]0;title\x07", "\\e]0;title\\x07"),
        ("\x9b31m", "\\x9b31m"),
        ("a\u202eb", "a\\u202eb"),
        ("a\u2028b", "a\\u2028b"),
        ("a\x00b\x7f", "a\\x00b\\x7f"),
        ("tab\tand\nline", "tab\tand\nline"),
    ],
)
def test_visible_shows_controls_as_escapes_a_person_can_read(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_one_line_shows_newlines_and_carriage_returns() -> None:
    assert one_line("a\nb\rc") == "a\\nb\\rc"


# ---------------------------------------------------------------------- csv_cell
@given(HOSTILE_TEXT)
@settings(max_examples=300)
def test_csv_cell_never_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_START), f"{text!r} -> {cell!r}"
    assert not leftovers(cell)
    assert cell in (visible(text), "'" + visible(text))  # the text itself is kept, only marked


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "=cmd|' /C calc'!A0"])
def test_csv_cell_marks_formula_text_with_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + visible(text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_csv_cell_keeps_numbers_as_numbers(number: float) -> None:
    assert csv_cell(number) == str(number)


def test_csv_cell_of_other_values() -> None:
    assert csv_cell(-3) == "-3"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell("plain text") == "plain text"


# ---------------------------------------------------------------------- markdown_text
COMMONMARK = MarkdownIt("commonmark").enable("table")  # raw HTML on, as CommonMark allows it
GFM = MarkdownIt("gfm-like")
NOT_LITERAL = {
    "html_block",
    "html_inline",
    "link_open",
    "image",
    "heading_open",
    "em_open",
    "strong_open",
    "s_open",
    "code_inline",
    "fence",
    "bullet_list_open",
    "ordered_list_open",
    "blockquote_open",
    "table_open",
    "hr",
}


def token_types(md: MarkdownIt, text: str) -> set[str]:
    types: set[str] = set()
    for token in md.parse(text):
        types.add(token.type)
        types.update(child.type for child in token.children or [])
    return types


def rendered_text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", rendered))


def check_markdown(text: str) -> None:
    source = markdown_text(text)
    rendered = COMMONMARK.render(source)
    lowered = rendered.lower()
    for bad in ("<script", "<a ", "<img", "<iframe"):
        assert bad not in lowered, f"{text!r} -> {rendered!r}"
    tags = set(re.findall(r"</?([a-z0-9]+)", lowered))
    assert tags <= {"p", "br", "pre", "code"}, f"{text!r} -> {rendered!r}"  # paragraphs, line breaks, indented text
    assert not token_types(COMMONMARK, source) & NOT_LITERAL, f"{text!r} -> {rendered!r}"
    shown = rendered_text(rendered)
    for word in re.findall(r"[^\W_]+", visible(text)):
        assert word in shown, f"{word!r} of {text!r} is missing from {rendered!r}"
    gfm = GFM.render(source).lower()
    assert "<script" not in gfm and 'href="javascript' not in gfm and "<img" not in gfm
    assert not token_types(GFM, source) & {"html_block", "html_inline", "image"}


@given(HOSTILE_TEXT)
@settings(max_examples=200, deadline=None)
def test_markdown_text_renders_literally(text: str) -> None:
    check_markdown(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_of_hostile_strings(text: str) -> None:
    check_markdown(text)


def test_markdown_text_keeps_the_words_of_a_script_tag() -> None:
    rendered = COMMONMARK.render(markdown_text("<script>alert(1)</script> [x](javascript:alert(1))"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "[x](javascript:alert(1))" in rendered_text(rendered)


@given(HOSTILE_TEXT)
@settings(max_examples=100, deadline=None)
def test_markdown_cell_stays_in_its_table_cell(text: str) -> None:
    row = f"| a | {markdown_cell(text)} | z |"
    source = f"| h1 | h2 | h3 |\n|---|---|---|\n{row}\n"
    assert "\n" not in markdown_cell(text)
    tokens = COMMONMARK.parse(source)
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 3, f"{text!r} broke the table: {COMMONMARK.render(source)!r}"
    assert not token_types(COMMONMARK, source) & (NOT_LITERAL - {"table_open"})


# ---------------------------------------------------------------------- bounded
def test_bounded_accepts_the_limit_and_refuses_one_more() -> None:
    assert MAX_FIELD_CHARS == 20_000
    assert bounded("x" * 20_000) is None
    why = bounded("x" * 20_001)
    assert why is not None and "20,001" in why and "20,000" in why


@pytest.mark.parametrize(
    ("text", "reason"),
    [("a\x00b", "NUL"), ("a\ud800b", "not valid UTF-8"), ("\udfff", "not valid UTF-8"), ("é" * 20_001, "20,000")],
)
def test_bounded_refuses_nul_surrogates_and_long_text(text: str, reason: str) -> None:
    why = bounded(text)
    assert why is not None and reason in why


@given(st.text(max_size=300))
def test_bounded_accepts_ordinary_text(text: str) -> None:
    assert bounded(text.replace("\x00", "")) is None  # st.text() gives no lone surrogates


@given(st.text(max_size=50), st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00"]), st.text(max_size=50))
def test_bounded_refuses_a_bad_character_anywhere(before: str, bad: str, after: str) -> None:
    assert bounded(before + bad + after) is not None


def test_an_authors_markdown_keeps_emphasis_but_no_tag_link_or_image() -> None:
    from ttx.text import authored_markdown

    body = "About **320 people** are *aboard*.\n\n- one\n- two\n\n<b>x</b> [map](javascript:alert(1)) ![i](http://e.example/p.png) www.example.org"
    rendered = MarkdownIt("commonmark").render(authored_markdown(body))
    assert "<strong>320 people</strong>" in rendered and "<em>aboard</em>" in rendered and "<li>one</li>" in rendered
    assert "<a " not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "[map](javascript:alert(1))" in rendered.replace("&quot;", '"')
