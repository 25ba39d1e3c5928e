"""Text rules shared by everything that takes words from outside into a header or a sheet."""

from __future__ import annotations

import re

# Anything that could end a header line or start another, as some mail software reads them
# (C0 and C1 controls, line and paragraph separators: CVE-2024-6923), and that has no place
# in a name, an address or a case reference either.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
