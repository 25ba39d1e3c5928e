"""The digest card for Teams: valid Adaptive Card JSON, and failures that say what went wrong."""

from __future__ import annotations

import json
import socket

import pytest

from bot.mail.teams import TeamsWebhookError, digest_card, post_card
from tests.graph.conftest import CLIENT_TIMEOUT

# The element and action types of Adaptive Cards 1.0-1.4, from the schema.
ELEMENTS = {
    "TextBlock",
    "Image",
    "Media",
    "RichTextBlock",
    "Container",
    "ColumnSet",
    "FactSet",
    "ImageSet",
    "ActionSet",
    "Input.Text",
    "Input.Number",
    "Input.Date",
    "Input.Time",
    "Input.Toggle",
    "Input.ChoiceSet",
}
ACTIONS = {
    "Action.OpenUrl",
    "Action.Submit",
    "Action.ShowCard",
    "Action.ToggleVisibility",
    "Action.Execute",
}
FACTS = [("Audits due", "212"), ("Submitted", "187 (88%)"), ("Exemptions approved", "3")]
LINK = "https://outlook.office.com/mail/id/AAMkAGdigest"


def assert_valid_card(envelope: dict) -> dict:
    """The essentials of the Adaptive Card schema, and the Workflows envelope around it."""
    assert envelope["type"] == "message"
    [attachment] = envelope["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] in {"1.0", "1.1", "1.2", "1.3", "1.4"}
    assert isinstance(card["body"], list) and card["body"]
    for element in card["body"]:
        assert element["type"] in ELEMENTS
        if element["type"] == "TextBlock":
            assert isinstance(element["text"], str) and element["text"]
        if element["type"] == "FactSet":
            assert all(set(f) == {"title", "value"} for f in element["facts"])
            assert all(isinstance(v, str) for f in element["facts"] for v in f.values())
    for action in card.get("actions", []):
        assert action["type"] in ACTIONS
        if action["type"] == "Action.OpenUrl":
            assert action["url"].startswith(("https://", "mailto:"))
    json.dumps(envelope)  # plain JSON all the way down
    return card


def test_the_digest_card_is_a_valid_adaptive_card_with_its_figures_and_link():
    card = assert_valid_card(digest_card("QA digest: May 2021, week 1", FACTS, LINK))
    assert card["body"][0]["text"] == "QA digest: May 2021, week 1"
    assert card["body"][1]["facts"][1] == {"title": "Submitted", "value": "187 (88%)"}
    assert card["actions"][0]["url"] == LINK


def test_a_very_long_digest_is_cut_short_and_points_to_the_mail():
    facts = [(f"Team {n}", str(n)) for n in range(60)]
    card = assert_valid_card(digest_card("QA digest", facts, LINK))
    assert len(card["body"][1]["facts"]) == 40
    assert "20 more" in card["body"][2]["text"]


def test_a_card_with_no_figures_is_still_valid():
    assert_valid_card(digest_card("Nothing to report", [], LINK))


def test_the_link_must_be_https():
    with pytest.raises(ValueError, match="https"):
        digest_card("QA digest", FACTS, "javascript:alert(1)")


def test_the_card_is_posted_to_the_workflow(standin):
    card = digest_card("QA digest", FACTS, LINK)
    post_card(standin.webhook_url(), card, timeout=CLIENT_TIMEOUT)
    assert standin.cards == [card]


def test_a_refused_card_raises_a_clear_error_without_the_secret_url(standin):
    standin.webhook_status = 400
    url = standin.webhook_url("secret-signature-xyz")
    with pytest.raises(TeamsWebhookError) as caught:
        post_card(url, digest_card("QA digest", FACTS, LINK), timeout=CLIENT_TIMEOUT)
    message = str(caught.value)
    assert "HTTP 400" in message and "card was refused" in message
    assert "secret-signature-xyz" not in message


def test_a_workflow_that_does_not_answer_raises_after_the_timeout(standin):
    standin.inject("POST", r"^/workflows/", kind="hang", hang_seconds=CLIENT_TIMEOUT + 0.4)
    with pytest.raises(TeamsWebhookError, match="did not answer"):
        post_card(standin.webhook_url(), digest_card("QA", FACTS, LINK), timeout=CLIENT_TIMEOUT)


def test_an_unreachable_workflow_raises_a_clear_error():
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TeamsWebhookError, match="could not be reached"):
        post_card(f"https://127.0.0.1:{port}/workflows/x", digest_card("QA", FACTS, LINK), 1.0)


def test_a_plain_http_webhook_is_refused():
    with pytest.raises(TeamsWebhookError, match="https"):
        post_card("http://example.invalid/hook", digest_card("QA", FACTS, LINK), 1.0)
