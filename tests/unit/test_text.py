"""User text shown literally: what escape_markdown and escape_html make of planted payloads."""

from __future__ import annotations

import re

import pytest

from analysis.text import WORD_JOINER, escape_html, escape_markdown

PAYLOADS = ["![x](http://evil.example/x.png)", "[click](http://evil.example)",
            "<img src=http://evil.example/x.png>", ":red[x]", ":material/home:", "$x^2$",
            "**bold** _it_ ~~gone~~ `code`", "# heading", "- item", "1. item", "> quote",
            "a | b", "&lt;img&gt;", "title\n===", "{: .class}", ":smile: :streamlit:",
            "www.evil.example", "mail ann@evil.example", "http://evil.example"]


def _read(escaped: str) -> str:
    """What CommonMark makes of the escaped text: each backslash escape stands for its character."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped).replace(WORD_JOINER, "")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_markdown_special_is_escaped_and_the_text_reads_as_typed(payload: str):
    escaped = escape_markdown(payload)
    assert _read(escaped) == payload
    # no markdown punctuation is left bare: nothing can open a link, image, directive or formula
    assert not re.search(r"(?<!\\)[\[\]()!<>`*_{}#+\-.|$~:&=/]", escaped.replace("\\\\", ""))


@pytest.mark.parametrize("payload", ["http://evil.example", "https://evil.example/x",
                                     "www.evil.example", "ann@evil.example", ":smile:",
                                     ":material_home:", ":streamlit:"])
def test_patterns_streamlit_rewrites_after_parsing_are_broken(payload: str):
    # autolinks, e-mail links and :shortcodes: are found in the text after escapes are resolved
    shown = _read(escape_markdown(payload))
    assert WORD_JOINER in escape_markdown(payload)
    unescaped = escape_markdown(payload).replace("\\", "")
    assert not re.search(r"https?://|www\.|@\w|:[\w+-]+:", unescaped)
    assert shown == payload


def test_plain_words_are_left_alone():
    assert escape_markdown("great cat 43") == "great cat 43"
    assert escape_markdown(12.5) == "12\\.5"


@pytest.mark.parametrize("payload", ['<a href="http://evil.example">x</a>',
                                     "<img src=http://evil.example/x.png>",
                                     '<span style="font-size:90px">x</span>', "<b>b</b><br>"])
def test_html_text_has_no_tag_left(payload: str):
    escaped = escape_html(payload)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
