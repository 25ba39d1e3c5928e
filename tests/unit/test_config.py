from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

GOOD = """\
timezone: Europe/London
mailbox: Audit-Bot@Council.example
director: {name: Dana Director, email: director@council.example}
qa_team: {email: qa@council.example}
roster: roster.csv
allocations: allocations
completions: completions
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_the_shipped_config_is_a_working_example() -> None:
    settings = load_settings(Path(__file__).resolve().parents[2] / "config.yaml")
    assert settings.schedule.reminders == (10, 5, 2, 0)
    assert settings.roster.exists()


def test_paths_resolve_against_the_config_file_and_addresses_are_lower_cased(tmp_path) -> None:
    settings = load_settings(_write(tmp_path, GOOD))
    assert settings.roster == tmp_path / "roster.csv"
    assert settings.mail.outbox == tmp_path / "var/mail/outbox"
    assert settings.store == f"sqlite:///{tmp_path / 'var/auditbot.db'}"
    assert settings.mailbox == "audit-bot@council.example"


def test_an_unquoted_send_time_is_still_read_as_a_time(tmp_path) -> None:
    settings = load_settings(_write(tmp_path, GOOD + "schedule: {send_time: 08:30}\n"))
    assert settings.schedule.send_time.isoformat() == "08:30:00"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("timezone: Mars/Olympus\n", "line 1, field timezone: unknown time zone 'Mars/Olympus'"),
        (
            "schedule:\n  send_time: '01:30'\n",
            "line 9, field schedule.send_time: choose a send time outside 01:00-02:59",
        ),
        (
            "schedule:\n  reminders: [5, 5]\n",
            "line 9, field schedule.reminders: reminders must be distinct",
        ),
        (
            "schedule:\n  remindrs: [5]\n",
            "line 9, field schedule.remindrs: unknown setting (misspelt?)",
        ),
        (
            "qa_team: {email: not-an-address}\n",
            "field qa_team.email: 'not-an-address' is not an email address",
        ),
    ],
)
def test_a_bad_setting_is_named_with_file_line_and_field(tmp_path, extra, expected) -> None:
    text = GOOD.replace("timezone: Europe/London\n", "") if extra.startswith("timezone") else GOOD
    if extra.startswith("qa_team"):
        text = text.replace("qa_team: {email: qa@council.example}\n", "")
    path = _write(tmp_path, (extra + text) if extra.startswith("timezone") else text + extra)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert f"{path}" in str(caught.value)
    assert expected in str(caught.value)


def test_a_missing_required_setting_and_broken_yaml_are_reported(tmp_path) -> None:
    with pytest.raises(ConfigError, match="field mailbox: required setting is missing"):
        load_settings(_write(tmp_path, GOOD.replace("mailbox: Audit-Bot@Council.example\n", "")))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(_write(tmp_path, "mailbox: [unclosed\n"))
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mailbox: [unclosed\n",
            "line 2, column 1: not valid YAML (expected ',' or ']', but got '<stream end>'). "
            "Look for an unclosed bracket or quote",
        ),
        (
            GOOD + "schedule:\n  send_time: '9am'\n",
            'field schedule.send_time: write a 24-hour time in quotes, such as "09:00" '
            "(found '9am')",
        ),
        (
            GOOD + "schedule:\n  tick_minutes: five\n",
            "field schedule.tick_minutes: write a whole number, such as 5 (found 'five')",
        ),
        (
            GOOD.replace("mailbox: Audit-Bot@Council.example\n", ""),
            "field mailbox: required setting is missing: add `mailbox:` at the top level",
        ),
    ],
    ids=["yaml-syntax", "time-in-words", "number-in-words", "missing-key"],
)
def test_config_errors_say_where_and_what_to_write_instead(tmp_path, text, expected) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text))
    assert expected in str(caught.value)


def test_the_targets_default_to_the_improvement_plan_and_can_be_changed(tmp_path) -> None:
    default = load_settings(_write(tmp_path, GOOD)).targets.rules
    assert (default.good, default.inadequate) == ("40", "12")
    changed = GOOD + "targets: {good_or_better_min: 0.45, inadequate_max: 0.1}\n"
    rules = load_settings(_write(tmp_path, changed)).targets.rules
    assert (rules.good, rules.inadequate) == ("45", "10")


def test_a_target_given_as_a_percentage_is_refused(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"field targets\.good_or_better_min"):
        load_settings(_write(tmp_path, GOOD + "targets: {good_or_better_min: 40}\n"))


def test_moderation_defaults_and_the_moderations_folder_beside_the_completions(tmp_path) -> None:
    settings = load_settings(_write(tmp_path, GOOD))
    assert settings.moderation.share is None and settings.moderation.due_working_days == 5
    assert settings.moderation.starts == "provisional"
    assert settings.moderation_sheets == tmp_path / "moderations"
    text = GOOD + "moderation: {sample: 0.25, starts: final}\nmoderations: returns\n"
    settings = load_settings(_write(tmp_path, text))
    assert (settings.moderation.share, settings.moderation.starts) == (0.25, "final")
    assert settings.moderation_sheets == tmp_path / "returns"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("moderation: {sample: 1.5}", "line 8, field moderation.sample"),
        ("moderation: {sample: some}", "line 8, field moderation.sample"),
        ("moderation: {starts: tomorrow}", "line 8, field moderation.starts"),
        ("moderation: {due_working_days: 0}", "line 8, field moderation.due_working_days"),
    ],
)
def test_a_bad_moderation_setting_is_named(tmp_path, extra: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_write(tmp_path, GOOD + extra + "\n"))
    assert expected in str(error.value)
