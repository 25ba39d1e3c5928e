"""HTML mail to plain text, with the quoted original marked or cut off.

Clients mark their quotes in HTML more reliably than in text, so the marks are read here:
containers that hold the whole quote (Gmail, Yahoo, Apple, Thunderbird, Outlook for Mac) come
out as ``> `` lines for the text trimmer; Outlook's separators, which only head the quote,
end the text at once.

Only what a reader would see is read. Elements hidden by their inline style (display:none,
visibility:hidden, font-size:0, opacity:0, a zero height with overflow hidden, Outlook's
mso-hide:all) or by the ``hidden`` attribute are dropped with everything inside them, quote
marks and separators included: a hidden "Approved", or a hidden separator that would cut off
the visible "Declined.", must never be what the reply says.
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
# Elements without content or end tag: they cannot hide anything.
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
# Read against a style with comments and escapes resolved, lower-cased, without whitespace.
_ZERO = r"(?:0+(?:\.0*)?|\.0+)"
_HIDING_STYLE = re.compile(
    rf"(?:^|;)(?:display:none|visibility:(?:hidden|collapse)|mso-hide:all|"
    rf"font-size:{_ZERO}[a-z%]*|opacity:{_ZERO}%?)(?:!important)?(?=;|$)"
)
_ZERO_BOX = re.compile(rf"(?:^|;)(?:max-)?(?:height|width):{_ZERO}[a-z%]*(?:!important)?(?=;|$)")
_OVERFLOW_HIDDEN = re.compile(r"(?:^|;)overflow(?:-[xy])?:(?:hidden|clip)(?:!important)?(?=;|$)")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-f]{1,6})[ \t\r\n\f]?|(.))", re.IGNORECASE | re.DOTALL)
_CSS_SPACE = re.compile(r"[ \t\r\n\f]+")


def _unescape_css(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return match.group(2)
    code = int(match.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _declarations(style: str) -> str:
    """An inline style as a browser reads it: comments dropped, escapes resolved, lower case,
    no whitespace ("DISPLAY : n\\6f ne /* x */" is "display:none")."""
    style = _without_comments(style, "/*", "*/")
    return _CSS_SPACE.sub("", _CSS_ESCAPE.sub(_unescape_css, style)).lower()


def _is_hidden(tag: str, attrs: dict[str, str]) -> bool:
    if tag == "template" or "hidden" in attrs:  # a template's content is never shown
        return True
    style = attrs.get("style", "")
    if not style:
        return False
    style = _declarations(style)
    if _HIDING_STYLE.search(style):
        return True
    return bool(_ZERO_BOX.search(style)) and bool(_OVERFLOW_HIDDEN.search(style))


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
        self.hidden_tag: str | None = None  # the hidden element being skipped, and its nesting
        self.hidden_depth = 0
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
        if self.hidden_tag is not None:
            if tag == self.hidden_tag:
                self.hidden_depth += 1
            return  # nothing inside a hidden element counts, separators and quotes included
        if tag == "body":
            self.skip_depth = 0  # an unclosed <head> must not hide the body
            return
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        named = {k.lower(): (v or "") for k, v in attrs}
        if tag not in _VOID and _is_hidden(tag, named):
            self.hidden_tag, self.hidden_depth = tag, 1
            return
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
        if self.hidden_tag is not None:
            if tag == self.hidden_tag:
                self.hidden_depth -= 1
                if self.hidden_depth <= 0:
                    self.hidden_tag = None
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
        if self.stopped or self.skip_depth or self.hidden_tag is not None:
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


_TAG = re.compile(r"<[a-z][^<>]{0,2000}>?")  # stops at the next "<": linear
_MAY_HIDE = re.compile(r"\bhidden\b|display|visibility|font-size|opacity|mso-hide|height")


def _crude_text(source: str) -> str:
    """A last resort for markup the parser gives up on: cut at a quote mark, drop tags."""
    lowered = source.lower()
    marks = [
        lowered.find(mark)
        for mark in ("divrplyfwdmsg", "gmail_quote", "yahoo_quoted", "<blockquote", "appendonsend")
    ]
    # Without a parser hidden elements cannot be told apart: nothing from the first tag that
    # may hide something on is read.
    hiding = next((tag.start() for tag in _TAG.finditer(lowered) if _MAY_HIDE.search(tag[0])), -1)
    found = [index for index in [*marks, hiding] if index >= 0]
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


def _without_comments(source: str, opening: str = "<!--", closing: str = "-->") -> str:
    """Comments removed in one pass; an unclosed one runs to the end, as in a browser."""
    pieces: list[str] = []
    done = 0
    while (start := source.find(opening, done)) >= 0:
        pieces.append(source[done:start])
        end = source.find(closing, start + len(opening))
        if end < 0:
            return "".join(pieces)
        done = end + len(closing)
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
