"""The digest and the report looked at as a person would: rendered in headless Chromium.

A small script added to the page writes what the browser measured into the DOM after load
(page width against a 1024 px window, tables that stick out, each chart decoded); Chromium's
--dump-dom hands that back. Then a screenshot of the whole page, as a PNG.

Set AUDITBOT_WRITE_DOCS_SAMPLE=1 to also keep the digest's screenshot as
docs/digest-sample.png (the picture in the README).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.records import Month
from bot.reporting.digests import render_digest_html, team_digests, with_data_uris
from bot.reporting.report import write_month_report
from bot.store.schema import moderations
from tests.digest import sample
from tests.scenario.moderation_world import DI, MO, may_with_moderators, write_moderations
from tests.world import World

CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 1024
DOCS_SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "digest-sample.png"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)

PROBE = """
<script>
window.addEventListener("load", function () {
  var root = document.documentElement;
  var tables = Array.prototype.slice.call(document.querySelectorAll("table"));
  var found = {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    scrollHeight: root.scrollHeight,
    tablesSticking: tables.filter(function (t) {
      return t.getBoundingClientRect().right > root.clientWidth + 0.5;
    }).length,
    images: Array.prototype.slice.call(document.images).map(function (i) {
      return {alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth,
              shownWidth: i.getBoundingClientRect().width};
    })
  };
  var out = document.createElement("pre");
  out.id = "layout-probe";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>
"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _look(page: str, tmp_path: Path, name: str) -> tuple[dict, Path]:
    """Measure the page at 1024 px wide, then screenshot it whole."""
    probed = tmp_path / f"{name}.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, f"--window-size={WIDTH},900", "--dump-dom", probed.as_uri()).stdout
    match = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, re.S)
    assert match, "the page's probe never ran: Chromium did not finish loading it"
    found = json.loads(html.unescape(match.group(1)))
    shot = tmp_path / f"{name}.png"
    plain = tmp_path / f"{name}-plain.html"
    plain.write_text(page, encoding="utf-8")
    height = min(max(found["scrollHeight"], 600), 16000)
    _chromium(tmp_path, f"--window-size={WIDTH},{height}", f"--screenshot={shot}", plain.as_uri())
    return found, shot


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def _lays_out(found: dict, charts: int) -> None:
    assert found["scrollWidth"] <= WIDTH, f"the page is {found['scrollWidth']} px wide"
    assert found["tablesSticking"] == 0
    assert len(found["images"]) == charts
    for image in found["images"]:
        assert image["complete"] and image["naturalWidth"] > 0, image
        assert image["alt"] and image["shownWidth"] <= WIDTH


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory):
    world = sample.build(tmp_path_factory.mktemp("sample") / "council")
    yield world
    world.close()


def test_the_digest_lays_out_at_1024_px_with_its_charts(council, tmp_path: Path) -> None:
    app = council.open()
    with app.engine.connect() as connection:
        page = render_digest_html(app, connection, sample.NOW)
    found, shot = _look(page, tmp_path, "digest")
    _lays_out(found, charts=3)
    width, height = _png_size(shot)
    assert width == WIDTH and height >= 1500
    if os.environ.get("AUDITBOT_WRITE_DOCS_SAMPLE"):
        DOCS_SAMPLE.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SAMPLE)


def test_a_head_of_services_digest_lays_out_with_their_names(council, tmp_path: Path) -> None:
    app = council.open()
    with app.engine.connect() as connection:
        plan = next(p for p in team_digests(app, connection, sample.NOW) if "priya" in p.key)
    page = with_data_uris(app.renderer.render(plan.template, plan.context).html, plan.images)
    found, _ = _look(page, tmp_path, "team-digest")
    _lays_out(found, charts=3)


def test_the_month_report_lays_out_at_1024_px_with_its_charts(council, tmp_path: Path) -> None:
    app = council.open()
    april = Month(2021, 4)
    _, page = write_month_report(app, april, tmp_path / "out", sample.NOW)
    found, shot = _look(page.read_text(encoding="utf-8"), tmp_path, "report")
    _lays_out(found, charts=3)
    assert _png_size(shot)[0] == WIDTH


def test_the_mailed_report_with_moderation_lays_out_at_1024_px(tmp_path: Path) -> None:
    world = may_with_moderators(World.create(tmp_path / "council"))
    try:
        world.tick("2021-06-01T09:30")
        given = {m.key.rpartition("/")[2] for m in world.new_mail() if m.kind == "moderation"}
        assert given == {MO[1], DI[1]}
        with world.open().engine.connect() as connection:
            rows = connection.execute(select(moderations.c.case_ref, moderations.c.moderator_email))
            back = [(case, who, "good", "2021-06-02", "") for case, who in rows]
        write_moderations(world, back)
        world.tick("2021-06-02T09:30")
        (mailed,) = [m for m in world.new_mail() if m.kind == "report"]
    finally:
        world.close()
    (page,) = [
        p.get_content()
        for p in mailed.message.iter_attachments()
        if p.get_filename() == "report-2021-05.html"
    ]
    assert "Agreement with the auditor's grade" in page
    found, shot = _look(page, tmp_path, "mailed-report")
    _lays_out(found, charts=3)
    assert _png_size(shot)[0] == WIDTH
