"""The digest shell against a real store and real sheets: plans, keys, images, the report."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.core.records import Month
from bot.reporting import digests as shell
from bot.reporting.report import write_month_report
from bot.store import repo
from bot.store.schema import Status, events, outbox
from bot.store.trail import head
from tests.digest.council import ALEX_EMAIL, KIM_EMAIL, MONDAY, SAM_EMAIL, SICK_NOTE, build
from tests.world import DIRECTOR, HANA, LONDON, OMAR, QA, World

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def council(tmp_path: Path):
    world = build(tmp_path / "council")
    yield world
    world.close()


def _render(world: World, plan) -> tuple[str, str, str]:
    rendered = world.open().renderer.render(plan.template, plan.context)
    return rendered.subject, rendered.text, rendered.html


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_directors_digest_from_the_store_and_sheets(tmp_path: Path, store_url: str) -> None:
    world = build(tmp_path / "council", store=store_url)  # SQLite and PostgreSQL
    try:
        app = world.open()
        with app.engine.connect() as connection:
            plan = shell.director_digest(app, connection, MONDAY)
            _, trail_head = head(connection)
        assert (plan.key, plan.to, plan.template) == (
            "digest/2021-W19/director",
            (DIRECTOR,),
            "digest",
        )
        assert sorted(plan.images) == ["digest-grades", "digest-teams", "digest-trend"]
        assert all(png.startswith(PNG) for png in plan.images.values())
        subject, text, html = _render(world, plan)
        assert subject == (
            "Weekly audit digest, week of Mon 10 May: May 2021 50% of auditors complete, "
            "14 working days left"
        )
        flat = _flat(text)
        # Sam exempted, Kim complete, Alex outstanding: 1 of 2 not exempted.
        assert (
            "Everyone: 3 auditors allocated, 1 complete, 0 say done, 1 exempted, 1 outstanding: 50%"
            in flat
        )
        assert "Fostering: nobody allocated" in flat
        assert "EXM-2021-05-001 Sam Patel: approved by Dana Director, Thu 6 May 09:30" in flat
        assert "Kim Lee (Early Help): at risk of missing the deadline" in flat
        assert "Alex Jones (Looked After Children): out of office" in flat
        assert "April 2021: 2 graded; good or better 50.0%*" in flat
        # The trail's head is in the QA team's copy only.
        assert trail_head not in text + html
        with app.engine.connect() as connection:
            qa = shell.director_digest(app, connection, MONDAY, qa_copy=True)
        assert (qa.key, qa.to, qa.images) == ("digest/2021-W19/qa", (QA,), plan.images)
        _, qa_text, qa_html = _render(world, qa)
        assert trail_head in qa_text and trail_head in qa_html
        assert "Everyone: 3 auditors allocated, 1 complete" in _flat(qa_text)
        # Every inline chart is referenced, with alt text.
        for cid in plan.images:
            assert re.search(rf'<img src="cid:{cid}" alt="[^"]+"', html)
        # Names of circumstances stay out: the request's words are never read.
        for part in (text, html):
            assert "sick leave" not in part
    finally:
        world.close()


def test_each_head_of_service_gets_their_own_auditors(council: World) -> None:
    app = council.open()
    with app.engine.connect() as connection:
        plans = {p.key: p for p in shell.team_digests(app, connection, MONDAY)}
    assert sorted(plans) == [
        f"digest/2021-W19/head/{HANA}",
        f"digest/2021-W19/head/{OMAR}",
    ]
    hana, omar = plans[f"digest/2021-W19/head/{HANA}"], plans[f"digest/2021-W19/head/{OMAR}"]
    assert (hana.to, hana.template) == ((HANA,), "team_digest")
    _, text, html = _render(council, hana)
    flat = _flat(text)
    assert "Alex Jones (Looked After Children): outstanding; not yet in the sheet: CR-2001" in flat
    assert "Sam Patel (Children in Need): exempted" in flat
    assert "Kim Lee" not in text
    _, text, html = _render(council, omar)
    flat = _flat(text)
    assert "Kim Lee (Early Help): complete" in flat
    # Kim's April audit graded inadequate: Omar follows it up for the child.
    assert "CR-0902, audited by Kim Lee, submitted Wednesday 7 April 2021" in flat
    assert "CR-0902" in html and "follow up for the child" in html


def test_weekly_digests_go_once_a_week_and_never_as_a_backlog(council: World) -> None:
    app = council.open()
    with app.engine.begin() as connection:
        assert shell.weekly_digests(app, connection, MONDAY.replace(hour=8)) == []
        plans = shell.weekly_digests(app, connection, MONDAY)
        assert sorted(p.key for p in plans) == [
            "digest/2021-W19/director",
            f"digest/2021-W19/head/{HANA}",
            f"digest/2021-W19/head/{OMAR}",
            "digest/2021-W19/qa",
        ]
        _record(connection, plans, MONDAY)
        assert shell.weekly_digests(app, connection, MONDAY + timedelta(hours=3)) == []
    # The bot was down from Tuesday 11 May to Wednesday 19 May: only week 20's digests go.
    later = datetime(2021, 5, 19, 14, 0, tzinfo=LONDON)
    with app.engine.connect() as connection:
        keys = sorted(p.key for p in shell.weekly_digests(app, connection, later))
    assert keys == [
        "digest/2021-W20/director",
        f"digest/2021-W20/head/{HANA}",
        f"digest/2021-W20/head/{OMAR}",
        "digest/2021-W20/qa",
    ]


def test_a_digest_made_again_with_the_same_figures_reuses_its_charts(council: World) -> None:
    app = council.open()
    with app.engine.connect() as connection:
        first = shell.director_digest(app, connection, MONDAY)
        assert len(app.charts) == 3
        again = shell.director_digest(app, connection, MONDAY)
        assert len(app.charts) == 3  # nothing new drawn
        assert again.images == first.images
        shell.team_digests(app, connection, MONDAY)  # each Head of Service's own charts
        assert len(app.charts) == 3 + 2 * 3


def test_head_of_service_digests_can_be_switched_off(council: World) -> None:
    council.close()
    council.config.write_text(
        council.config.read_text().replace(
            "digest: {enabled: false}", "digest: {enabled: false, head_of_service_digests: false}"
        )
    )
    app = council.open()
    with app.engine.connect() as connection:
        assert shell.team_digests(app, connection, MONDAY) == []
        assert [p.key for p in shell.weekly_digests(app, connection, MONDAY)] == [
            "digest/2021-W19/director",
            "digest/2021-W19/qa",
        ]


def test_the_html_file_holds_its_charts_and_the_digest_changes_nothing(council: World) -> None:
    app = council.open()
    with app.engine.connect() as connection:
        before = _counts(connection)
        html = shell.render_digest_html(app, connection, MONDAY)
        assert _counts(connection) == before
    assert html.count('src="data:image/png;base64,') == 3
    assert "cid:" not in html


def test_the_month_report_as_a_workbook_and_a_page(council: World, tmp_path: Path) -> None:
    council.write_completions(
        "2021-05",
        [
            ("CR-3001", KIM_EMAIL, "2021-05-06", "good"),
            ("CR-2001", ALEX_EMAIL, "2021-06-02", "inadequate"),  # late: not counted
        ],
    )
    council.tick("2021-06-01T09:30")  # closes May
    council.tick("2021-06-03T09:30")  # Alex's late submission recorded
    app = council.open()
    out = tmp_path / "out"
    paths = write_month_report(app, Month(2021, 5), out, datetime(2021, 6, 7, 10, tzinfo=LONDON))
    assert paths == [out / "report-2021-05.xlsx", out / "report-2021-05.html"]
    assert sorted(p.name for p in out.iterdir()) == ["report-2021-05.html", "report-2021-05.xlsx"]
    book = openpyxl.load_workbook(paths[0])
    assert book.sheetnames == [
        "Summary", "By team", "Auditors", "Audits", "Exemptions", "Actions for children",
        "Themes", "Trend",
    ]  # fmt: skip
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Status"] == "closed: final"
    assert (summary["Auditors allocated"], summary["Complete in time"]) == (3, 1)
    assert (summary["Exempted"], summary["Late (not counted)"]) == (1, 1)
    assert summary["Completion rate (exempted left out)"] == pytest.approx(0.5)
    auditors = {row[1]: row for row in book["Auditors"].iter_rows(min_row=2, values_only=True)}
    sam = auditors[SAM_EMAIL]
    assert sam[5] == "exempted: prolonged absence or ill-health"
    assert sam[7:11] == (
        "EXM-2021-05-001",
        "prolonged absence or ill-health",
        "approved",
        "Dana Director",
    )
    assert auditors[ALEX_EMAIL][5] == "late: all in by 02/06/2021, not counted"
    (exemption,) = book["Exemptions"].iter_rows(min_row=2, values_only=True)
    assert exemption[0] == "EXM-2021-05-001" and exemption[8] == "supported"
    audits = {row[0]: row for row in book["Audits"].iter_rows(min_row=2, values_only=True)}
    assert audits["CR-2001"][5:] == ("late: not counted", "inadequate", None)
    page = paths[1].read_text()
    assert page.count('src="data:image/png;base64,') == 3
    assert "EXM-2021-05-001" in page and "Provisional" not in page
    assert "sick leave" not in page and SICK_NOTE not in page


def _counts(connection) -> tuple[int, int]:
    return (
        connection.scalar(select(func.count()).select_from(events)),
        connection.scalar(select(func.count()).select_from(outbox)),
    )


def _record(connection, plans, now: datetime) -> None:
    """Just enough of the tick's recording for the keys to be in the outbox."""
    repo.insert_ignoring_duplicates(
        connection,
        outbox,
        [
            {
                "key": p.key,
                "kind": p.template,
                "month": str(p.month),
                "status": Status.PLANNED,
                "planned_at": now,
                "planned_on": now.date(),
                "attempts": 0,
                "to_addrs": list(p.to),
                "cc_addrs": [],
                "subject": "",
                "body_text": "",
                "body_html": "",
                "detail": dict(p.detail),
                "images": {},
            }
            for p in plans
        ],
    )


def test_the_digest_and_the_report_judge_against_the_targets_in_config(
    council: World, tmp_path: Path
) -> None:
    council.close()
    council.config.write_text(
        council.config.read_text() + "targets: {good_or_better_min: 0.95, inadequate_max: 0.1}\n"
    )
    # May so far: Kim's one audit, graded good; April: one good, one inadequate.
    app = council.open()
    with app.engine.connect() as connection:
        plan = shell.director_digest(app, connection, MONDAY)
    _, text, html = _render(council, plan)
    for part in (_flat(text), _flat(html)):
        assert "at least 95% good or better" in part or "at least 95% of practice" in part
        assert "less than 10% inadequate" in part
        assert "40%" not in part and "12%" not in part
    # April's 1 of 2 good or better is 50%: below 95%; 1 of 2 inadequate is not under 10%.
    assert "Good or better 50.0%*: BELOW the target of at least 95%" in _flat(text)
    assert "NOT WITHIN the limit of less than 10%" in _flat(text)
    paths = write_month_report(app, Month(2021, 5), tmp_path / "out", MONDAY)
    summary = list(openpyxl.load_workbook(paths[0])["Summary"].values)
    targets = [row[2] for row in summary if row[2]]
    assert targets[1:] == ["at least 95%: met", "less than 10%: met"]
    assert "at least 95% of practice rated good or better" in paths[1].read_text()
