"""Each chart's PNG, kept by what it shows for the life of the process that drew it."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import ParamSpec

P = ParamSpec("P")


class ChartCache:
    """Chart PNGs by a hash of the drawing function and its inputs, title included.

    Lifetime: one cache lives on each ``App``, so as long as the process (the daemon's, or a
    single ``auditbot tick``'s); it keeps the ``size`` charts used most recently and forgets
    the rest. A chart is a pure function of its inputs, so a kept PNG is the one a new drawing
    would make. Why keep them: drawing is the slowest part of a digest, and many charts come
    round again unchanged: a grade trend covers the 12 full months before this one, the same
    every week of a month, and a tick that failed before recording its digests draws all of
    them again at the next.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._pngs: OrderedDict[bytes, bytes] = OrderedDict()

    def png(self, draw: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
        # The inputs are frozen dataclasses, numbers and strings: their repr is all they hold.
        shown = repr((draw.__module__, draw.__qualname__, args, sorted(kwargs.items())))
        key = hashlib.sha256(shown.encode()).digest()
        png = self._pngs.get(key)
        if png is None:
            png = draw(*args, **kwargs)
            self._pngs[key] = png
            while len(self._pngs) > self.size:
                self._pngs.popitem(last=False)  # the least recently used
        else:
            self._pngs.move_to_end(key)
        return png

    def __len__(self) -> int:
        return len(self._pngs)
