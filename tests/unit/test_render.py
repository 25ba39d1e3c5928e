import re
from datetime import date

import pytest

from bot.render import SUBJECT_LIMIT, Renderer, counted, first_name, subject_line


def _allocation_context(**overrides):
    context = {
        "auditor": {"name": "Sam Patel", "email": "sam@council.example"},
        "month": "May 2021",
        "month_id": "2021-05",
        "deadline": date(2021, 5, 31),
        "cases": [{"ref": "CR-1001", "type": "Case audit"}],
        "council": "Example Borough Council",
        "reference": "AUD-2021-05-K7M3Q9XA",
    }
    return context | overrides


def test_the_allocation_mail_lists_cases_deadline_and_how_to_ask_for_an_exemption() -> None:
    mail = Renderer().render("allocation", _allocation_context())
    assert mail.subject == (
        "Your case audits for May 2021: due by Monday 31 May 2021 [AUD-2021-05-K7M3Q9XA]"
    )
    for part in (mail.text, mail.html):
        text = " ".join(part.split())  # line wrapping is not the reader's concern
        assert "CR-1001" in text
        assert "prolonged absence" in text
        assert "safeguarding children partnership" in text
        assert "final care-proceedings hearings" in text
        assert "never leave it to the last week" in text


def test_values_from_sheets_are_escaped_in_html_but_not_mangled_in_text() -> None:
    mail = Renderer().render(
        "allocation", _allocation_context(auditor={"name": "<b>O'Neil</b>", "email": "x@y.z"})
    )
    assert "&lt;b&gt;O&#39;Neil&lt;/b&gt;" in mail.html
    assert "<b>O'Neil</b>" not in mail.html
    assert "Dear <b>O'Neil</b>," in mail.text  # one word: its own first name


@pytest.mark.parametrize(
    "month",
    [
        "May\r\nBcc: x@evil.example",
        "May\r\n\t2021",
        "May\u20282021",
        "May\u0085Bcc: x@evil.example",
        "May\x00\x1b\x9b2021",
    ],
)
def test_a_subject_given_line_breaks_or_controls_becomes_one_clean_line(month: str) -> None:
    subject = Renderer().render("allocation", _allocation_context(month=month)).subject
    assert subject.startswith("Your case audits for May")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", subject)
    assert "  " not in subject


def test_a_long_subject_is_capped_and_keeps_its_reference_token() -> None:
    subject = subject_line("RE: " + "an odd reply " * 100 + "[AUD-2021-05-K7M3Q9XA]")
    assert SUBJECT_LIMIT - 5 <= len(subject) <= SUBJECT_LIMIT
    assert subject.endswith("… [AUD-2021-05-K7M3Q9XA]")


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    context = _allocation_context()
    del context["deadline"]
    with pytest.raises(Exception, match="deadline"):
        Renderer().render("allocation", context)


def test_a_council_can_override_any_template(tmp_path) -> None:
    (tmp_path / "allocation").mkdir()
    (tmp_path / "allocation" / "subject.txt").write_text("{{ council }}: audits for {{ month }}\n")
    mail = Renderer(tmp_path).render("allocation", _allocation_context())
    assert mail.subject == "Example Borough Council: audits for May 2021"
    assert "CR-1001" in mail.text  # the body still comes from the built-in templates


def _reminder_context(stage: int, urgency: int, **overrides):
    reminder = {
        "stage": stage,
        "urgency": urgency,
        "final": stage == 0,
        "working_days_left": stage,
        "copied": stage <= 2,
        "out_of_office": False,
        "head_of_service": "Hana Ahmed",
        "deadline_day": date(2021, 5, 28),
        "outstanding": [{"ref": "CR-1001", "type": "Case audit"}],
    }
    return _allocation_context(**(reminder | overrides))


@pytest.mark.parametrize(
    ("stage", "urgency", "today", "subject"),
    [
        (10, 0, date(2021, 5, 14), "Reminder: your May 2021 audits are due by Monday 31 May 2021"),
        (5, 1, date(2021, 5, 21), "Your May 2021 audits: 5 working days left after today"),
        (2, 2, date(2021, 5, 26), "Urgent: your May 2021 audits, 2 working days left after today"),
        (0, 3, date(2021, 5, 28), "Today is the last working day for your May 2021 audits"),
    ],
)
def test_reminders_escalate_in_tone(stage, urgency, today, subject) -> None:
    mail = Renderer().render("reminder", _reminder_context(stage, urgency, today=today))
    assert mail.subject == f"{subject} [AUD-2021-05-K7M3Q9XA]"
    assert ("Hana Ahmed, your Head of Service, is copied" in mail.text) == (stage <= 2)
    assert mail.text.startswith("Dear Sam,\n")


def test_a_reminder_counts_working_days_from_the_day_it_goes_out() -> None:
    # Stage 2 was due on Wednesday 26 May; after downtime it goes on Thursday the 27th.
    mail = Renderer().render("reminder", _reminder_context(2, 2, today=date(2021, 5, 27)))
    assert mail.subject.startswith("Urgent: your May 2021 audits, 1 working day left after today")
    text = " ".join(mail.text.split())
    assert "only 1 working day is left after today: the last is Friday 28 May 2021" in text
    assert "The deadline itself, Monday 31 May 2021, is a bank holiday." in text


def test_the_stage_10_reminder_names_the_last_working_day_before_a_holiday_deadline() -> None:
    mail = Renderer().render("reminder", _reminder_context(10, 0, today=date(2021, 5, 14)))
    text = " ".join(mail.text.split())
    assert (
        "due by Monday 31 May 2021. That day is a bank holiday, so the last working day to "
        "submit them is Friday 28 May 2021, 10 working days after today." in text
    )
    assert "10 working days from now" not in text


def test_the_final_reminder_is_coherent_whether_or_not_the_deadline_is_a_working_day() -> None:
    holiday = Renderer().render("reminder", _reminder_context(0, 3, today=date(2021, 5, 28)))
    text = " ".join(holiday.text.split())
    assert "Today is the last working day before the deadline" in text
    assert "the deadline, Monday 31 May 2021, is a bank holiday" in text
    working = Renderer().render(
        "reminder",
        _reminder_context(
            0,
            3,
            today=date(2021, 6, 30),
            deadline=date(2021, 6, 30),
            deadline_day=date(2021, 6, 30),
            month="June 2021",
        ),
    )
    assert working.subject.startswith("Today is the deadline for your June 2021 audits")
    text = " ".join(working.text.split())
    assert "Today, Wednesday 30 June 2021, is the deadline for your June 2021 audits." in text
    assert "Audits submitted after today are not counted." in text
    assert "bank holiday" not in text and "last working day" not in text


def test_the_last_reminder_of_an_extension_calls_its_day_the_extensions_end() -> None:
    mail = Renderer().render(
        "reminder",
        _reminder_context(
            0,
            3,
            today=date(2021, 6, 4),
            deadline=date(2021, 6, 4),
            deadline_day=date(2021, 6, 4),
            extended_to=date(2021, 6, 4),
        ),
    )
    assert mail.subject.startswith("Today is the last day of your extension for your May 2021")
    text = " ".join(mail.text.split())
    assert "Today, Friday 4 June 2021, is the last day of your extension for your May" in text
    assert "is the deadline" not in text


def test_the_allocation_links_the_audit_tool_only_when_configured() -> None:
    without = Renderer().render("allocation", _allocation_context())
    assert "audit tool:" not in without.text and "audit tool:" not in without.html
    url = "https://audits.council.example/start"
    with_link = Renderer(audit_tool_url=url).render("allocation", _allocation_context())
    assert f"Complete your audits in the audit tool: {url}" in with_link.text
    assert f'<a href="{url}">{url}</a>' in with_link.html


def test_the_allocation_says_what_to_do_on_slippage_and_how_to_ask_ahead() -> None:
    mail = Renderer(director_name="Dana Director").render("allocation", _allocation_context())
    for part in (mail.text, mail.html):
        text = " ".join(part.split())
        assert "Tell your Head of Service straight away" in text
        assert "Next month's allocations go out on Tuesday 1 June 2021." in text
        assert "on behalf of Dana Director" in text
        assert "1 audit)" in text and "1 audits" not in text


@pytest.mark.parametrize(
    ("name", "greeted"),
    [
        ("Rachel Morgan", "Rachel"),
        ("  Rachel   Morgan ", "Rachel"),
        ("Dr Rachel Morgan", "Rachel"),
        ("Morgan, Rachel", "Rachel"),
        ("Mary-Jane O'Neil", "Mary-Jane"),
        ("Rachel", "Rachel"),
        ("hana@council.example", "colleague"),
        ("", "colleague"),
    ],
)
def test_a_greeting_uses_the_first_name(name: str, greeted: str) -> None:
    assert first_name(name) == greeted


@pytest.mark.parametrize(
    ("number", "words"),
    [(0, "0 audits"), (1, "1 audit"), (2, "2 audits")],
)
def test_counts_agree_with_their_noun(number: int, words: str) -> None:
    assert counted(number, "audit") == words


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        ("Re: RE: Your case audits", "Re: Your case audits"),
        ("Re: AW: re[2]: Your case audits", "Re: Your case audits"),
        ("Re:Your case audits", "Re: Your case audits"),
        ("Recorded: request", "Recorded: request"),
        ("Reminder: your audits", "Reminder: your audits"),
    ],
)
def test_reply_prefixes_do_not_stack(subject: str, clean: str) -> None:
    assert subject_line(subject) == clean
