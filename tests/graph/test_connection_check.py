"""``check-connection`` against the stand-in: what works, and plain words for what does not."""

from __future__ import annotations

from types import SimpleNamespace

from bot.commands.connection_check import check_connection
from bot.config import LocalMail


def _check(graph_mail, clock, send_to: str | None = "sam@council.example"):
    settings = SimpleNamespace(mail=graph_mail)
    return check_connection(settings, send_to, clock=clock, sleep=clock.sleep, sent_items_wait=4)


def _by_name(results):
    return {r.name: r for r in results}


def test_a_healthy_tenant_passes_every_check_and_sends_one_test_message(graph_mail, standin, clock):
    results = _check(graph_mail, clock)
    assert all(r.ok for r in results), "\n".join(map(str, results))
    names = [r.name for r in results]
    assert names == [
        "configuration",
        "credentials",
        "token",
        "permissions",
        "read the inbox",
        "Processed and Quarantine folders",
        "out-of-office look-up (getMailTips)",
        "send a test message",
        "find it in Sent Items",
        "headers on the sent copy",
    ]
    assert (
        "created Processed, Quarantine"
        in _by_name(results)["Processed and Quarantine folders"].detail
    )
    assert "Auto-Submitted" in _by_name(results)["headers on the sent copy"].detail
    assert len(standin.sent()) == 1


def test_without_a_test_address_nothing_is_sent(graph_mail, standin, clock):
    results = _check(graph_mail, clock, send_to=None)
    assert all(r.ok for r in results)
    assert standin.sent() == []


def test_a_missing_send_permission_is_named_with_the_fix(graph_mail, standin, clock):
    standin.roles = {"Mail.ReadWrite"}
    results = _by_name(_check(graph_mail, clock))
    assert not results["permissions"].ok
    assert "Mail.Send" in results["permissions"].detail
    assert "Grant admin consent" in results["permissions"].detail
    assert not results["send a test message"].ok
    assert "Mail.Send" in results["send a test message"].detail
    assert results["read the inbox"].ok


def test_a_mailbox_outside_the_apps_scope_is_explained(graph_mail, standin, clock):
    standin.allowed_mailboxes = {"someone-else@council.example"}
    results = _check(graph_mail, clock)
    failed = results[-1]
    assert failed.name == "read the inbox" and not failed.ok
    assert "RBAC for Applications" in failed.detail
    assert "application access policy" in failed.detail


def test_a_wrong_secret_stops_at_the_token_with_the_fix(graph_mail, standin, clock, monkeypatch):
    monkeypatch.setenv("AUDITBOT_CLIENT_SECRET", "wrong")
    results = _check(graph_mail, clock)
    assert [r.name for r in results] == ["configuration", "credentials", "token"]
    assert "secret's Value" in results[-1].detail


def test_a_wrong_mailbox_is_named(graph_mail, standin, clock):
    results = _check(graph_mail.model_copy(update={"mailbox": "nobody@council.example"}), clock)
    assert "no Exchange Online mailbox nobody@council.example" in results[-1].detail


def test_a_wrong_tenant_is_named(graph_mail, standin, clock):
    results = _check(graph_mail.model_copy(update={"tenant_id": "not-our-tenant"}), clock)
    assert results[-1].name == "token" and not results[-1].ok
    assert "tenant" in results[-1].detail


def test_no_credential_is_reported_before_anything_is_tried(
    graph_mail, standin, clock, monkeypatch
):
    monkeypatch.delenv("AUDITBOT_CLIENT_SECRET")
    results = _check(graph_mail, clock)
    assert [r.ok for r in results] == [True, False]
    assert "AUDITBOT_CLIENT_SECRET" in results[-1].detail
    assert standin.log == []


def test_the_local_transport_is_told_to_configure_graph():
    [result] = check_connection(SimpleNamespace(mail=LocalMail()), None)
    assert not result.ok and "transport: graph" in result.detail


def test_access_granted_only_in_exchange_is_not_mistaken_for_a_missing_permission(
    graph_mail, standin, clock
):
    # RBAC for Applications: no Mail role in the token, Exchange lets the app in all the same.
    standin.roles = {"User.Read.All"}
    standin.exchange_roles = {"Mail.ReadWrite", "Mail.Send"}
    results = _check(graph_mail, clock)
    assert all(r.ok for r in results), "\n".join(map(str, results))
    assert "RBAC for Applications" in _by_name(results)["permissions"].detail
