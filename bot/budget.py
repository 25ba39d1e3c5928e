"""How long one tick may work before it ends cleanly and leaves the rest to the next."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """A deadline on the monotonic clock: a duration, not a time of day, so it is no
    business clock read (``now`` stays a parameter)."""

    ends_at: float

    @classmethod
    def of(cls, seconds: float) -> Budget:
        return cls(time.monotonic() + seconds)

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(math.inf)

    def spent(self) -> bool:
        return time.monotonic() >= self.ends_at
