"""What a person's new text asks for or decides, by plain rules; when unsure, UNKNOWN.

Order matters and is the point of this module. Phrases that contain another rule's words are
read first and blanked out: at-risk ("might not make it") and withdrawal ("no longer need the
exemption") before decline; double negatives and requests for a decision ("could you approve")
before approve and decline; negation ("not approved", "not completed") before the positive
words; a decision under a condition ("approved if", "happy to approve once", "would have
approved") after the refusals and before approval. Whatever signals remain are then weighed;
two decisions that disagree give UNKNOWN, and so does a decision next to a hedge ("not sure",
"happy to discuss"); a condition gives UNCLEAR, so the decider is asked rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.replies import phrases
from bot.core.replies.model import Intent, Reason

# Starts only after a space, so a long run of text without one is scanned once, not n times.
_URL = re.compile(r"(?:https?://|www\.|mailto:)\S+|(?<!\S)[^\s@]++@\S+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"'})
_BLANKS = re.compile(r"[ \t]+")
_NOT_NEWLINE = re.compile(r"[^\n]")


def prepare(text: str) -> str:
    """Lower-cased text with links and addresses removed and spaces collapsed."""
    text = _URL.sub(" ", text.lower().translate(_QUOTES))
    return "\n".join(_BLANKS.sub(" ", line).strip() for line in text.split("\n"))


_ANY: dict[tuple[re.Pattern[str], ...], re.Pattern[str]] = {}


def any_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    """One pattern that matches where any of ``patterns`` does, built once per list."""
    combined = _ANY.get(patterns)
    if combined is None:
        combined = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in patterns))
        _ANY[patterns] = combined
    return combined


def found(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any_of(patterns).search(text) is not None


@dataclass
class TextToRead:
    """The text being read, with the phrases already used blanked out."""

    value: str

    def take(self, patterns: tuple[re.Pattern[str], ...]) -> bool:
        if not any_of(patterns).search(self.value):
            return False  # one scan for the whole list: most lists are not in most texts
        found = False
        for pattern in patterns:
            pieces: list[str] = []
            done = 0
            for match in pattern.finditer(self.value):
                start, end = match.span()
                if start == end:
                    continue
                # Blank the phrase but keep line breaks, so line-start rules still work.
                pieces += [self.value[done:start], _NOT_NEWLINE.sub(" ", self.value[start:end])]
                done = end
            if pieces:
                found = True
                self.value = "".join([*pieces, self.value[done:]])
        return found


@dataclass(frozen=True)
class Signals:
    at_risk: bool
    withdraw: bool
    hedge: bool
    conditional: bool
    approve: bool
    decline: bool
    not_completed: bool
    completed: bool
    exemption: bool
    circumstance: bool
    question: bool


def read_signals(text: str) -> Signals:
    prepared = prepare(text)
    remaining = TextToRead(prepared)
    at_risk = remaining.take(phrases.AT_RISK)
    withdraw = remaining.take(phrases.WITHDRAW)
    hedge = remaining.take(phrases.HEDGE)
    double_negative = remaining.take(phrases.APPROVE_DOUBLE_NEGATIVE)
    remaining.take(phrases.NOT_A_DECISION)
    decline = remaining.take(phrases.DECLINE)
    conditional = remaining.take(phrases.CONDITIONAL)
    approve = remaining.take(phrases.APPROVE) or double_negative
    not_completed = remaining.take(phrases.NOT_COMPLETED)
    remaining.take(phrases.NOT_YET)
    completed = remaining.take(phrases.COMPLETED)
    exemption = remaining.take(phrases.EXEMPTION)
    return Signals(
        at_risk=at_risk,
        withdraw=withdraw,
        hedge=hedge,
        conditional=conditional,
        approve=approve,
        decline=decline,
        not_completed=not_completed,
        completed=completed,
        exemption=exemption,
        circumstance=reason_of(prepared) is not Reason.OTHER,
        question="?" in prepared or bool(phrases.QUESTION_START.search(prepared)),
    )


def decide(signals: Signals) -> Intent:
    """Weigh the signals; a conflict is UNKNOWN, never a guess."""
    decisions = {
        Intent.APPROVE: signals.approve,
        Intent.DECLINE: signals.decline,
        Intent.WITHDRAW: signals.withdraw,
        Intent.COMPLETED: signals.completed,
        Intent.AT_RISK: signals.at_risk,
    }
    present = [intent for intent, seen in decisions.items() if seen]
    if signals.conditional and not (set(present) - {Intent.APPROVE, Intent.DECLINE}):
        # A decision under a condition is asked about, even next to a refusal: "I'd approve
        # if the hearing goes ahead, otherwise not" is not a refusal, and the first decision
        # is final. Another intent next to a condition (a withdrawal, "done") stands.
        return Intent.UNCLEAR
    if len(present) > 1:
        return Intent.UNKNOWN
    if present:
        intent = present[0]
        if intent in (Intent.APPROVE, Intent.DECLINE) and signals.hedge:
            return Intent.UNKNOWN  # "not sure I can support this" is not a decision yet
        # "Completed" or "at risk" next to an explicit request to be let off is two messages
        # in one; a Head of Service deciding may mention the exemption freely.
        if intent in (Intent.COMPLETED, Intent.AT_RISK) and signals.exemption:
            return Intent.UNKNOWN
        return intent
    if signals.exemption or signals.circumstance:
        return Intent.EXEMPTION_REQUEST
    if signals.not_completed:
        return Intent.UNKNOWN
    return Intent.QUESTION if signals.question else Intent.UNKNOWN


def reason_of(prepared: str) -> Reason:
    """The circumstance named first in the text, or OTHER."""
    best: tuple[int, Reason] | None = None
    for reason, patterns in (
        (Reason.ABSENCE, phrases.ABSENCE),
        (Reason.OTHER_QA_ACTIVITY, phrases.OTHER_QA),
        (Reason.STATUTORY_WORK, phrases.STATUTORY),
    ):
        for pattern in patterns:
            match = pattern.search(prepared)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), reason)
    return best[1] if best else Reason.OTHER


def read_intent(text: str) -> tuple[Intent, Reason | None]:
    """The intent of a reply's new text, and the reason when it asks to be let off."""
    intent = decide(read_signals(text))
    if intent is Intent.EXEMPTION_REQUEST:
        return intent, reason_of(prepare(text))
    return intent, None
