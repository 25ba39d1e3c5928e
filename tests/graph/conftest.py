"""Fixtures: one trusted test CA per run, a fresh stand-in and simulated clock per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from bot.mail.graph import GraphMail, GraphTransport
from tests.graph.standin import GraphStandIn, SimClock

# Real seconds: how long the client waits for an answer in these tests. A "hang" fault holds
# a request longer than this.
CLIENT_TIMEOUT = 0.5


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "stand-in-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(autouse=True)
def _trust_and_secret(ca_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # msal and requests both read REQUESTS_CA_BUNDLE: no verify=False anywhere.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_bundle))
    monkeypatch.delenv("AUDITBOT_CLIENT_SECRET_FILE", raising=False)
    from tests.graph.standin import CLIENT_SECRET

    monkeypatch.setenv("AUDITBOT_CLIENT_SECRET", CLIENT_SECRET)


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def standin(ca: trustme.CA, clock: SimClock) -> Iterator[GraphStandIn]:
    server = GraphStandIn(ca, clock).start()
    yield server
    server.stop()


@pytest.fixture
def graph_mail(standin: GraphStandIn) -> GraphMail:
    return GraphMail(
        transport="graph",
        tenant_id=standin.tenant_id,
        client_id=standin.client_id,
        mailbox=standin.mailbox.address,
        graph_url=standin.graph_url,
        authority=standin.authority,
        timeout_seconds=CLIENT_TIMEOUT,
    )


@pytest.fixture
def graph(graph_mail: GraphMail, clock: SimClock) -> Iterator[GraphTransport]:
    transport = GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep)
    yield transport
    transport.close()
