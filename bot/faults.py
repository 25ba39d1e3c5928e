"""Named points where a fault-injection run may kill the process, to prove crash safety.

Inert unless AUDITBOT_FAULT is set: ``send.after`` kills at the first pass of that point,
``send.after:3`` at the third, ``any:17`` at the 17th checkpoint of any name. The kill is
SIGKILL, so nothing gets to clean up, as in a power cut or an OOM kill.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

_PLAN = os.environ.get("AUDITBOT_FAULT")
_passed: Counter[str] = Counter()


def checkpoint(name: str) -> None:
    if _PLAN is None:
        return
    target, _, nth = _PLAN.partition(":")
    if target not in (name, "any"):
        return
    _passed[target] += 1
    if _passed[target] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
