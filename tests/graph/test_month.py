"""A whole month through Graph, with throttling and lost answers, against the local run.

The same council, roster, sheets and replies are run day by day twice: once through the
local maildir transport and once through the Graph transport and the stand-in, with 429s
and 503s on sending, filing and reading, one sendMail whose answer is lost, Exchange's send
limit enforced, and every token withdrawn mid-month. Both runs must send exactly the same
mail on the same days, and Graph must hold each message once.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.app import App
from bot.mail.graph import GraphTransport
from tests.graph.standin import GraphStandIn, SimClock
from tests.world import ALEX, DIRECTOR, HANA, KIM, SAM, Landed, World, parse_landed

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
INTERNAL = {"X-MS-Exchange-Organization-AuthAs": "Internal"}


@dataclass
class GraphWorld(World):
    """The council with its mailbox in the stand-in; replies arrive as Exchange delivers them."""

    standin: GraphStandIn | None = None
    graph: GraphTransport | None = None
    clock: SimClock | None = None
    revoke_on: date | None = None  # every token withdrawn at once (a secret rolled)

    def open(self) -> App:
        app = super().open()
        if app.transport is not self.graph:
            app.transport = self.graph  # what make_transport does for mail: {transport: graph}
            mail = app.settings.mail.model_copy(update={"require_internal_sender": True})
            app.settings = app.settings.model_copy(update={"mail": mail})
        return app

    def tick(self, when):
        if self.revoke_on and str(when).startswith(self.revoke_on.isoformat()):
            self.standin.revoke_tokens()  # the bot still holds a token it thinks is good
        else:
            self.clock.advance(20 * 60)  # time passes between ticks: tokens expire and renew
        return super().tick(when)

    def deliver(self, raw: bytes) -> None:
        self.standin.deliver(raw)

    def reply(self, original: Landed, sender: str, body: str, **options: object) -> None:
        headers = {**INTERNAL, **(options.pop("headers", None) or {})}  # type: ignore[dict-item]
        super().reply(original, sender, body, headers=headers, **options)

    def filed(self, folder: str) -> int:
        return len(self.standin.mailbox.in_folder(folder))

    def all_mail(self) -> list[Landed]:
        sent = self.standin.mailbox.in_folder("sentitems")
        return sorted((parse_landed(m.raw) for m in sent), key=lambda m: m.key)

    def new_mail(self) -> list[Landed]:
        fresh = [m for m in self.standin.mailbox.in_folder("sentitems") if m.id not in self.seen]
        self.seen.update(m.id for m in fresh)
        return sorted((parse_landed(m.raw) for m in fresh), key=lambda m: m.key)


def _run_may(world: World) -> dict[date, list[tuple]]:
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "thematic"),
        ],
    )
    by_day = world.run_days(date(2021, 5, 1), date(2021, 5, 5))
    allocation = next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{SAM_EMAIL}")
    world.reply(allocation, SAM_EMAIL, "I'm on sick leave for three weeks, can I be exempted?")
    world.tick("2021-05-06T10:00")
    asked = {m.key: m for m in world.new_mail()}
    world.reply(asked["exemption/EXM-2021-05-001/to-head"], HANA, "I support this request.")
    world.tick("2021-05-06T11:00")
    supported = {m.key: m for m in world.new_mail()}
    world.reply(supported["exemption/EXM-2021-05-001/to-director"], DIRECTOR, "Approved.")
    world.tick("2021-05-06T12:00")
    decided = world.new_mail()
    by_day[date(2021, 5, 6)] = [*asked.values(), *supported.values(), *decided]
    by_day |= world.run_days(date(2021, 5, 7), date(2021, 5, 19))
    world.write_completions("2021-05", [("CR-3001", KIM_EMAIL, "2021-05-19", "good")])
    by_day |= world.run_days(date(2021, 5, 20), date(2021, 6, 2))
    return {
        # The reference token in a subject is random per store: compare the rest.
        day: sorted(
            (m.key, m.to, m.cc, re.sub(r"\[[A-Z]{3}-[\w-]+\]", "[…]", m.subject)) for m in mails
        )
        for day, mails in sorted(by_day.items())
    }


def _graph_world(root: Path, standin: GraphStandIn, graph: GraphTransport, clock) -> GraphWorld:
    plain = World.create(root)
    world = GraphWorld(plain.root, plain.store, standin=standin, graph=graph, clock=clock)
    return world


@pytest.mark.slow
def test_a_month_through_graph_sends_what_the_local_run_sends_each_exactly_once(
    tmp_path, standin, graph, clock
):
    local = World.create(tmp_path / "local")
    expected = _run_may(local)
    local.close()

    standin.send_limit_per_minute = 30
    standin.inject("POST", r"/sendMail$", status=429, retry_after=30, times=2)
    standin.inject("POST", r"/sendMail$", status=503, retry_after=5)
    standin.inject("POST", r"/sendMail$", kind="lose_response")
    standin.inject("POST", r"/move$", status=429, retry_after=10)
    standin.inject("GET", r"/messages/delta$", status=503)
    standin.inject("GET", r"/\$value$", status=429, retry_after=1)
    world = _graph_world(tmp_path / "graph", standin, graph, clock)
    world.revoke_on = date(2021, 5, 18)
    try:
        got = _run_may(world)
    finally:
        world.close()

    assert got == expected
    keys = Counter(str(m["X-Audit-Bot-Key"]) for m in standin.sent())
    assert keys and max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    assert sum(len(mails) for mails in expected.values()) == len(keys)
    assert standin.throttled_sends == 0  # paced under Exchange's limit: no 429 of its own
    assert all(f.times == 0 for f in standin.faults)  # every injected fault was met
    assert world.filed("Processed") == 3
    assert world.filed("Quarantine") == 0
    statuses = [s.status for s in standin.graph_requests()]
    assert statuses.count(401) == 1  # the withdrawn token, renewed once
    assert len(standin.token_requests()) > 10  # and renewed on time all month
