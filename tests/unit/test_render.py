import re
from datetime import date

import pytest

from bot.render import SUBJECT_LIMIT, Renderer, subject_line


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
    assert "Dear <b>O'Neil</b>," in mail.text


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


@pytest.mark.parametrize(
    ("stage", "urgency", "subject"),
    [
        (10, 0, "Reminder: your May 2021 audits are due by Monday 31 May 2021"),
        (5, 1, "5 working days left: your May 2021 audits"),
        (2, 2, "Urgent: 2 working days left for your May 2021 audits"),
        (0, 3, "Last working day: your May 2021 audits must be in by Monday 31 May 2021"),
    ],
)
def test_reminders_escalate_in_tone(stage, urgency, subject) -> None:
    context = _allocation_context(
        stage=stage,
        urgency=urgency,
        final=stage == 0,
        working_days_left=stage,
        copied=stage <= 2,
        out_of_office=False,
        head_of_service="Hana Ahmed",
        deadline_day=date(2021, 5, 28),
        outstanding=[{"ref": "CR-1001", "type": "Case audit"}],
    )
    mail = Renderer().render("reminder", context)
    assert mail.subject == f"{subject} [AUD-2021-05-K7M3Q9XA]"
    assert ("Hana Ahmed (your Head of Service) is copied" in mail.text) == (stage <= 2)
