"""App-only tokens: renewed past the first hour, secrets and certificates, nothing on disk."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from bot.mail.graph import GraphMail, GraphTransport
from bot.mail.graph_auth import REFRESH_MARGIN, CredentialError, TokenError, TokenSource
from bot.mail.graph_http import GraphConnectionError, GraphError
from tests.graph.mails import NOW, inbound, outgoing
from tests.graph.standin import GraphStandIn, SimClock


def _statuses(standin: GraphStandIn) -> list[int | None]:
    return [s.status for s in standin.graph_requests()]


def test_the_token_is_renewed_before_its_first_hour_runs_out(graph, standin, clock):
    graph.send(outgoing("k/1"), NOW)
    clock.advance(3600 - 200)  # inside the renewal margin: renew before Graph would refuse
    graph.send(outgoing("k/2"), NOW)
    assert len(standin.token_requests()) == 2
    assert 401 not in _statuses(standin)


def test_a_day_of_polling_never_stumbles_on_an_expired_token(graph, standin, clock):
    filed = 0
    for hour in range(24):
        standin.deliver(inbound(f"hour {hour}"))
        for _ in range(12):  # a poll every five minutes
            for item in graph.fetch_new():
                graph.move(item.id, "Processed")
                filed += 1
            clock.advance(300)
    assert filed == 24
    assert 401 not in _statuses(standin)
    # One token per 55 minutes: each renewed five minutes before Graph would refuse it.
    assert len(standin.token_requests()) == math.ceil(24 * 3600 / (3600 - REFRESH_MARGIN))


def test_a_token_refused_before_its_time_is_renewed_once_and_the_call_goes_through(
    graph, standin, clock
):
    graph.send(outgoing("k/1"), NOW)
    standin.revoke_tokens()
    graph.send(outgoing("k/2"), NOW)
    assert _statuses(standin) == [202, 401, 202]
    assert len(standin.token_requests()) == 2
    assert len(standin.sent()) == 2


def test_a_401_that_persists_after_renewal_is_raised(graph, standin):
    standin.inject("GET", r"/messages$", status=401, times=2)
    with pytest.raises(GraphError) as caught:
        graph.was_sent("k/1")
    assert caught.value.status == 401
    assert len(standin.token_requests()) == 2


def test_a_wrong_secret_is_reported_with_entras_code(graph_mail, clock, monkeypatch):
    monkeypatch.setenv("AUDITBOT_CLIENT_SECRET", "not-the-secret")
    transport = GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep)
    with pytest.raises(TokenError, match="AADSTS7000215"):
        transport.fetch_new()


def test_the_secret_can_come_from_a_file(graph_mail, clock, monkeypatch, tmp_path, standin):
    secret = tmp_path / "secret"
    secret.write_text(os.environ["AUDITBOT_CLIENT_SECRET"] + "\n")
    monkeypatch.delenv("AUDITBOT_CLIENT_SECRET")
    monkeypatch.setenv("AUDITBOT_CLIENT_SECRET_FILE", str(secret))
    transport = GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep)
    assert transport.fetch_new() == []


def test_no_credential_at_all_says_what_to_set(graph_mail, monkeypatch):
    monkeypatch.delenv("AUDITBOT_CLIENT_SECRET")
    with pytest.raises(CredentialError, match="AUDITBOT_CLIENT_SECRET_FILE"):
        GraphTransport.from_settings(graph_mail)


def _certificate(path: Path) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auditbot")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(key_pem + cert_pem)
    return cert_pem


@pytest.mark.parametrize("with_thumbprint", [False, True])
def test_a_certificate_signs_in_without_any_secret(
    ca, clock, tmp_path, monkeypatch, with_thumbprint
):
    monkeypatch.delenv("AUDITBOT_CLIENT_SECRET")
    cert_pem = _certificate(tmp_path / "auditbot.pem")
    standin = GraphStandIn(ca, clock, certificate_pem=cert_pem).start()
    standin.client_secret = None
    thumbprint = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA1()).hex()
    mail = GraphMail(
        transport="graph",
        tenant_id=standin.tenant_id,
        client_id=standin.client_id,
        mailbox=standin.mailbox.address,
        graph_url=standin.graph_url,
        authority=standin.authority,
        certificate_path=tmp_path / "auditbot.pem",
        certificate_thumbprint=thumbprint.upper() if with_thumbprint else None,
    )
    try:
        transport = GraphTransport.from_settings(mail, clock=clock, sleep=clock.sleep)
        transport.send(outgoing("k/1"), NOW)
        [token_request] = standin.token_requests()
        assert b"client_assertion=" in token_request.body
        assert b"client_secret" not in token_request.body
        assert transport.was_sent("k/1")
    finally:
        standin.stop()


def test_an_unregistered_certificate_is_refused(ca, clock, tmp_path, monkeypatch, standin):
    monkeypatch.delenv("AUDITBOT_CLIENT_SECRET")
    _certificate(tmp_path / "other.pem")
    standin.certificate = x509.load_pem_x509_certificate(_certificate(tmp_path / "mine.pem"))
    tokens = TokenSource(
        tenant_id=standin.tenant_id,
        client_id=standin.client_id,
        credential={
            "private_key": (tmp_path / "other.pem").read_text().split("-----BEGIN C")[0],
            "thumbprint": "00" * 20,
        },
        authority=standin.authority,
        scope=f"{standin.base}/.default",
        timeout=1,
        clock=clock,
    )
    with pytest.raises(TokenError, match="AADSTS700027"):
        tokens.token()


def test_nothing_is_written_to_the_working_directory(graph, standin, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    graph.send(outgoing("k/1"), NOW)
    standin.deliver(inbound("hello"))
    for item in graph.fetch_new():
        graph.move(item.id, "Processed")
    assert list(work.iterdir()) == []
    assert not list(Path.home().glob("o365_token*"))


def test_the_token_is_never_sent_to_another_host(graph, standin):
    graph.state[graph._delta_key] = "https://elsewhere.example/v1.0/users/x/messages/delta"
    with pytest.raises(GraphConnectionError, match="refusing to send the Graph token"):
        graph.fetch_new()
    assert standin.graph_requests() == []


def test_the_authority_must_be_https(standin, clock):
    with pytest.raises(CredentialError, match="https"):
        TokenSource(
            tenant_id="t",
            client_id="c",
            credential="s",
            authority="http://login.example",
            scope="https://graph.microsoft.com/.default",
            timeout=1,
            clock=clock,
        )


def test_building_the_transport_touches_no_network(graph_mail, standin, clock: SimClock):
    GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep).close()
    assert standin.log == []
