"""Automatic replies told by what they say: out-of-office notes and ticketing acknowledgements.

Many out-of-office replies carry no automatic header at all (older Exchange, forwarding rules,
phones), and service desks acknowledge mail in words only. But people write about being away
too ("I'm on annual leave from Monday for three weeks, can I be exempted?"), and a person's
request read as an out-of-office would be lost. So one away phrase is never enough: the text
needs two kinds of out-of-office wording (away, back on a date, limited access to mail, whom to
contact meanwhile), or an away subject and one of them; and a writer who asks for something
("can I be exempted?"), says they cannot do the work, or answers first ("Approved. I'm on leave
from tomorrow, anything urgent to Jo") is a person whatever else they say. Only the stock
subjects with a colon ("Automatic reply:", "Out of Office:"), which people do not type, are
enough alone.

Everything is read from lower-cased text with whitespace made plain.
"""

from __future__ import annotations

import re

from bot.core.replies.intent import read_intent
from bot.core.replies.model import Intent

OUT_OF_OFFICE = "out_of_office"
ACKNOWLEDGEMENT = "acknowledgement"

_AUTO_WORDS = (
    r"automatic reply|auto[- ]?reply|auto[- ]?response|autoresponse|out of (?:the )?office|"
    r"réponse automatique|reponse automatique|absence du bureau|automatische antwort|"
    r"abwesenheitsnotiz|automatische rückantwort|respuesta automática|respuesta automatica|"
    r"fuera de la oficina|risposta automatica|automatisch antwoord|afwezig|autosvar|"
    r"automatisk svar|automatisk besked|fraværende|frånvaro|automaattinen vastaus|"
    r"odpowiedź automatyczna|autoodpowiedź|resposta automática|resposta automatica|"
    r"automatická odpověď|automatická odpoveď|automatikus válasz|răspuns automat|"
    r"raspuns automat|otomatik yanıt|otomatik cevap|αυτόματη απάντηση|автоматический ответ|"
    r"ymateb awtomatig|ateb awtomatig|自動応答|自動返信|自动回复|自動回覆|자동 회신"
)
# The stock subjects mail clients write: enough on their own.
_AUTO_SUBJECT = re.compile(
    rf"^\s*(?:(?:{_AUTO_WORDS}|auto)\s*[:：]|out of (?:the )?office (?:auto ?reply|reply)\b)",
    re.IGNORECASE,
)
# The same words before a dash or as the whole subject ("Out of Office - Exemption request"):
# a person could type that, so it counts unless the text asks for something.
_AUTO_SUBJECT_LOOSE = re.compile(rf"^\s*(?:{_AUTO_WORDS})\s*(?:[-–—|]|$)", re.IGNORECASE)
# Subjects a person might use too: they count only with one out-of-office phrase in the text.
_AWAY_SUBJECT = re.compile(
    r"^\s*(?:away|away from (?:the |my )?(?:office|desk)|on (?:\w+ )?leave|annual leave|"
    r"absent|on holiday|holiday|vacation|ooo|oof|abwesend|absente?|en congés?|congés)\s*"
    r"(?:[-–—:|]|$)",
    re.IGNORECASE,
)
# Ticketing systems tag their subjects: "[QA-Ticket] ...", "Ticket #12345", "Request #88".
_TICKET_SUBJECT = re.compile(
    r"\[[^\]]{0,40}\b(?:ticket|incident|case|request|ref|call|sr)\b[^\]]{0,40}\]|"
    r"\bticket\s*(?:#|no\.?|number|id)?\s*:?\s*#?[a-z]{0,6}-?\d{3,}|"
    r"\b(?:incident|request|call|case|sr|inc)\s*#\s*\d{3,}",
    re.IGNORECASE,
)

_AWAY = re.compile(
    r"\b(?:am|i'm|is|are|be|been|currently|presently|now|will be|i'll be)\s+"
    r"(?:currently |presently |now |still )?(?:out of (?:the |my )?office|away from (?:the |my )?"
    r"(?:office|desk|work)|on (?:\w+ ){0,2}leave|on (?:holiday|vacation|sabbatical)|"
    r"away|absent|off work|not in (?:the )?office|out of the country)\b|"
    r"(?:^|\n)\s*out of (?:the )?office\b|"
    r"\bnicht im büro\b|\babwesend\b|\baußer haus\b|\bausser haus\b|\bim urlaub\b|"
    r"\bje suis (?:actuellement )?(?:absente?|en congés?|hors du bureau)\b|"
    r"\bhors du bureau\b"
)
# Back on a date, said as out-of-office notes say it. People write "I'll do it when I'm back"
# and "I'll be back on Monday" too, so those are not counted.
_BACK = re.compile(
    r"\buntil my return\b|"
    r"\breturning (?:to (?:the office|work) )?(?:on|from)\b|"
    r"\b(?:i will|i'll|i shall) (?:be )?return(?:ing)? to (?:the office|work) (?:on|from)\b|"
    r"\bback in (?:the )?office (?:on|from)\b|"
    # Away "until" a date is how foreign out-of-office notes speak; in English a person
    # writes it too ("off sick until the 20th"), so only the foreign form counts.
    r"\b(?:bis|jusqu'au|jusqu'à|jusqu'a)\b|"
    r"\bnach meiner rückkehr\b|\bdès mon retour\b|\bà mon retour\b|\bdes mon retour\b"
)
_OFFLINE = re.compile(
    r"\b(?:limited|no|intermittent|restricted|occasional|little|without|patchy) "
    r"access to (?:my |the )?(?:e-?mails?|inbox|messages|emails)\b|"
    r"\bnot (?:be )?(?:checking|accessing|monitoring|reading) (?:my )?(?:e-?mails?|inbox)\b|"
    r"\b(?:e-?mails?|messages) (?:will not|won't) be (?:read|monitored|forwarded)\b|"
    r"\b(?:will|shall) (?:respond|reply|answer|deal with|get back to you|be in touch|"
    r"action)\b[^.!?\n]{0,40}\b(?:on|upon|after|when) (?:my return|i return|i'm back|i am back)\b|"
    r"\bwill be (?:dealt with|answered|actioned|responded to|read)\b[^.!?\n]{0,30}\b"
    r"(?:on|upon|after|when) (?:my return|i return|i'm back|i am back)\b|"
    r"\bkeinen zugriff auf (?:meine )?e-?mails\b|\beingeschränkt\w* zugriff\b|"
    r"\baccès (?:limité|restreint) à (?:mes )?(?:e-?mails|courriels|messages)\b|"
    r"\bje répondrai\b|\bje vous répondrai\b|\bwerde ihre (?:e-?mail|nachricht)\b"
)
_MEANWHILE = re.compile(
    r"\burgent\w*\b[^.!?\n]{0,80}\b(?:contact|call|ring|e-?mail|speak|phone|approve|"
    r"forward|duty)\b|"
    r"\b(?:contact|call|ring|e-?mail|speak to|phone)\b[^.!?\n]{0,80}\burgent\w*\b|"
    r"\bin my absence\b|\bwhil(?:e|st) i(?: am|'m) (?:away|out|on leave|off)\b|"
    r"\bfor anything (?:that needs|needing|requiring|that requires) (?:attention|action|"
    r"a response|an answer|approval)\b|"
    r"\bplease (?:contact|call|e-?mail|ring|speak to) my (?:line manager|manager|deputy|"
    r"colleague|team|pa)\b|"
    r"\bin dringenden fällen\b|\bwenden sie sich\b|\ben cas d'urgence\b|\bpour toute urgence\b|"
    r"\bveuillez contacter\b"
)
# What a person writes to the bot and an out-of-office never does: asking for something, or
# saying they cannot do the work. Such a writer is a person, however away they say they are.
_PERSON = re.compile(
    r"\b(?:can|could|may|might) (?:i|we)\b[^.!?\n]{0,100}\?|"
    r"\b(?:please )?(?:can|could) i (?:be|have|request|ask|get)\b|"
    r"\b(?:i'd|i would) like (?:to (?:request|ask)|an? exemption)\b|"
    r"\b(?:i am|i'm) (?:asking|requesting)\b|"
    r"\bplease (?:exempt|excuse|let me off)\b|"
    r"\b(?:i|i'm|i am|i'll|i will)\b[^.!?]{0,40}?\b(?:can't|cannot|won't|will not|unable to|"
    r"not be able to|not able to|won't be able to) (?:do|complete|finish|submit|take on|"
    r"undertake)\b"
)
# A short plain answer first ("Approved.", "Done.") followed by a note about being away is a
# person's reply with a postscript, not an out-of-office.
_FIRST_SENTENCE = re.compile(r"[^.!?]{1,200}")
_ANSWERS = frozenset(
    {Intent.APPROVE, Intent.DECLINE, Intent.COMPLETED, Intent.WITHDRAW, Intent.AT_RISK}
)


def _answers_first(text: str) -> bool:
    first = _FIRST_SENTENCE.match(text)
    if first is None or len(first.group(0).split()) > 6:
        return False
    return read_intent(first.group(0))[0] in _ANSWERS


# Boilerplate only a machine writes: enough on its own.
_ACK_STRONG = re.compile(
    r"\bthis is an? (?:automated|automatic|auto-generated|automatically generated) "
    r"(?:response|reply|message|acknowledge?ment|e-?mail|notification)\b|"
    r"\b(?:this|the) (?:e-?mail|message|response|reply) (?:was|has been|is) "
    r"(?:sent |generated )?automatically\b|"
    r"\bautomatically generated (?:response|reply|message|e-?mail|acknowledge?ment)\b"
)
# Acknowledgement phrases: two of them, or one under a ticket subject.
_ACK = (
    re.compile(
        r"\bwe (?:have|'ve) (?:now )?received your (?:e-?mail|message|request|enquiry|query|"
        r"correspondence)\b|\byour (?:e-?mail|message|request|enquiry|query) has been received\b"
    ),
    re.compile(r"\b(?:thank you|thanks) for contacting\b"),
    re.compile(
        r"\byour (?:request|enquiry|query|ticket|case|e-?mail|message|call|incident) "
        r"(?:has been|is being|was) (?:logged|assigned|created|raised|registered|recorded|"
        r"passed|forwarded|added)\b"
    ),
    re.compile(
        # Not "case": people here write "case reference CR-104305".
        r"\b(?:your |the )?(?:ticket|reference|request|incident|call) "
        r"(?:number|no\.?|id|ref|reference)\b|\bticket #?\s*[a-z]{0,6}-?\d{3,}"
    ),
    re.compile(
        r"\b(?:a member of (?:the|our) (?:\w+ )?team|one of our (?:team|advisers|advisors|"
        r"agents)) will (?:respond|reply|be in touch|get back|contact)\b|"
        r"\bwe (?:aim|will aim|will try|endeavour|endeavor|strive) to (?:respond|reply|answer)\b|"
        r"\bwithin \d+ (?:working |business )?(?:days|hours)\b"
    ),
    re.compile(r"\bplease do not reply to this (?:automated |automatic )?(?:e-?mail|message)\b"),
)


def _out_of_office(subject: str, text: str) -> bool:
    if _AUTO_SUBJECT.match(subject):
        return True
    found = sum(bool(kind.search(text)) for kind in (_AWAY, _BACK, _OFFLINE, _MEANWHILE))
    looks_away = (
        found >= 2
        or bool(_AUTO_SUBJECT_LOOSE.match(subject))
        or (found >= 1 and bool(_AWAY_SUBJECT.match(subject)))
    )
    # Only then the slower question whether a person is writing.
    return looks_away and not (_PERSON.search(text) or _answers_first(text))


def _acknowledgement(subject: str, text: str) -> bool:
    if _ACK_STRONG.search(text):
        return True
    found = sum(bool(pattern.search(text)) for pattern in _ACK)
    return found >= 2 or (found >= 1 and bool(_TICKET_SUBJECT.search(subject)))


def by_content(subject: str, text: str) -> str | None:
    """OUT_OF_OFFICE or ACKNOWLEDGEMENT when the subject and new text say so, else None.

    ``text`` is the writer's new text (quotes removed), lower-cased with plain spaces.
    """
    text = text.replace("\u2019", "'")
    if _acknowledgement(subject, text):
        return ACKNOWLEDGEMENT
    if _out_of_office(subject, text):
        return OUT_OF_OFFICE
    return None
