"""Children's names in a person's words, masked before the words are quoted onward.

A name here is a run of capitalised words that is not staff (the roster knows staff names),
not a word the department writes with a capital (teams, courts, days, tools), and not a
parent or worker named as one ("mum (Chantelle)", "the SW (Jordan)"). At the start of a
sentence a capital proves nothing, so there a name needs a sign: a possessive ("Kacey-Leigh's
one"), a surname or an initial after it ("Tyler Haworth", "Jayden S"). Sign-offs and
signatures are the writer's own name and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MASK = "[name removed]"

_NAME_WORD = r"(?:[A-Z]'[A-Z][a-z]+|[A-Z][a-z]+(?:[A-Z][a-z]+)?)(?:-[A-Z]?[a-z]+|'[A-Z][a-z]+)*"
_INITIAL = r"[A-HJ-Z](?=\b(?!\.\w))"
_RUN = re.compile(rf"\b{_NAME_WORD}\b(?:[ \t]+(?:{_NAME_WORD}|{_INITIAL})\b)*")
_POSSESSIVE = re.compile(r"^['\u2019]s\b")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]|\n|\s[-\u2013\u2014])[\s\"'(\[]*$")
_ADULT_BEFORE = re.compile(
    r"\b(?:mum|mother|dad|father|step-?dad|step-?mum|nan|nana|gran|grandma|grandad|carer|"
    r"foster carer|sw|social worker|worker|iro|guardian|colleague|manager|tm|hos|wife|"
    r"husband|partner)(?:\s*\(?\s*|\b[^()\n]{0,25}\(\s*)$",
    re.IGNORECASE,
)
_ADULT_AFTER = re.compile(
    r"^\s*\((?:the |our |my )?(?:allocated |new |previous )?(?:sw|social worker|worker|mum|"
    r"dad|mother|father|carer|iro|tm|manager)\b",
    re.IGNORECASE,
)
# What only a child's name is followed by, whatever comes before it.
_CHILD_AFTER = re.compile(
    r"^(?:'s|\u2019s)\s+(?:final hearing|hearing|case|file|proceedings|plan|audit|chronology|"
    r"injuries|name|one|family|mum|dad|placement|school|care plan|records?|cp plan|siblings?)\b",
    re.IGNORECASE,
)
_CHILD_BEFORE = re.compile(
    r"\b(?:baby|little|young|child|sibling|brother|sister|son|daughter|unborn)\s+$", re.IGNORECASE
)
# Where a name is a colleague's, whatever the roster says: greeted, told, asked, covered for.
_COLLEAGUE_BEFORE = re.compile(
    r"(?:^|\b)(?:hi|hello|hey|hiya|dear|morning|afternoon|thanks|thank you|cheers|ta|let|tell|"
    r"told|ask|asked|cc|cc'd|copied|copy in|spoken to|spoke to|speak to|talk to|talked to|"
    r"discussed (?:it |this )?with|send (?:it |this )?to|pass (?:it |this )?(?:on )?to|"
    r"forward(?:ed)? (?:it |this )?to|covering for|cover for|exempt(?:ion)? for|"
    r"exemption for|on behalf of|exempt|remind|me and|(?:discussed|spoke|spoken|met|agreed|checked|"
    r"check|chat|chatted) with)\s+$",
    re.IGNORECASE,
)
_COLLEAGUE_AFTER = re.compile(
    r"^(?:'s\s+(?:team|service|caseload|view|comments|request|exemption|leave|diary)\b|"
    r"(?:'s)?\s+(?:know|has asked|asked|suggested|said|says|is off|is on|is aware|knows|"
    r"will|has left|'s happy|is happy|is supporting|supports|and i (?:have|agreed|discussed|"
    r"spoke|will|are|met)|agreed|thinks|mentioned|"
    r"come and|to pick|be exempt\w*|be let off|be taken off|has been|has had|had one|"
    r"is starting|is covering|\((?:hos|tm|sw|iro|pa)\)))",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:(?:kind|best|warm|many)\s+)?(?:regards|thanks|thank you|cheers|ta|best|"
    r"wishes|diolch|sent from|get outlook)\b[\w /]{0,20}[,.!]?\s*$",
    re.IGNORECASE,
)

_GREETING = re.compile(r"(?:hi|hello|hey|hiya|dear|morning|afternoon|evening|good)\b", re.I)

# Words the department capitalises that are not people. Lower-cased.
_NOT_NAMES_TEXT = """
    sir madam mr mrs ms miss dr prof cllr councillor
    could would should is are was were has have had does did do will may might must shall
    it that she he let what there here who where how this these those they we you can im ive
    dont cant wont didnt everyone everybody nobody someone somebody anyone today tomorrow
    yesterday hearing case audit file one other which when why whose all each both
        i i'm i've i'll i'd hi hello hey hiya dear morning afternoon evening good thanks thank
    regards cheers ta best many kind please sorry yes no ok okay fine done update re fw fwd
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    fri sat sun january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec christmas easter team teams
    manager managers service services council county children children's child social care
    director head heads of the and for in on at to a an practice lead leader senior
    practitioner deputy assessment intervention fostering adoption permanence leavers
    leaving need disabilities disability edge safeguarding family families front door mash
    court high county family magistrates legal court's occupational health hospital school
    schools college university nhs trust board partnership partnership's corporate parenting
    performance quality assurance audit audits auditing tool lcs mosaic liquidlogic
    sharepoint outlook android iphone ipad galaxy samsung windows microsoft teams zoom excel
    word section signs safety leadership educator stage requires improvement outstanding
    inadequate good independent reviewing officer guardian guardian's cafcass ofsted ilacs
    jtai gscp lscp icb police protection house road street centre center hub building floor
    office brackenshire unit panel panels subgroup group forum conference national
    regional local authority la hr oh gp a&e ae covid mum dad dear all both hope just also
    still not sent get from my mail gmail yahoo principal social worker workforce
    development training academy review reviews rapid serious case cases strategy meeting
    meetings tracker tracking plan plans pathway pathways child's
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())  # fmt: skip
_ORG_WORDS_TEXT = """
    team service services council county court board partnership trust hospital school house
    road street centre center hub unit panel subgroup group forum conference authority
    office building academy college university programme program project
"""
_ORG_WORDS = frozenset(_ORG_WORDS_TEXT.split())  # fmt: skip


def staff_words(names: Iterable[str]) -> frozenset[str]:
    """Every part of every staff name, lower-cased: "Kerry-Ann Bassey" gives three."""
    return _staff_words(tuple(names))


@lru_cache(maxsize=8)  # the same roster for every message of a poll
def _staff_words(names: tuple[str, ...]) -> frozenset[str]:
    words: set[str] = set()
    for name in names:
        for part in re.split(r"[\s,]+", name.strip()):
            part = part.strip("().'\"").lower()
            if len(part) > 1:
                words.add(part)
                words.update(piece for piece in re.split(r"[-']", part) if len(piece) > 1)
    return frozenset(words)


def signature_start(lines: list[str]) -> int:
    """The first line of the sign-off or signature, after the writer's own words."""
    seen_words = False
    for index, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        greeting = _GREETING.match(text)
        only_name = not greeting and bool(
            re.fullmatch(
                rf"(?:{_NAME_WORD}|[A-Z])(?:\s+(?:{_NAME_WORD}|[A-Z]))?(?:\s+{_NAME_WORD})?\s*[x,.]?",
                text,
            )
        )
        if seen_words and (_SIGN_OFF.match(text) or only_name or " | " in text):
            return index
        seen_words = True
    return len(lines)


def _is_name_run(tokens: list[str], text: str, start: int, end: int, staff: frozenset[str]) -> bool:
    if any(token.lower() in staff for token in tokens):
        return False
    before, after = text[:start], text[end:]
    if _ADULT_BEFORE.search(before[-30:]) or _ADULT_AFTER.match(after):
        return False
    colleague = _COLLEAGUE_BEFORE.search(before[-40:]) or _COLLEAGUE_AFTER.match(after[:40])
    child = _CHILD_AFTER.match(after[:40]) or _CHILD_BEFORE.search(before[-20:])
    if colleague and not child:
        return False
    at_sentence_start = bool(_SENTENCE_END.search(before[-6:] if before else ""))
    if not at_sentence_start:
        return True
    return bool(_POSSESSIVE.match(after)) or len(tokens) > 1


def _spans_in_line(line: str, staff: frozenset[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(line):
        words = run.group(0).split()
        if any(word.lower() in _ORG_WORDS for word in words):
            continue  # a team, a court, a building: not a person
        # Split the run at words that are not names ("Hi Julie", "Dear Audit Team").
        offset = run.start()
        piece: list[tuple[str, int]] = []
        for word in [*words, ""]:
            position = line.find(word, offset) if word else len(line)
            if (
                word
                and word.lower().strip("'") not in _NOT_NAMES
                and not (len(word) == 1 and not piece)
            ):
                piece.append((word, position))
            elif piece:
                start = piece[0][1]
                end = piece[-1][1] + len(piece[-1][0])
                if _is_name_run([w for w, _ in piece], line, start, end, staff):
                    spans.append((start, end))
                piece = []
            if word:
                offset = position + len(word)
    return spans


def mask_names(text: str, staff: frozenset[str]) -> tuple[str, int, list[str]]:
    """The text with children's names replaced by MASK, how many, and what was masked."""
    lines = text.split("\n")
    stop = signature_start(lines)
    masked: list[str] = []
    found: list[str] = []
    for index, line in enumerate(lines):
        if index >= stop:
            masked.append(line)
            continue
        pieces: list[str] = []
        done = 0
        for start, end in _spans_in_line(line, staff):
            found.append(line[start:end])
            pieces += [line[done:start], MASK]
            done = end
        masked.append("".join([*pieces, line[done:]]))
    return "\n".join(masked), len(found), found
