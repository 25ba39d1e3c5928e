"""The Graph transport's cost, measured against the local HTTPS stand-in.

    .venv/bin/python -m benchmarks.graph [--messages 100] [--polls 50]

Figures (targets from issue 4):

- HTTP requests per idle poll (target 1);
- HTTP requests per sent message (target at most 2);
- time to send 100 messages while the stand-in enforces Exchange Online's 30 messages a
  minute on a simulated clock (target within 5% of the 200 s floor, no 429 provoked);
- the transport's own overhead per message: building the sendMail payload, and the whole
  round trip over loopback TLS (msal, requests, the stand-in's work included, so an upper
  bound).

Time for pacing and Retry-After is simulated, so the run takes seconds. Token requests are
counted apart from Graph requests: one per 55 minutes of simulated time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import trustme

from bot.mail.graph import GraphMail, GraphTransport
from bot.mail.graph_payload import graph_message
from tests.graph.mails import NOW, inbound, outgoing
from tests.graph.standin import CLIENT_SECRET, GraphStandIn, SimClock


def _transport(standin: GraphStandIn, clock: SimClock) -> GraphTransport:
    mail = GraphMail(
        transport="graph",
        tenant_id=standin.tenant_id,
        client_id=standin.client_id,
        mailbox=standin.mailbox.address,
        graph_url=standin.graph_url,
        authority=standin.authority,
        timeout_seconds=10,
    )
    return GraphTransport.from_settings(mail, clock=clock, sleep=clock.sleep)


def _row(name: str, value: str, target: str, met: bool | None) -> tuple[str, str, str, str]:
    return (name, value, target, "" if met is None else ("yes" if met else "NO"))


def run(messages: int, polls: int) -> list[tuple[str, str, str, str]]:
    ca = trustme.CA()
    folder = Path(tempfile.mkdtemp(prefix="graph-bench-"))
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
    os.environ["AUDITBOT_CLIENT_SECRET"] = CLIENT_SECRET
    rows = []

    # Idle polls: the first sync reads the (empty) inbox; each later poll asks for changes.
    clock = SimClock()
    standin = GraphStandIn(ca, clock).start()
    transport = _transport(standin, clock)
    transport.fetch_new()
    standin.log.clear()
    for _ in range(polls):
        transport.fetch_new()
        clock.advance(300)
    idle = len(standin.graph_requests()) / polls
    rows.append(_row("HTTP requests per idle poll", f"{idle:.2f}", "1", idle <= 1))

    # Inbound: each reply costs its share of the delta page, its MIME, and the move.
    standin.log.clear()
    for n in range(20):
        standin.deliver(inbound(f"reply {n}"))
    for item in transport.fetch_new():
        transport.move(item.id, "Processed")
    per_reply = len(standin.graph_requests()) / 20
    rows.append(_row("HTTP requests per reply read and filed", f"{per_reply:.2f}", "", None))
    transport.close()
    standin.stop()

    # Sending under Exchange Online's limit, enforced by the stand-in on the simulated clock.
    clock = SimClock()
    standin = GraphStandIn(ca, clock).start()
    standin.send_limit_per_minute = 30
    transport = _transport(standin, clock)
    batch = [outgoing(f"allocation/2021-05/auditor{n}@council.example") for n in range(messages)]
    started, wall = clock(), time.perf_counter()
    for message in batch:
        transport.send(message, NOW)
    simulated = clock() - started
    wall = time.perf_counter() - wall
    floor = messages * 60 / 30
    per_send = len(standin.graph_requests()) / messages
    rows.append(_row("HTTP requests per sent message", f"{per_send:.2f}", "<= 2", per_send <= 2))
    rows.append(_row("token requests in the run", str(len(standin.token_requests())), "", None))
    rows.append(
        _row(
            f"simulated time to send {messages} at 30/min",
            f"{simulated:.1f} s",
            f"<= {floor * 1.05:.0f} s (floor {floor:.0f} s)",
            simulated <= floor * 1.05,
        )
    )
    rows.append(
        _row("429s provoked", str(standin.throttled_sends), "0", standin.throttled_sends == 0)
    )
    rows.append(
        _row("round trip per message, loopback TLS", f"{wall / messages * 1000:.2f} ms", "", None)
    )
    transport.close()
    standin.stop()

    # The bot's own work per message: the mail to Graph's JSON.
    repeats = 2000
    started = time.perf_counter()
    for n in range(repeats):
        graph_message(batch[n % len(batch)])
    build = (time.perf_counter() - started) / repeats
    rows.append(_row("building one sendMail payload", f"{build * 1e6:.0f} µs", "", None))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--polls", type=int, default=50)
    args = parser.parse_args(argv)
    rows = run(args.messages, args.polls)
    header = ("measure", "value", "target", "met")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0 if all(r[3] != "NO" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
