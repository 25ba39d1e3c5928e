"""Building inbound messages for the reply reader's tests, and finding the corpus."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

TODAY = date(2021, 5, 10)  # allocations for May 2021 are out

# Named personas, as elsewhere in the tests.
SAM = "sam.patel@council.example"  # an auditor
HANA = "hana.ahmed@council.example"  # Sam's Head of Service
DIRECTOR = "director@council.example"
BOT = "audit-bot@council.example"

ALLOCATION_SUBJECT = "Your audits for May 2021 [AUD-2021-05-K7M3Q9XA]"
EXEMPTION_SUBJECT = "Exemption request [EXM-2021-05-017-K7M3Q9XA]"

LOCAL_CORPUS = Path(__file__).parent / "corpus"
# CI has the shared corpus next to the clone, as ../shared.
SHARED_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def message(
    body: str,
    *,
    subject: str = f"Re: {ALLOCATION_SUBJECT}",
    sender: str | None = f"Sam Patel <{SAM}>",
    headers: tuple[tuple[str, str], ...] = (),
    html: bool = False,
) -> bytes:
    """A single-part message as a mail client would send it."""
    lines = [f"{name}: {value}" for name, value in headers]
    if sender is not None:
        lines.append(f"From: {sender}")
    lines += [
        f"To: {BOT}",
        f"Subject: {subject}",
        "Message-ID: <reply-1@council.example>",
        "MIME-Version: 1.0",
        f"Content-Type: text/{'html' if html else 'plain'}; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def labelled() -> list[tuple[str, str]]:
    """Every (file, kind) in the corpus labels."""
    with (LOCAL_CORPUS / "labels.csv").open(newline="", encoding="utf-8") as labels:
        return [(row["file"], row["kind"]) for row in csv.DictReader(labels)]


def corpus_file(name: str) -> Path:
    """A corpus file: our copy, else the shared corpus (LGPL files live only there)."""
    for root in (LOCAL_CORPUS, SHARED_CORPUS):
        if (root / name).is_file():
            return root / name
    pytest.skip(f"{name} is only in the shared corpus, which is not next to this clone")


def corpus_message(name: str, kind: str = "reply") -> bytes:
    """The raw message. A .txt or .html file labelled reply holds only a body: it is wrapped
    as Sam's reply. Files labelled otherwise are whole messages."""
    path = corpus_file(name)
    raw = path.read_bytes()
    if path.suffix in (".txt", ".html") and kind == "reply":
        return message(raw.decode("utf-8"), html=path.suffix == ".html")
    return raw
