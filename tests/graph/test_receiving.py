"""Reading the inbox through Graph: delta paging, its cost, folders, and out-of-office tips."""

from __future__ import annotations

from bot.mail.graph import GraphTransport
from tests.graph.mails import inbound, parse


def _graph_calls(standin) -> list[tuple[str, str]]:
    return [(s.method, s.path.rsplit("/", 1)[-1]) for s in standin.graph_requests()]


def test_an_idle_poll_costs_exactly_one_request(graph, standin):
    assert graph.fetch_new() == []  # the first sync
    standin.log.clear()
    for _ in range(5):
        assert graph.fetch_new() == []
    assert _graph_calls(standin) == [("GET", "delta")] * 5
    assert standin.token_requests() == []


def test_a_new_message_costs_the_delta_page_and_its_mime(graph, standin):
    graph.fetch_new()
    standin.log.clear()
    standin.deliver(inbound("RE: audits"))
    [item] = graph.fetch_new()
    graph.move(item.id, "Processed")
    assert [c[0] for c in _graph_calls(standin)] == ["GET", "GET", "GET", "POST", "POST"]
    standin.log.clear()
    standin.deliver(inbound("RE: audits again"))
    [item] = graph.fetch_new()
    graph.move(item.id, "Processed")
    assert _graph_calls(standin) == [("GET", "delta"), ("GET", "$value"), ("POST", "move")]


def test_a_full_inbox_is_read_across_next_links_without_duplicates(graph, standin):
    delivered = [standin.deliver(inbound(f"message {n}")) for n in range(120)]
    items = graph.fetch_new()
    assert [i.id for i in items] == delivered
    pages = [s for s in standin.graph_requests() if s.path.endswith("/delta")]
    assert len(pages) == 3  # 50 + 50 + 20, following @odata.nextLink
    for item in items:
        graph.move(item.id, "Processed")
    assert graph.fetch_new() == []


def test_the_delta_link_survives_a_restart_through_the_given_state(graph_mail, standin, clock):
    state: dict[str, str] = {}
    first = GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep, state=state)
    standin.deliver(inbound("before the restart"))
    for item in first.fetch_new():
        first.move(item.id, "Processed")
    first.close()
    assert list(state) == ["graph.inbox_delta:audit-bot@council.example"]
    standin.log.clear()
    second = GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep, state=state)
    assert second.fetch_new() == []
    assert _graph_calls(standin) == [("GET", "delta")]
    second.close()


def test_the_delta_link_only_advances_once_every_message_is_filed(graph, standin):
    standin.deliver(inbound("one"))
    standin.deliver(inbound("two"))
    one, two = graph.fetch_new()
    graph.move(one.id, "Processed")
    assert graph.state == {}  # a crash now re-reads "two"
    graph.move(two.id, "Quarantine")
    assert len(graph.state) == 1


def test_an_expired_delta_link_falls_back_to_reading_the_whole_inbox(graph, standin):
    standin.deliver(inbound("still here"))
    graph.state[graph._delta_key] = (
        f"{standin.graph_url}/users/{standin.mailbox.address}"
        "/mailFolders('inbox')/messages/delta?$deltatoken=999999"
    )
    [item] = graph.fetch_new()
    assert parse(item.raw)["Subject"] == "still here"
    assert [s.status for s in standin.graph_requests() if s.path.endswith("/delta")] == [410, 200]


def test_processed_and_quarantine_are_created_once_with_the_ids_graph_returns(graph, standin):
    for n in range(3):
        standin.deliver(inbound(f"m{n}"))
    items = graph.fetch_new()
    graph.move(items[0].id, "Processed")
    graph.move(items[1].id, "Quarantine")
    graph.move(items[2].id, "Processed")
    creates = [s.status for s in standin.graph_requests() if s.path.endswith("/mailFolders")]
    assert creates == [200, 201, 200, 201]  # look, create; look, create; then remembered
    assert graph.created_folders == ["Processed", "Quarantine"]
    assert len(standin.mailbox.in_folder("Processed")) == 2


def test_an_existing_folder_is_used_not_created_again(graph, standin):
    existing = standin.mailbox.create_folder("Processed")
    standin.deliver(inbound("hello"))
    [item] = graph.fetch_new()
    graph.move(item.id, "Processed")
    assert graph.folder_id("Processed") == existing.id
    assert graph.created_folders == []


def test_a_folder_deleted_by_a_person_is_made_again(graph, standin):
    standin.deliver(inbound("one"))
    standin.deliver(inbound("two"))
    one, two = graph.fetch_new()
    graph.move(one.id, "Processed")
    folder = standin.mailbox.folder_named("Processed")
    del standin.mailbox.folders[folder.id]
    graph.move(two.id, "Processed")
    assert [parse(m.raw)["Subject"] for m in standin.mailbox.in_folder("Processed")] == ["two"]
    assert graph.fetch_new() == []


def test_a_message_already_moved_by_a_person_is_not_an_error(graph, standin):
    standin.deliver(inbound("hello"))
    [item] = graph.fetch_new()
    standin.mailbox.move(item.id, standin.mailbox.folder("archive"))
    graph.move(item.id, "Processed")
    assert graph.fetch_new() == []


def test_mailtips_say_who_has_automatic_replies_on(graph, standin):
    standin.automatic_replies["sam@council.example"] = "I am on leave until 24 May."
    standin.unknown_recipients.add("ghost@council.example")
    tips = graph.mailtips(["Sam@council.example", "hana@council.example", "ghost@council.example"])
    assert tips == {"sam@council.example": True, "hana@council.example": False}
    [call] = standin.graph_requests()
    assert call.path.endswith("/getMailTips")


def test_mailtips_for_a_large_roster_are_asked_in_batches(graph, standin):
    addresses = [f"auditor{n}@council.example" for n in range(150)]
    tips = graph.mailtips(addresses)
    assert len(tips) == 150
    assert not any(tips.values())
    assert len(standin.graph_requests()) == 2
