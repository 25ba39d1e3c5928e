"""The phrases the role-aware reader (meaning.py) looks for, on lower-cased, tidied text.

Kept apart from the rules, as phrases.py is for the older decision rules it builds on. Each
list names one kind of thing a person says; the rules blank a phrase once it is used so a
weaker list cannot read its words again ("not asking for an exemption" is never a request).
"""

from __future__ import annotations

import re

from bot.core.replies.phrases import NEG, compile_phrases

_W = r"(?:\s+[\w'-]+)"
EXEMPT_WORD = r"(?:ex(?:e?mp?t|emp?i)\w*)"  # with the typos staff make: exmption, exempion
_PERSON = r"(?:him|her|them|[a-z][a-z'-]+)"

# A quotation of someone else's words ("'only to be approved in exceptional cases'").
QUOTED = re.compile(r"(?<![\w])['\"][^'\"\n]{12,200}['\"](?![\w])")

# -- auditors ---------------------------------------------------------------------------------

# Saying in terms that this is not a request: read first, blanked, and remembered.
NOT_ASKING = compile_phrases(
    rf"\bnot (?:asking|requesting|looking|after)\b[^.!?\n]{{0,30}}?(?:{EXEMPT_WORD}|let off|"
    r"excused|this month|now)\w*",
    rf"\b(?:don't|do not|dont|i'm not|not|won't|will not) (?:want|need|wanting|needing)\b"
    rf"[^.!?\n]{{0,15}}?"
    rf"{EXEMPT_WORD}",
    rf"\bno {EXEMPT_WORD} (?:needed|required|necessary)\b",
    rf"\bnot (?:an?|the) {EXEMPT_WORD}",
    rf"\bso no {EXEMPT_WORD}",
    rf"\b(?:not going to|won't|will not|wont|not) {EXEMPT_WORD} (?:him|her|them|you)\b",
)

# Asking about policy or a later month, not for this month's allocation.
POLICY = compile_phrases(
    r"\bfor the future\b|\bin future\b|\bin the new year\b",
    r"\bhow does (?:it|this|that) work\b",
    r"\beach month\b|\bevery month\b",
    r"\bwould (?:a|an|the|my|doing)\b[^?\n]{0,60}\bcount\b",
    rf"\bfor {EXEMPT_WORD} purposes\b",
    rf"\bdo (?:i|we) (?:need|have) to ask for (?:an? )?{EXEMPT_WORD}",
)

# A question about an exemption that exists ("is that one exempted as well?").
STATUS = compile_phrases(
    rf"\b(?:i'd|i had|i|i've) (?:asked|applied|requested) (?:for|to be)\b"
    rf"[^.!?\n]{{0,20}}?{EXEMPT_WORD}",
    rf"\b(?:is|was|has|have|are) (?:that|it|this|cr-\d+|that one|this one|they|these)"
    rf"(?:\s+one)?(?:\s+been)?\s+{EXEMPT_WORD}",
    rf"\b(?:my|the|your) {EXEMPT_WORD}\w*\s+(?:request\s+)?(?:was|is|has been)\b",
)

WITHDRAW_MORE = compile_phrases(
    r"\b(?:scrap|scratch|disregard) (?:my|the|that) (?:last |earlier |previous )?(?:email|e-mail|"
    r"request|message)\b|\b(?:scrap|scratch) that\b",
    r"\bignore (?:me|my (?:last )?(?:email|e-mail|request|message))\b",
    r"\bchanged my mind\b",
    rf"\b(?:don't|do not|dont) (?:progress|send|process|forward|pursue)\b[^.!?\n]{{0,30}}?"
    rf"(?:{EXEMPT_WORD}|request)",
    rf"\bno need to send (?:it|this|my {EXEMPT_WORD}|my request)\b",
    r"\b(?:don't|do not|dont) need it (?:now|any ?more|after all)\b",
    r"\bplease withdraw\b|\bplease disregard\b|\bdisregard (?:this|that|it|my|me)\b",
    rf"\b(?:don't|do not|dont) worry about (?:my|the|that) (?:{EXEMPT_WORD}|request)",
    rf"\b(?:{EXEMPT_WORD}|request) any ?more\b",
    r"\bforget (?:my|that|the|about my) (?:earlier |last |previous )?(?:email|e-mail|message|"
    r"request)\b",
    rf"\b(?:won't|will not|wont|don't|do not|dont) need (?:the|my|an|that) {EXEMPT_WORD}",
    r"\b(?:do|manage|fit|get to)\w* (?:the |my |it|this)(?:\w+ )?(?:audit )?after all\b",
)
# "withdraw the exemption request I sent": the request named, not asked for again.
REQUEST_NAMED = compile_phrases(
    rf"\b(?:my|the|that|this|an?)\s+(?:\w+\s+)?{EXEMPT_WORD}(?:\s+request\w*)?\b",
)
NOT_WITHDRAWING = compile_phrases(r"\bnot (?:withdraw\w*|cancel\w*)\b")

EXEMPT = compile_phrases(
    rf"\b{EXEMPT_WORD}",
    r"\blet (?:me |us |him |her |them )?off\b",
    r"\bexcused\b",
    r"\b(?:taken|take (?:me|him|her|them)|come) off (?:the |this month's |my )?"
    r"(?:list|audits?|rota|allocation)\b",
    r"\btake (?:my|the|this) (?:audits?|allocation|case) off me\b",
    r"\bskip (?:this|the|my) (?:month|round|audit|allocation)",
    r"\b(?:taken|take me|come|be removed|remove me|drop me|left)\s+(?:off|from|out of)\s+"
    r"(?:the |this |my |this month's )?(?:list|audits?|rota|allocation|month|round)\b",
    r"\b(?:a |the )?(?:month|time|break) (?:off|from) (?:the |my )?audits?\b|\boff audits\b",
    r"\b(?:sit|sitting) (?:this|the|it|this one|this month's)(?: month| round| audit| one)? out\b",
    r"\bmiss (?:this|the) round\b",
)

ASK = compile_phrases(
    r"\b(?:can|could|may|might) (?:i|we)\b",
    r"\b(?:can|could) (?:cr-\d+|it|that one|that|this|they|these|this one) be\b",
    r"\bplease\b|\bpls\b|\bplz\b|\bplease?\b",
    r"\brequest\w*\b",
    r"\b(?:i'd|i would) (?:like|be grateful|appreciate|ask)\b",
    r"\bwouldn't say no\b|\bany chance\b|\bare you able to\b|\bwould it be possible\b",
    r"\b(?:is|be) (?:an? |that |it |this )?(?:\w+ )?(?:possible|an option)\b",
    r"\bask(?:ing)? (?:for|if|whether)\b|\bwonder(?:ed|ing)? if\b",
    r"\bcan (?:someone|you)\b|\b(?:would|could|will) you\b",
    r"\b(?:can|could|may)\b[^.?!\n]{0,40}\b(?:come|be taken|be removed|be dropped) off\b",
    r"\b(?:would|could|can|may) i (?:be able to )?(?:be|get|skip|have)\b",
    r"\b(?:i|we) (?:can|could) be\b",
    r"\bany (?:possibility|way|hope|likelihood)\b|\bis there (?:any|a) way\b",
    r"\b(?:would|will|is) it be (?:ok|okay|alright|possible)\b|\bis it (?:ok|okay|possible)\b",
)

# Done, said so firmly that nothing later can make it a plan.
DONE_FIRM = compile_phrases(
    r"\bnot not (?:done|completed|submitted|finished)\b",
    r"\bmanaged to (?:get (?:it|them|both|this|these) )?(?:done|complete\w*|finish\w*|submit\w*|"
    r"in)\b",
    r"\b(?:it|they|both|mine) went in\b",
    r"\b(?:it's|it is|they're|they are|both|now|is|are) on (?:the system|lcs|the audit tool)\b",
    r"\bshowing as (?:submitted|complete\w*|done)\b",
    r"\bup to date\b",
    r"\bi did (?:this|it|mine|them)\b|\bdone mine\b|\bdone and dusted\b",
    r"\bsent (?:it|them|both|mine|the audit) (?:over|in|across|off|through)\b",
    r"\bcr-\d+ (?:is |now )?complete\b",
    r"\b(?:audited|graded|moderated)\b(?! by)",
    r"\b(?:it's|it is|they're|they are|both are|all|mine's|mine is|audit's|audit is|audits are)"
    r" in\b(?! (?:the|my|a|an|court|"
    r"hospital|progress|hand|train|draft))",
    r"\b(?:cr-\d+|audits?|it|all|both|everything|they|mine)(?:'s| is| are)?(?: now| all| both)?"
    r" complete\b",
    r"(?:^|\n)\s*complete\s*[.!]?\s*(?:\n|$)",
)

# Part done: enough on its own.
PARTLY = compile_phrases(
    r"\b(?:one|1|first one|the first)(?:'s)? (?:of (?:the |my )?(?:two|2|three|3|them) )?"
    r"(?:is |are )?(?:done|completed|finished|submitted|in)\b",
    r"\b(?:one|1) of (?:the |my )?(?:two|2|three|3)\b",
    r"\b(?:nearly|almost|half|partly|partially|mostly) (?:there|done|finished|complete\w*|"
    r"written|through)\b",
    r"\b(?:done|finished|completed) (?:\d|one|two) (?:of|out of) (?:\d|two|three)\b",
    r"\b(?:written|written up|drafted)\b[^.!?\n]{0,40}?\b(?:but|just|haven't|not)\b",
    r"\bhaven't (?:yet )?(?:pressed|hit|clicked) submit\b",
    r"\bjust need to (?:write|finish|submit|upload|do the|type)\b",
    r"\bjust (?:the )?[\w ]{0,30}? to go\b",
    r"\b(?:one|\d|half) down\b|\b(?:one|\d|two|three) (?:more )?to go\b|\bhalf ?way\b",
)
PART_COUNT = re.compile(r"\b(\d)\s*(?:/|of|out of)\s*(\d)\b")

# Something still to do, which makes "done" only part of it.
REMAINING = compile_phrases(
    r"\b(?:haven't|have not|hasn't|has not|not yet|yet to)\s+(?:yet\s+)?(?:\w+\s+)?"
    r"(?:start|started|begin|begun|touch|touched|look(?:ed)? at|do|done|finish|finished|"
    r"complete|completed|submit|submitted)\b",
    r"\bstill (?:need|needs|got|have|has|to|\w+ing)\b",
    r"\bthe (?:second|other|remaining)(?: one| audit| case)?(?:'s)? (?:is|will|i'll|still|isn't|"
    r"won't|needs?|booked|not|to|on|nearly|half)\b",
    r"\b(?:but|though) not (?:the|yet)\b",
    r"\b(?:haven't|have not|not) (?:yet )?(?:done|had|completed|submitted|sent) (?:the )?"
    r"(?:moderation|feedback|form|practice|observation|conversation|write)",
    r"\boutstanding\b|\bnot (?:yet )?started\b|\bbooked (?:in )?for\b|\bto go\b|\bto do\b",
    r"\bthe other (?:one )?(?:is|'s|isn't|won't|will|still|next|booked|not)\b",
    r"\bneed to have the\b",
)

AT_RISK_MORE = compile_phrases(
    r"\blate\b|\bslip\w*\b|\bbehind\b|\bspill\w*\b|\bdelay(?:ed)? (?:it|the audit|submitting)",
    r"\b(?:after|past|miss\w*|beyond) the (?:deadline|31st|30th|29th|28th|end of the month|"
    r"month end)\b",
    r"\b(?:next|the following) (?:week|month|monday|tuesday|wednesday|thursday|friday|"
    r"weekend)\b|\bweek after\b|\bearly next\b|\bfirst week of\b",
    r"\bcan't promise\b|\bcannot promise\b|\bdoubt (?:i|it|we)\b",
    r"\bnot sure (?:i'll|i will|i can|it'll|if i'll|i'm going to|i'll be)\b",
    r"\b(?:don't|do not) think (?:i'll|it'll|i will|it will|i'm going to|i can|i'll be|"
    r"i'm|it's going to)\b",
    r"\bmight not (?:happen|be|get)\b|\bmay not (?:happen|be|get)\b",
    r"\b(?:be|it'll be|will be|it's going to be) (?:close|tight)\b",
    r"\b(?:extra|few more|more) (?:days?|time|week)\b",
    r"\b(?:can|could|may) (?:i|we) (?:have|get) (?:until|till|a few|an? extra|more|another)\b",
    r"\b(?:until|till) the \d{1,2}(?:st|nd|rd|th)\b",
    r"\bexpect it\b|\brealistically\b|\bas soon as i can\b|\basap\b",
    r"\b(?:won't|will not|wont|isn't going to|not going to) be (?:done|finished|in|completed|"
    r"submitted|ready)\b",
    r"\bwon't make\b|\bwont make\b|\bnot (?:going to )?make (?:it|the)\b",
    r"\b(?:aiming|aim) (?:for|to)\b|\bby the \d{1,2}(?:st|nd|rd|th)\b",
    r"\b(?:can't|cannot|can not|won't be able to) (?:finish|complete|submit|get to)\b",
    r"\bin time\b",
    r"\bworried\b|\bstruggl\w*\b|\bno idea how\b|\bhow (?:i'm|i am) going to\b",
    r"\b(?:bit|little|few days|day or two|week|while) longer\b|\btake longer\b",
    r"\b(?:not been able to|haven't been able to|couldn't|unable to|not managed to) (?:start|do|"
    r"finish|get to|look at)\b",
    r"\b(?:not|won't|can't|cannot|unlikely to|never|don't think i'll)\b[^.!?\n]{0,30}\b(?:hit|meet|"
    r"make|reach)\w*\b[^.!?\n]{0,15}\b(?:deadline|end of the month|month end)\b",
    r"\bdo (?:my|what i) (?:best|can)\b",
)

# Asks a person to ring: no intent the bot can act on.
CALL_ME = compile_phrases(
    r"\b(?:give me a (?:ring|call|bell)|ring me|call me|phone me|can we talk|can you call)\b"
)
UNSURE = compile_phrases(
    r"(?:^|\n)\s*(?:sorted|see attached|attached|as attached|yes and no|maybe|possibly)\b",
    r"\byes and no\b",
)
ACK = re.compile(
    r"^\s*(?:ok(?:ay)?|thanks?|thank you|many thanks|cheers|ta|great|brilliant|lovely|noted|"
    r"will do|got it|received|perfect|fab|super|amazing)\b"
)
OUT_OF_OFFICE = re.compile(
    r"\b(?:thank you for your (?:e-?mail|message)|i am (?:currently )?(?:away|out of (?:the )?"
    r"office|on (?:annual |sick |extended |maternity |long[- ]term )?leave|not in the office))\b"
)
LONG_ABSENCE = re.compile(
    r"\b(?:extended|long[- ]term|maternity|paternity|adoption|sick|sickness|compassionate)"
    r" (?:leave|absence)\b|\bnot accessing\b|\buntil further notice\b|\bfor a while\b|"
    r"\bin hospital\b|\bsigned off\b"
)

# -- deciders ---------------------------------------------------------------------------------

# A yes said with a negative: read as yes, then hidden from the refusals.
YES_IDIOMS = compile_phrases(
    r"\b(?:couldn't|could not|can't|cannot) agree more\b|\bcan't argue with (?:that|this)\b",
    r"(?:^|\n|[.!]\s)\s*supporting\b",
)
# Words that limit a yes ("only", "instead", "until"): a yes with them is not a plain yes.
LIMITS = compile_phrases(
    r"\bonly\b(?! just)|\binstead\b|\bexcept\b|\bapart from\b|\bpartial\w*\b|\bnot both\b|"
    r"\bnot (?:the )?next\b|\bbut not\b|\bextension\b",
)
# Work still to come, next to "done": part done at most.
STILL_TO_COME = compile_phrases(
    r"\bto follow\b|\bwill follow\b|\bthe rest\b|\bremaining\b",
)
MORE_TO_COME = compile_phrases(
    r"\bwill\b|'ll\b|\btomorrow\b|\bnext (?:week|month)\b|\blater\b|\bon (?:monday|tuesday|"
    r"wednesday|thursday|friday)\b",
)
# Words that take back a request, next to an ask: which was meant?
TAKE_BACK = compile_phrases(
    r"\bany ?more\b|\bno longer\b|\bafter all\b|\bcancel\w*\b|\bwithdr[ae]w\w*\b|\bignore\b|"
    r"\bdisregard\b|\bscrap\b|\bnot needed\b|\bdon't need\b",
)
# Remarks about habits or the future, not this decision: blanked before anything else.
NOT_THIS_DECISION = compile_phrases(
    r"\bagree with (?!this\b|the request\b|it\b|you\b)[^.!?\n]{0,40}",
    r"\b(?:wouldn't|would not|don't|do not) (?:usually|normally|generally|often)(?: \w+)?"
    r"(?: (?:agree|support|approve)\w*)?\b",
    r"\b(?:won't|will not|wont) be (?:approving|agreeing|supporting)\b[^.!?\n]{0,50}?"
    r"\b(?:any ?more|again|in future|in the future|next time|from now|going forward|more)\b",
    r"\bnot unsupportive\b",
    r"\b(?:didn't|did|have|haven't|had) (?:i|we|you) (?:already )?(?:approv|support|agree)\w*",
    r"\b(?:i'd|i had|i have|i've) already (?:approv|support|agree)\w*",
    r"\balready (?:been )?(?:approv|support|agree)\w*",
    r"\bno (?:problem|worries|bother)\b",
)
# "Fine if Mark's happy": the director's condition on the Head of Service is already met.
MET_CONDITION = compile_phrases(
    r"\bif (?:[a-z'-]+'s|[a-z-]+ is|he's|she's|they're|the hos is|hos is|[a-z-]+ has)"
    r" (?:happy|ok|okay|supportive|on board|content|agreed|supported it|supporting it)\b",
)
DECLINE_MORE = compile_phrases(
    rf"\b{NEG}\s+(?:\w+\s+)?justify\b",
    rf"\b{NEG}{_W}{{0,2}}? (?:put|send|pass|take)\w* (?:this|it) (?:forward|on|up)\b",
    r"\bnot this time\b|\bit's a no\b|\ba no from me\b|\bno from me\b|\bi don't think so\b",
    r"(?:^|[.!?,;]\s*)no\b(?=\s*(?:[.!,;:\-\u2013\u2014]|$))",
    r"\bnice try\b",
)
APPROVE_MORE = compile_phrases(
    r"\b(?:put|send|pass|forward)\w* (?:this|it) (?:forward|on|up)\b",
    r"\b(?:send|forward|pass) (?:it |this )?(?:on )?to (?:helen|the director|director)\b",
    r"(?:^|\n|[.!]\s)\s*(?:fine|ok|okay|sure|of course|go ahead|definitely|absolutely|certainly|"
    r"by all means|yep|yeah|please go ahead)\b",
    r"\bhappy to (?:agree|approve|support|endorse|sign)\b",
    rf"\bhappy for (?:him|her|them|this|it) to (?:be {EXEMPT_WORD}|go|have the {EXEMPT_WORD})",
)
# A decision only once a condition nobody has met is met: "I'll approve if...".
OPEN_CONDITION = compile_phrases(
    r"\bdepends? (?:on|whether|if|how)\b|\bdepending on\b",
    r"\b(?:fine|ok|okay|happy|yes|i'll|i will|i would|i'd)\b[^.!?\n]{0,40}?\bif\b",
)
# A decision with something to do before it stands: "Agreed, but I want to talk to X first".
WANTS_FIRST = compile_phrases(
    r"\b(?:approv\w*|agree\w*|support\w*|yes|fine|ok)\b[^.!?;\n]{0,80}?\b(?:but|however|though)"
    r"\b[^.!?;\n]{0,80}?\b(?:first|beforehand|before (?:i|we|it|this))\b",
    r"\b(?:approv\w*|agree\w*|support\w*|yes|fine|ok)\b[^.!?;\n]{0,60}?\bbut (?:i |i'd |we )?"
    r"(?:need|want|would like|'d like|have) to (?:see|check|speak|talk|confirm|look|read|know)\b",
)
# A refusal with something granted after it: "No, but she can have an extra week".
BUT_GRANT = compile_phrases(
    r"\bbut\b[^.!?\n]{0,40}\b(?:happy|can have|will give|give|allow|fine|agree\w*|yes)\b",
)
# Leaning one way is not deciding.
LEANING = compile_phrases(
    r"\b(?:minded|inclined|leaning|tempted) (?:to|towards)\b|\bprobably (?:approve|support|agree)",
)
HOLD = compile_phrases(
    r"\b(?:will|i'll|we'll|shall|i will) (?:discuss|talk|chat|speak|pick|look|review|consider|"
    r"raise|mention)\b",
    r"\bleave (?:this|it) with me\b",
    r"\b(?:i'll|i will|let's|let me|we'll|we can) (?:discuss|pick (?:this|it) up|talk|speak|"
    r"chat|think|look|have a think|come back|get back)\b",
    r"\b(?:come|get) back to you\b|\bin supervision\b|\bat smt\b|\bat the next\b",
)
ASK_FIRST = compile_phrases(
    r"\bbefore (?:deciding|i decide|making a decision|agreeing|approving|supporting)\b",
    r"\b(?:like|want|need) to see\b",
    r"\bbefore i decide\b|\bspeak to me first\b|\bcan you check\b|\bcould you check\b",
)

# -- partial decisions ------------------------------------------------------------------------

PARTIAL = compile_phrases(
    r"\bextension\b|\bextra (?:weeks?|days?|time|fortnight|month)\b",
    r"\b(?:another|one more|a further) (?:week|fortnight|few days)\b",
    r"\bfrom one\b|\bone of (?:them|the two|the three)\b",
    r"\b(?:this month|cr-\d+|one|the first|the second|the current month) only\b",
    r"\bnot (?:the )?next(?: month| one)?\b",
    r"\bbut (?:she|he|they) (?:must|should|needs? to|has to|still)\b",
    r"\b(?:give|have|allow)\w* (?:\w+ )?(?:a|one) (?:more |extra )?week\b",
    r"\b(?:have|give|gets?|allow|grant)\w*\s+(?:\w+\s+)?(?:until|till|to) the \d",
    r"\bcr-\d+ only\b|\bonly (?:for )?(?:cr-\d+|one|the first|the second|this month|for this)\b",
    r"\bone,? (?:but )?not both\b|\bnot both\b|\bone of the (?:two|three)\b",
    r"\bbut not (?:next month|the (?:other|second|first))\b|\bnot next month\b",
    r"\b(?:approv\w*|agree\w*|yes|fine|ok|support\w*|grant\w*)\b[^.!?\n]{0,60}\bbut not\b",
)
PARTIAL_GRANT = compile_phrases(
    r"\bcan have\b|\bgive\b|\bagree\w*\b|\bapprov\w*\b|\bhappy\b|\bgranted\b|\byes\b|"
    r"\bone,? (?:but )?not both\b|\bcr-\d+ only\b|\bfine\b|\bok\b|\bsupport\w*\b"
)

# -- a Head of Service asking for one of theirs -----------------------------------------------

ON_BEHALF = compile_phrases(
    r"\bon behalf of\b",
    r"\b(?:ask|asking|request|requesting) for (?!me\b|myself\b)[a-z][a-z'-]+ to be "
    r"(?:exempt\w*|let off|excused|taken off)",
    rf"\b(?:request|ask for|asking for|like|want)\w*\s+(?:an?\s+)?{EXEMPT_WORD}\s+for\s+"
    r"(?!me\b|myself\b|this\b|the\b|my\b)",
    r"\bexempt (?!me\b|this\b|the\b|it\b|from\b|for\b|as\b)[a-z][a-z'-]+"
    r" (?:this month|from|for|until|till|as|please)\b",
    rf"\b(?:can|could|may) (?!i\b|we\b|you\b|it\b|this\b|that\b|cr-)(?:[a-z][a-z'-]+\s+){{0,2}}?"
    rf"[a-z][a-z'-]+ be "
    rf"(?:{EXEMPT_WORD}|taken off|let off|excused)",
    rf"\b(?:like|want) (?:him|her|them) (?:to be )?{EXEMPT_WORD}",
)

# -- QA team and people outside the process ---------------------------------------------------

NOTHING_TO_DO = compile_phrases(
    r"\bno action (?:needed|required)\b|\bplease ignore\b|\btest\b|\bfyi\b|\bfor info\b",
    r"\brecruit\w*\b|\blocum\b|\bunsubscribe\b|\bquick call\b|\bnewsletter\b",
    r"\boffer\b|\bdiscount\b|\d+% off\b|\bbook (?:now|your|a place)\b|\breply to book\b|"
    r"\bwebinar\b|\bsale\b|\bpromo\w*\b",
)
