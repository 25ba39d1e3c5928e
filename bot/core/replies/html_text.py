"""HTML mail to plain text, with the quoted original marked or cut off.

Clients mark their quotes in HTML more reliably than in text, so the marks are read here:
containers that hold the whole quote (Gmail, Yahoo, Apple, Thunderbird, Outlook for Mac) come
out as ``> `` lines for the text trimmer; Outlook's separators, which only head the quote,
end the text at once.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from bot.core.replies.mime import TEXT_LIMIT

_SKIPPED = frozenset({"style", "script", "head", "title", "xml"})
_BLOCK = frozenset(
    {
        "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "pre", "section", "article", "header", "footer", "center", "dl", "dt", "dd",
        "address", "blockquote", "tbody", "thead",
    }
)  # fmt: skip
_CUT_IDS = frozenset(
    {"divrplyfwdmsg", "x_divrplyfwdmsg", "appendonsend", "x_appendonsend", "stopspelling"}
)
_QUOTE_IDS = frozenset({"olk_src_body_section", "x_olk_src_body_section"})
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "outlookmessageheader")
# Outlook 2007-2013 and Windows Mail head the quote with a thin grey rule on a div.
_RULE_COLOURS = ("#b5c4df", "#e1e1e1", "rgb(225,225,225)", "rgb(229,229,229)")
_SPACE = re.compile(r"[ \t\r\n\f]+")


def _is_hard_cut(tag: str, attrs: dict[str, str]) -> bool:
    if attrs.get("id", "").lower() in _CUT_IDS:
        return True
    if tag == "div":
        style = attrs.get("style", "").lower().replace(" ", "")
        return "border-top" in style and any(colour in style for colour in _RULE_COLOURS)
    return False


def _is_quote(tag: str, attrs: dict[str, str]) -> bool:
    if attrs.get("id", "").lower() in _QUOTE_IDS:
        return True
    classes = attrs.get("class", "").lower()
    if any(name in classes for name in _QUOTE_CLASSES):
        return True
    if tag != "blockquote":
        return False
    if attrs.get("type", "").lower() == "cite" or "quote" in classes:
        return True
    style = attrs.get("style", "").lower().replace(" ", "")
    # Gmail indents with a borderless blockquote; a quote has a left rule or no style at all.
    return not style or ("border-left" in style and "border:none" not in style)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[tuple[str, bool]] = []
        self.size = 0
        self.skip_depth = 0
        self.quote_tag: str | None = None
        self.quote_depth = 0
        self.stopped = False

    def _emit(self, text: str) -> None:
        if self.size > TEXT_LIMIT:
            self.stopped = True
            return
        self.size += len(text)
        self.segments.append((text, self.quote_tag is not None))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if tag == "body":
            self.skip_depth = 0  # an unclosed <head> must not hide the body
            return
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        named = {k.lower(): (v or "") for k, v in attrs}
        if self.quote_tag is None and _is_hard_cut(tag, named):
            self.stopped = True
            return
        if self.quote_tag == tag:
            self.quote_depth += 1
        elif self.quote_tag is None and _is_quote(tag, named):
            self.quote_tag, self.quote_depth = tag, 1
            self._emit("\n")
        if tag == "br":
            self._emit("\n")
        elif tag == "hr":
            self._emit("\n" + "_" * 32 + "\n")
        elif tag in _BLOCK:
            self._emit("\n")
        elif tag == "td":
            self._emit(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            return
        self.handle_starttag(tag, attrs)
        if self.quote_tag == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _BLOCK:
            self._emit("\n")
        if self.quote_tag == tag:
            self.quote_depth -= 1
            if self.quote_depth <= 0:
                self.quote_tag = None
                self._emit("\n")

    def handle_data(self, data: str) -> None:
        if self.stopped or self.skip_depth:
            return
        self._emit(_SPACE.sub(" ", data))

    def text(self) -> str:
        lines: list[str] = []
        current: list[str] = []
        quoted = False
        for segment, in_quote in self.segments:
            pieces = segment.split("\n")
            for index, piece in enumerate(pieces):
                if index:
                    lines.append(("> " if quoted else "") + "".join(current))
                    current, quoted = [], False
                current.append(piece)
                quoted = quoted or (in_quote and bool(piece.strip()))
        lines.append(("> " if quoted else "") + "".join(current))
        return "\n".join(line.strip() if not line.startswith("> ") else line for line in lines)


def _crude_text(source: str) -> str:
    """A last resort for markup the parser gives up on: cut at a quote mark, drop tags."""
    lowered = source.lower()
    marks = [
        lowered.find(mark)
        for mark in ("divrplyfwdmsg", "gmail_quote", "yahoo_quoted", "<blockquote", "appendonsend")
    ]
    found = [index for index in marks if index >= 0]
    if found:
        source = source[: max(source.rfind("<", 0, min(found) + 1), 0)]
    body = lowered.find("<body")
    source = source[body:] if 0 <= body < len(source) else source
    source = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li)\s*>", "\n", source)
    return html.unescape(re.sub(r"<[^<>]{0,2000}>", " ", source))[:TEXT_LIMIT]


# Marked sections other than Word's conditionals make the stdlib parser raise.
_ODD_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[|if\b|endif\b|else\b)", re.IGNORECASE)
# A "<" that does not open a complete tag; the stdlib parser (before Python 3.11.13) rescans
# the rest of the document for each one, which is quadratic.
_STRAY_LT = re.compile(r"<(?![a-zA-Z/!?][^<>]{0,1000}>)")


def _without_comments(source: str) -> str:
    """Comments removed in one pass; an unclosed one runs to the end, as in a browser."""
    pieces: list[str] = []
    done = 0
    while (start := source.find("<!--", done)) >= 0:
        pieces.append(source[done:start])
        end = source.find("-->", start + 4)
        if end < 0:
            return "".join(pieces)
        done = end + 3
    pieces.append(source[done:])
    return "".join(pieces)


def defuse(source: str) -> str:
    """Markup the stdlib parser chokes on or is slow with, made harmless text."""
    source = _without_comments(source)
    return _STRAY_LT.sub("&lt;", _ODD_MARKED_SECTION.sub("&lt;![", source))


def html_to_text(source: str) -> str:
    """Readable text of an HTML body; quoted containers come out as ``> `` lines."""
    converter = _Converter()
    try:
        converter.feed(defuse(source))
        converter.close()
    except Exception:  # the parser raises AssertionError on some broken markup
        return _crude_text(source)
    return converter.text()[:TEXT_LIMIT]
