"""The new text of a reply: the quoted original, signatures and gateway banners removed.

Two kinds of boundary are told apart. A *hard* boundary (``-----Original Message-----``, an
Outlook header block, a rule of underscores, a legal footer) ends the new text for good: what
follows is the old mail. A *quote* (``>`` lines, an "On ... wrote:" attribution) usually ends it
too, but when nothing except a greeting stands above it the writer answered below or between
the quoted lines, so the unquoted text around the quotes is kept instead.
"""

from __future__ import annotations

import re

MAX_LINES = 5000
LONG_LINE = 400  # longer lines are prose, never a header or an attribution

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]"
)
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")

_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|"
    r"opprinnelig melding|oprindelig meddelelse|alkuperäinen viesti|wiadomość oryginalna|"
    r"mensagem original|původní zpráva|исходное сообщение|eredeti üzenet|"
    r"forwarded message|weitergeleitete nachricht|message transféré|doorgestuurd bericht)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(r"^\s*(begin forwarded message|anfang der weitergeleiteten)\s*:", re.I)
_UNDERSCORES = re.compile(r"^\s*_{20,}\s*$")
_FOOTER = re.compile(
    r"^\s*(disclaimer|confidentiality notice|important notice|legal notice)\s*:?\s*$"
    r"|^\s*this (e-?mail|message) has been scanned\b"
    r"|^\s*this (e-?mail|message),? \(?(and|including) any (files|attachments)\b"
    r"|^\s*the information (contained )?in this (e-?mail|message|communication)\b"
    r"|^\s*if you are not the intended recipient\b",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^\s*\*{0,2}\s*([^\W\d_][\w .'\-]{0,28}?)\s*\*{0,2}\s*[:：]\s*\*{0,2}(?:\s|$)"
)
_FROM_KEYS = frozenset(
    {
        "from", "von", "van", "de", "fra", "från", "od", "da", "lähettäjä", "feladó", "от", "від",
        "kimden", "frá", "αποστολέας", "差出人", "发件人", "寄件者", "afzender", "remitente",
        "expéditeur", "mittente", "gönderen", "odesílatel", "nadawca", "remetente", "avsändare",
        "afsender",
    }
)  # fmt: skip
_TO_KEYS = frozenset(
    {
        "to", "cc", "bcc", "à", "a", "an", "aan", "para", "til", "till", "do", "kime", "komu",
        "кому", "címzett", "vastaanottaja", "宛先", "收件人", "收件者", "kopie",
    }
)  # fmt: skip
_META_KEYS = frozenset(
    {
        "sent", "date", "subject", "reply-to", "envoyé", "objet", "datum", "betreff", "gesendet",
        "verzonden", "onderwerp", "enviado", "enviada", "asunto", "fecha", "inviato", "oggetto",
        "data", "sendt", "emne", "skickat", "ämne", "wysłano", "temat", "lähetetty", "aihe",
        "päivämäärä", "отправлено", "тема", "дата", "tárgy", "elküldve", "dátum", "gönderildi",
        "konu", "tarih", "předmět", "odesláno", "assunto", "日付", "件名", "送信日時", "主题",
        "发送时间", "日期", "主旨", "傳送時間", "verstuurd",
    }
)  # fmt: skip
_ATTRIBUTION = re.compile(
    r"^\s*[-–—]*\s*.{0,300}?\b(wrote|writes|a écrit|a ecrit|schrieb|schreef|escribió|escribio|"
    r"ha scritto|escreveu|skrev|kirjoitti|napisał|napisała|napisal|написал|написала|yazdı|"
    r"írta|έγραψε|napsal|napísal|a scris|har skrivit)\b[^\n]{0,200}?[:：]\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_LEAD = re.compile(
    r"^\s*[-–—]*\s*(on|le|am|op|el|il|em|den|w dniu|dnia|dne|dňa|pada|στις|в|\d)", re.I
)
# "2013/7/20 Sam Patel <sam@x>" (Gmail, date first) and "---- On ... wrote ----" (Zoho).
_DATE_FIRST = re.compile(r"^\s*\d{4}/\d{1,2}/\d{1,2}\b.{0,200}<[^<>\s]+@[^<>\s]+>\s*:?\s*$")
_DASHED_WROTE = re.compile(
    r"^\s*-{2,}\s*.{0,300}?\b(wrote|a écrit|schrieb|schreef|escribió|ha scritto|skrev)\b"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|dear|morning|afternoon|evening|good (morning|afternoon|evening))\b"
    r"[\w .'-]{0,40}[,.!:]?$",
    re.IGNORECASE,
)
_SEE_BELOW = re.compile(
    r"\b(see|answers?|responses?|replies|comments?|notes?|reply)\b.{0,30}"
    r"\b(below|inline|in line|in (red|blue|bold))\b",
    re.IGNORECASE,
)
_SIGNATURE_DASHES = re.compile(r"^--\s*$")
_MOBILE = re.compile(
    r"^(sent from my|sent from (outlook|mail for windows|yahoo mail|aol|samsung|bluemail|"
    r"proton ?mail|gmail|blackberry)|sent (via|using) (the )?\w+|get outlook for|"
    r"envoyé de mon|envoyé depuis|envoyé à partir de|von meinem|gesendet von|verzonden (vanaf|met)|"
    r"enviado desde|enviado de mi|inviato da|skickat från|sendt fra|wysłane z|obtenir outlook|"
    r"télécharger outlook|holen sie sich outlook|outlook (?:für|voor|para|per) (?:ios|android)|"
    r"scarica outlook)\b",
    re.IGNORECASE,
)
_BANNER = re.compile(
    r"^\s*(\[?(external|caution|warning|attention)\]?\s*[:!\-]|\[external\]"
    r"|this (e-?mail|message) (originated|was sent|came|is) from outside"
    r"|external (e-?mail|sender|message)\b)",
    re.IGNORECASE,
)
_BANNER_TOPIC = re.compile(
    r"outside|external|do not click|recogni[sz]e the sender|phishing|suspicious", re.IGNORECASE
)
_SEPARATOR = re.compile(r"^[\s\-_=*~#.]*$")


def normalise(text: str) -> list[str]:
    """Lines with odd spaces made plain, invisible characters and trailing space removed."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ODD_SPACE.sub(" ", text)
    return [line.rstrip() for line in text.split("\n")[:MAX_LINES]]


def _header_key(line: str) -> str | None:
    if len(line) > LONG_LINE:
        return None
    match = _HEADER_LINE.match(line)
    if not match:
        return None
    key = " ".join(match.group(1).lower().split())
    if key in _FROM_KEYS:
        return "from"
    if key in _TO_KEYS:
        return "to"
    return "meta" if key in _META_KEYS else None


def _starts_header_block(keys: list[str | None], index: int) -> bool:
    """An Outlook-style block: From and Sent/Date/Subject lines (and maybe To) close together.

    "From: 1 June" and "To: 30 June" alone are a person's leave dates, not a quote header.
    """
    if keys[index] is None:
        return False
    window = [key for key in keys[index : index + 6] if key]
    return "from" in window and ("meta" in window or len(window) >= 3)


def _hard_cut(lines: list[str]) -> int:
    keys = [_header_key(line) for line in lines]
    seen_text = False
    for index, line in enumerate(lines):
        if (
            _ORIGINAL.match(line)
            or _FORWARDED.match(line)
            or _UNDERSCORES.match(line)
            or _starts_header_block(keys, index)
            or (seen_text and _FOOTER.match(line))
        ):
            return index
        seen_text = seen_text or bool(line.strip())
    return len(lines)


def _is_attribution(text: str) -> bool:
    if len(text) <= LONG_LINE and (_DATE_FIRST.match(text) or _DASHED_WROTE.match(text)):
        return True
    return (
        len(text) <= LONG_LINE
        and text.rstrip().endswith((":", "："))
        and bool(_ATTRIBUTION.match(text))
        and (bool(_ATTRIBUTION_LEAD.match(text)) or "@" in text or "<" in text)
    )


def _continues(line: str) -> bool:
    """Could this line be the rest of a wrapped attribution? Never a blank line; a quoted
    one only when short ("> wrote:", the end of an address)."""
    if not line.strip():
        return False
    return not _QUOTED.match(line) or len(line.split()) <= 4


def _quote_marks(lines: list[str]) -> list[bool]:
    """Which lines belong to a quote: ``>`` lines and attribution lines (one or two)."""
    marks = [bool(_QUOTED.match(line)) for line in lines]
    for index, line in enumerate(lines):
        if marks[index] or not line.strip():
            continue
        if _is_attribution(line):
            marks[index] = True
        elif _ATTRIBUTION_LEAD.match(line) and not line.rstrip().endswith((".", "!", "?")):
            # Wrapped over two or three lines, maybe inside the address ("<bot@x\n> wrote:").
            for size in (2, 3):
                if index + size > len(lines) or not _continues(lines[index + size - 1]):
                    break
                joined = " ".join(part.strip() for part in lines[index : index + size])
                if _is_attribution(joined):
                    for offset in range(size):
                        marks[index + offset] = True
                    break
    return marks


def _answers_below(above: list[str]) -> bool:
    written = [line.strip() for line in above if line.strip()]
    if len(written) <= 2 and all(_GREETING.match(line) for line in written):
        return True
    return bool(_SEE_BELOW.search(" ".join(written)))


def _drop_quotes(lines: list[str]) -> list[str]:
    marks = _quote_marks(lines)
    first = next((index for index, mark in enumerate(marks) if mark), None)
    if first is None:
        return lines
    above = lines[:first]
    if not _answers_below(above):
        return above
    # Bottom-posted or answered inline: the writer's words are the unquoted lines.
    return above + [
        line for line, mark in zip(lines[first:], marks[first:], strict=True) if not mark
    ]


def _is_mobile_signature(line: str) -> bool:
    if len(line) > 200:
        return False
    text = re.sub(r"<[^<>]*>", "", line).strip().rstrip(".!")
    # "Sent from my desk, is much easier" is a sentence, not a signature.
    return bool(_MOBILE.match(text)) and "," not in text and len(text.split()) <= 9


def _drop_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE_DASHES.match(line) or _is_mobile_signature(line):
            return lines[:index]
    return lines


def _drop_banners(lines: list[str]) -> list[str]:
    """Remove the external-sender warnings that mail gateways put at the top."""
    for _ in range(2):
        start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
        paragraph = " ".join(lines[start:end])
        if not (_BANNER.match(paragraph) and _BANNER_TOPIC.search(paragraph)):
            break
        lines = lines[end:]
    return lines


def _tidy(lines: list[str]) -> str:
    end = len(lines)
    while end and _SEPARATOR.match(lines[end - 1]):
        end -= 1
    tidy: list[str] = []
    for line in lines[:end]:
        if line.strip() or (tidy and tidy[-1]):
            tidy.append(line if line.strip() else "")
    return "\n".join(tidy).strip("\n")


_FORWARD_NOTE = re.compile(
    r"\b(see below|below|see (the )?(e-?mail|message|request)|forwarding|fyi|for info|"
    r"for your (info|information|decision)|please see)\b",
    re.IGNORECASE,
)
_HEADER_FIELD = re.compile(r"^\s*\*{0,2}(from|sent|date|to|cc|subject)\*{0,2}\s*:", re.I)


def _forwarded_part(lines: list[str], cut: int, forward: bool) -> list[str]:
    """When the forward is the message ("see below, I support this"), the forwarded mail's
    From line and words; else nothing. ``forward`` says the subject is a forward's."""
    if cut >= len(lines):
        return []
    marker = lines[cut]
    is_forward = bool(_FORWARDED.match(marker)) or "forward" in marker.lower()
    if not (is_forward or forward):
        return []
    above = [line.strip() for line in lines[:cut] if line.strip()]
    if len(above) > 3 or (above and not forward and not _FORWARD_NOTE.search(" ".join(above))):
        return []
    rest = lines[cut + 1 :] if is_forward or _UNDERSCORES.match(marker) else lines[cut:]
    kept: list[str] = []
    index = 0
    while index < len(rest) and (not rest[index].strip() or _HEADER_FIELD.match(rest[index])):
        if rest[index].strip().lower().lstrip("*").startswith("from"):
            kept.append(rest[index].strip())
        index += 1
    words = _own_words(rest[index:])
    return ["", "Forwarded:", *kept, *words] if words else []


def _own_words(lines: list[str]) -> list[str]:
    lines = lines[: _hard_cut(lines)]
    lines = _drop_quotes(lines)
    lines = _drop_banners(lines)
    return _drop_signature(lines)


def new_text(text: str) -> str:
    """The writer's own words in a reply's text."""
    lines = normalise(text)
    return _tidy(_own_words(lines[: _hard_cut(lines)]))


def written_text(text: str, forward: bool = False) -> str:
    """The writer's own words, with a forwarded mail's words when the forward is the message
    ("see below, I support this"); ``forward``: the subject says it is a forward."""
    lines = normalise(text)
    cut = _hard_cut(lines)
    return _tidy(_own_words(lines[:cut]) + _forwarded_part(lines, cut, forward))
