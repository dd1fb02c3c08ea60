"""User text shown literally: in Streamlit's Markdown, in plotly's chart text and in HTML.

A workspace, file, column, category, model or snapshot name, a cell value or a comment is data
typed by a teammate. Each helper here makes one renderer show it as typed: never as a link, an
image fetched from another host, a LaTeX formula, coloured text or an icon.
"""

from __future__ import annotations

import html
import re

# Streamlit renders Markdown with CommonMark + GFM (tables, strikethrough, autolinks), math
# ($...$), directives (:red[...], {attributes}), character references (&...;) and Setext
# headings (a line of = or -). CommonMark lets any ASCII punctuation be backslash-escaped, so
# each of these is shown as itself once escaped.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~<>:&=/])")

# Streamlit also rewrites the parsed text, after escapes are resolved: bare http://, www. and
# e-mail addresses become links, and :name: shortcodes (emoji, :material_icon:, :streamlit:)
# become pictures. An invisible word joiner (U+2060) at these spots leaves the text as it reads
# but breaks each pattern.
_TEXT_REWRITES = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)(?=\w)|(?<=:)(?=[\w+-]+:)",
                            re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape_markdown(text: object) -> str:
    """`text` as Markdown that Streamlit shows literally (for st.markdown, captions, alerts,
    widget labels, radio options, metric labels, tabs, expanders, toasts and help text).

    Examples
    --------
    >>> escape_markdown("**x** [a](javascript:1) $y$")
    '\\\\*\\\\*x\\\\*\\\\* \\\\[a\\\\]\\\\(javascript\\\\:1\\\\) \\\\$y\\\\$'
    >>> escape_markdown("www.x.org").replace(WORD_JOINER, "+")
    'www+\\\\.x\\\\.org'
    """
    joined = _TEXT_REWRITES.sub(WORD_JOINER, str(text))
    return _MARKDOWN_SPECIALS.sub(r"\\\1", joined)


def escape_html(text: object) -> str:
    """`text` as HTML text (also plotly's chart text: titles, ticks, legends, hover, labels).

    plotly draws <a href>, <b>, <i>, <span style> and <br> in any chart string and decodes
    character references, so escaped text is shown exactly as typed.

    Examples
    --------
    >>> escape_html('<a href="http://x">y</a> & <img src=x>')
    '&lt;a href=&quot;http://x&quot;&gt;y&lt;/a&gt; &amp; &lt;img src=x&gt;'
    """
    return html.escape(str(text), quote=True)
