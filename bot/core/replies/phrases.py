"""The phrases the intent rules look for, written against lower-cased, tidied text.

Kept apart from the rules so that a phrase can be added without reading the logic. Each list
is tried in the order the rules in ``intent.py`` say; a phrase that matches is blanked out so
that a later, weaker list cannot see its words again ("not approved" must never count as
"approved").
"""

from __future__ import annotations

import re

_W = r"(?:\s+[\w']+)"  # one more word
NEG = (
    r"(?:not|never|no longer|can't|cant|cannot|won't|wont|don't|dont|doesn't|didn't|wouldn't|"
    r"couldn't|shouldn't|isn't|aren't|wasn't|haven't|hasn't|unable to)"
)
_APPROVE_VERB = r"(?:approv\w*|support\w*|agree\w*|endorse\w*|grant\w*|authori[sz]\w*|sign\w* off)"
_DONE = r"(?:done|completed|submitted|finished|uploaded|sent in|handed in)"
_DO = r"(?:finish|complete|submit|meet|manage|get)"


def compile_phrases(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


AT_RISK = compile_phrases(
    r"\b(?:might|may|will|won't|wont|will not|not going to|unlikely to|probably)\s+(?:not\s+)?"
    r"(?:make|meet) (?:it|the deadline|the end of the month|month end|the month end)\b",
    r"\bat risk of (?:not|missing|slipping|being late|falling behind|failing)\b",
    r"\b(?:i'm|i am|i'll be|i will be|i might be|i may be|i could be|i feel|feeling|i think i'm)"
    rf"{_W}?\s+at risk\b",
    r"(?:^|\n)[ \t]*at risk\b",
    rf"\bstruggling (?:to|with){_W}{{0,2}}?\s+(?:complete|finish|get|meet|do|audits?)\b",
    # "won't get these done": the "done" belongs to the at-risk phrase, not to COMPLETED.
    rf"\b(?:won't|wont|will not|can't|cant|cannot|can not|unable to|not able to|not be able to|"
    rf"not going to){_W}{{0,3}}?\s+{_DO}\b(?!\w)(?:{_W}{{0,3}}?\s+{_DONE}\b)?",
    r"\brunning (?:a bit |slightly |very |way )?(?:behind|late)\b",
    r"\b(?:might|may|could|will|going to|likely to) slip\b",
    r"\b(?:falling|fallen|fall|fell|getting|am|i'm|be|been|slightly|a bit|way|running) behind\b",
    r"\b(?:need|needs|want|request\w*|ask\w*|like|have|get)\s+(?:for\s+)?(?:an?\s+|some\s+)?"
    r"(?:extension|more time|extra time)\b",
    r"\bmiss(?:ing)? the deadline\b",
    r"(?:\b(?:will|might|may|going to)|'ll) be late\b",
)

WITHDRAW = compile_phrases(
    r"\bwithdr[ae]w\w*\b",
    r"\bcancel\w*\s+(?:my|the|this|that)\s+(?:\w+\s+)?(?:request|exemption)\b",
    rf"\bno longer (?:need|require|want)s?{_W}{{0,2}}?\s+(?:exemption|exempt\w*|it)\b",
    r"\b(?:please )?(?:disregard|ignore) (?:my|the|this|that) (?:\w+ )?"
    r"(?:request|email|e-mail|message|exemption)\b",
    r"\b(?:don't|do not) need (?:the|an|my) exemption\b",
    r"\bcan do (?:my|the|them|these) (?:audits )?after all\b",
)

# Approval said through a double negative: read as approval, then hidden from DECLINE.
APPROVE_DOUBLE_NEGATIVE = compile_phrases(
    r"\bno objections?\b",
    r"\b(?:no|any|see no|can't see any|cannot see any|don't see any|do not see any) reason"
    r"(?: why)? not to\b",
    r"\b(?:don't|do not|can't|cannot) see why not\b",
    # "I can't not support this": two negatives are a yes.
    rf"\b(?:can't|cant|cannot|can not|couldn't|could not|wouldn't|would not|won't|don't|do not)"
    rf"\s+not\s+(?:\w+\s+)?{_APPROVE_VERB}",
)

# A decider thinking aloud: whatever decision words follow are not yet a decision.
HEDGE = compile_phrases(
    r"\b(?:not (?:sure|certain|convinced)|unsure|uncertain|undecided|in two minds)\b",
    r"\b(?:happy to|let's|let us|can we|could we|need to|we should) (?:discuss|talk|chat)\b",
    r"\b(?:need|want|like) (?:some |a bit )?more (?:info|information|detail|details)\b",
    r"\b(?:come|get) back to (?:you|them|him|her)\b|\bthink about (?:it|this)\b",
)

# Words that look like a decision but are not the writer deciding: hidden, no signal.
NOT_A_DECISION = compile_phrases(
    rf"\b(?:could|can|would|will|might) you (?:please )?{_APPROVE_VERB}",
    rf"\byou (?:could|can|would|will|might) (?:please )?{_APPROVE_VERB}",
    rf"\b(?:please|kindly) {_APPROVE_VERB}",
    r"\bfor (?:your |the director's |director )?(?:approval|support|agreement|consideration|"
    r"decision|sign off)\b",
    r"\b(?:seek|seeking|ask|asking|request|requesting|need|needs|require|requires|awaiting|"
    r"await|get|getting)\s+(?:for\s+)?(?:your |the director's |director |some |any )?"
    r"(?:approval|support|agreement|sign off)\b",
    r"\b(?:need|needs|needing|extra|more|additional|without|offer|offered|provide|providing|"
    r"business|family|peer|admin|technical|it|practice|early help)\s+support\b",
    r"\bsupport (?:worker|workers|plan|plans|staff|team|teams|officer|officers|from|services?|"
    r"hub|unit|manager|assistant|coordinator|co-ordinator)\b",
    # Job titles in signatures: an AMHP is an Approved Mental Health Professional.
    r"\bapproved (?:mental health professional|premises|social worker)\b",
    r"\b(?:thanks?|thank you|grateful|appreciate\w*)\b[^.!?\n]{0,30}?\bsupport\b",
    r"\b(?:with|of) (?:the |your |my )?support\b|\bsupport of\b",
    r"\b(?:hope|trust|if|unless|whether) (?:you|they|she|he|the director|my manager)"
    rf"{_W}?\s+agree\w*",
    r"\bas agreed\b",
    r"\bagreed (?:with|between)\b",
    r"\b(?:i|we) agreed to\b",
    r"\b(?:leave|holiday|absence|time off)\s+(?:has been |have been |was |is |been )?"
    r"(?:approved|agreed|granted|authori[sz]ed)\b",
    r"\b(?:approved|agreed|authori[sz]ed|granted)\s+(?:annual |sick |study )?"
    r"(?:leave|holiday|absence|time off)\b",
    # "Approved? I don't think so.": a decision word asked about is not a decision.
    r"\b(?:approv\w*|support\w*|agreed?|granted|authori[sz]ed)\s*\?",
)

DECLINE = compile_phrases(
    rf"\b{NEG}{_W}{{0,3}}?\s+(?:be\s+)?{_APPROVE_VERB}",
    rf"\b(?:not|doesn't|don't|isn't|wouldn't|won't){_W}{{0,2}}?\s+(?:meet|reach|justify|warrant)"
    r"\w*(?:\s+\w+){0,3}?\s+(?:threshold|criteria|bar|exemption)",
    rf"\b{NEG}{_W}{{0,3}}?\s+(?:sufficiently |really |particularly )?(?:exceptional|justified)\b",
    r"\b(?:declin\w*|refus\w*|reject\w*|disagree\w*|turned down|turn (?:this|it) down)\b",
    # "Approval is not given", "support isn't forthcoming": the refusal after the noun.
    rf"\b(?:approval|support|agreement|consent|authori[sz]ation|sign[- ]off|exemption){_W}{{0,2}}?"
    rf"\s+{NEG}\s+(?:be\s+|been\s+)?(?:given|granted|forthcoming|agreed|approved|supported|"
    r"possible|appropriate|justified)\b",
    r"(?:^|\n)[ \t]*no\b(?=\s*(?:[,.!;:\-–—]|$|\n|i\b))",
)

# A decision under a condition not yet met, or one the writer would have made: never the
# decision itself ("Happy to approve once the fit note arrives", "Approved if she confirms
# the dates", "I would have approved this had it come earlier", "Agreed, but I want to talk
# to Priya first"). Read after DECLINE, so a plain refusal with a condition stays a refusal,
# and within one sentence, so "Approved. If you need anything, ask." is still an approval.
_DECISION_WORD = (
    r"(?:approv(?:e|ed|al|ing)|support(?:ed|ive)?|endorsed?|agree(?:d)?|granted|"
    r"authori[sz]ed|yes)"
)
_CONDITION = (
    r"(?:if|once|provided|providing|subject to|on (?:the )?condition|"
    r"conditional(?:ly)? (?:on|upon)|as long as|so long as|assuming|pending|until|unless|"
    r"depending on|in principle)"
)
_CLAUSE = r"[^.!?;\n]{0,80}?"  # the rest of the same sentence, not far
CONDITIONAL = compile_phrases(
    rf"\b{_DECISION_WORD}\b{_CLAUSE}\b{_CONDITION}\b",
    rf"\b(?:if|once|provided|providing|assuming|as long as|so long as|subject to|pending|unless)"
    rf"\b{_CLAUSE}\b{_DECISION_WORD}\b",
    rf"\b(?:would|could|might|should|i'd)(?:n't| not)? have\s+(?:\w+\s+)?{_APPROVE_VERB}",
    rf"\b{_DECISION_WORD}\b{_CLAUSE}\b(?:but|however|though|although)\b{_CLAUSE}"
    r"\b(?:first|beforehand|before)\b",
)

APPROVE = compile_phrases(
    r"\b(?:approv(?:e|ed|al|ing)|support(?:ed|ive)?|endorsed?|agree(?:d)?|escalat\w*|granted|"
    r"authori[sz]ed)\b",
    r"\bhappy for (?:this|it|the request|her|him|them|the exemption) to (?:go|be)\b",
    r"\bhappy with (?:this|that|the request)\b",
    r"\bok(?:ay)? to exempt\b",
    r"\b(?:fine|ok|okay) (?:by|with) me\b",
    r"(?:^|\n)[ \t]*yes\b(?!\s*\?)",
)

NOT_COMPLETED = compile_phrases(
    rf"\b{NEG}{_W}{{0,2}}?\s+(?:yet\s+)?{_DONE}\b",
    r"\byet to (?:complete|submit|finish|do)\b",
    rf"\b(?:nearly|almost|half|partly|partially|mostly|not quite|not all) {_DONE}\b",
)

# Future or conditional completion is a plan, not a fact: hidden, no signal.
NOT_YET = compile_phrases(
    r"\bwell done\b",
    rf"\b(?:make sure|ensure|check|get|gets|getting)(?:\s+that)?{_W}{{0,4}}?\s+(?:are\s+|is\s+)?"
    rf"{_DONE}\b",
    rf"\b(?:will|shall|'ll|going to|plan to|hope to|aim to|intend to|expect to|try to|need to|"
    rf"needs to|must|should|to){_W}{{0,2}}?\s+(?:be\s+)?(?:done|complete\w*|submit\w*|finish\w*)\b",
    r"\b(?:when|once|after|until|before|if)\s+(?:i've|i have|i'm|i am|it's|they're|they are|"
    rf"these are|i){_W}?\s+(?:done|complete\w*|submit\w*|finish\w*)\b",
)

COMPLETED = compile_phrases(
    r"\b(?:managed|been able) to (?:complete|finish|submit)\b",
    rf"\b{_DONE}\b",
    r"\ball (?:my |of my |the )?audits (?:are|have been) in\b",
)

EXEMPTION = compile_phrases(
    r"\bexempt\w*\b",
    r"\blet (?:me |us )?off\b",
    r"\bexcused?\b(?=\s+(?:me\s+)?from\b)|\bbe(?:ing)? excused\b",
    r"\b(?:taken|take me|come) off (?:the )?(?:audit|this month)",
    r"\bskip (?:this|the) month(?:'s)? (?:audits?|allocation)",
    r"\b(?:release|relieve)d? (?:me )?(?:from|of) (?:the |my |this month's )?"
    r"(?:audits?|allocation)",
    r"\b(?:can't|cant|cannot|can not|won't|will not|unable to|not able to|not be able to)"
    r" (?:do|take on|take|undertake|pick up) (?:any |my |the |these |this month's )?"
    r"(?:audits?|allocation)\b",
    r"\b(?:reduce|reduced|reduction in|lighter|fewer) (?:my )?(?:audits?|allocation)\b",
)

ABSENCE = compile_phrases(
    r"\b(?:sick|sickness|signed off|sick note|fit note|fit-note|illness|unwell|ill health|"
    r"ill-health|poorly)\b",
    rf"\b(?:am|i'm|been|was|is|feeling|fallen|very|quite|seriously|really|be|being|became){_W}?"
    r"\s+ill\b",
    r"\b(?:surgery|operation|hospital|hospitali[sz]ed|medical treatment|chemo\w*|recover\w*|"
    r"convalesc\w*)\b",
    r"\b(?:maternity|paternity|adoption|shared parental|parental|compassionate|bereavement|"
    r"carer's|carers|special|study|annual|unpaid)\s+leave\b",
    r"\bbereave\w*\b|\bfuneral\b|\ba/l\b",
    r"\b(?:on|taking|take|booked|have|having|got)\s+(?:\w+\s+)?(?:leave|holiday|holidays|"
    r"vacation|time off)\b",
    r"\b(?:holiday|holidays)\b",
    r"\b(?:prolonged|long-term|long term|extended|planned) (?:absence|leave)\b",
    r"\babsen(?:t|ce)\b|\boff work\b",
    r"\b(?:my|on|booked) (?:annual )?leave\b",
    r"\b(?:i'm|i am|i'll be|i will be|will be|be) away\b",
    r"\baway (?:for|until|from|most|all|on|during|throughout)\b",
)

OTHER_QA = compile_phrases(
    r"\bmulti[- ]?agency (?:case )?audits?\b",
    r"\bmaca\b",
    r"\bpartnership (?:audits?|review|qa|work)\b",
    r"\bjtai\b|\bjoint targeted (?:area )?inspection\b",
    r"\bthematic review\b|\bpeer (?:review|audit)\b",
    r"\b(?:other|additional) (?:qa|quality assurance) (?:work|activity|activities|audits?)\b",
    r"\b(?:lcspr|cspr|rapid review|serious case review|practice review)\b",
    r"\b(?:ofsted|ilacs|focused visit)\b",
    r"\bqa (?:work|activity)\b",
)

STATUTORY = compile_phrases(
    r"\bhearings?\b(?! from)",
    r"\bcourt\b|\bproceedings\b|\btribunal\b",
    r"\b(?:giv(?:e|ing)|gave|given) evidence\b|\bwitness\w*\b",
    r"\bstatutory (?:work|visits?|duties|caseload)\b",
    r"\bchild protection (?:case )?conferences?\b|\b(?:icpc|rcpc|cp conferences?)\b",
    r"\b(?:heavy|high|huge|large|unmanageable|increased|big) (?:statutory )?"
    r"(?:caseload|case load|workload)\b",
    r"\bcaseload\b|\bs47\b|\bsection 47\b",
)

QUESTION_START = re.compile(
    r"(?:^|\n)[ \t]*(?:(?:which|what|when|where|who|why|how)\b|(?:is|are|can|could|do|does|did|"
    r"will|would|should|may|shall|am|have|has)\s+(?:i|you|we|they|it|this|that|there|the|my|"
    r"he|she)\b)"
)
