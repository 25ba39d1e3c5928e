"""Every kind of mail a month sends, opened in headless Chromium at a desktop mail pane's width
(600 px) and a phone's (375 px), and read as a person would: nothing wider than the screen,
every image with alt text, every piece of text at WCAG AA contrast against what is behind it.

The mail comes from the demo's May 2021 and from an exemption request walked through a
paused demo, so a new template is looked at as soon as a month sends it. Set
AUDITBOT_WRITE_DOCS_SAMPLE=1 to keep the allocation mail's and the director's digest's
screenshots at both widths in docs/.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import os
import re
import shutil
import subprocess
from base64 import b64encode
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.commands.cli import main
from bot.mail.message import KEY_HEADER

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (600, 375)
DOCS = Path(__file__).resolve().parents[1] / "docs"
DOCS_KINDS = {"allocation": "allocation-mail", "digest/director": "director-digest"}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)

# Measures after load and writes the result into the page for --dump-dom to hand back.
PROBE = """
<script>
window.addEventListener("load", function () {
  function rgba(text) {
    var m = text.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  }
  function over(top, bottom) {
    return {r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
            b: top.b * top.a + bottom.b * (1 - top.a), a: 1};
  }
  function background(element) {
    var layers = [];
    for (var e = element; e; e = e.parentElement) {
      var c = rgba(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    var result = {r: 255, g: 255, b: 255, a: 1};  // a mail client's pane is white
    for (var i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
    return result;
  }
  function luminance(c) {
    var parts = [c.r, c.g, c.b].map(function (v) {
      v = v / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2];
  }
  var root = document.documentElement;
  var low = [];
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    var element = node.parentElement;
    var style = getComputedStyle(element);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (element.closest("[style*='display:none'], [style*='display: none']")) continue;
    var back = background(element);
    var fore = over(rgba(style.color), back);
    var l1 = luminance(fore), l2 = luminance(back);
    var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    var size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    var needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < needed) {
      low.push({text: node.textContent.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100});
    }
  }
  var found = {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    lowContrast: low,
    images: Array.prototype.slice.call(document.images).map(function (i) {
      return {alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth,
              shownWidth: i.getBoundingClientRect().width};
    })
  };
  // Inside a frame of the screen's width (Chromium's window is never narrower than 500 px):
  // the result goes to the page around it, the one --dump-dom hands back.
  var host = window.parent.document;
  var out = host.createElement("pre");
  out.id = "layout-probe";
  out.textContent = JSON.stringify(found);
  host.body.appendChild(out);
});
</script>
"""


def _chromium(profile: Path, *args: str) -> str:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def _page(message: EmailMessage) -> str:
    """The HTML part with its inline images made data: URIs, as a mail client shows it."""
    body = message.get_body(("html",))
    assert isinstance(body, EmailMessage)
    page = str(body.get_content())
    for part in message.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_maintype() == "image":
            data = b64encode(part.get_payload(decode=True)).decode()
            uri = f"data:{part.get_content_type()};base64,{data}"
            page = page.replace(f"cid:{cid.strip('<>')}", uri)
    return page


_VARYING = re.compile(r"\d{4}-(\d{2}|W\d{2})|EXM-.*|.*@.*|[0-9a-f]{12,}")


def kind(key: str) -> str:
    """``exemption/EXM-2021-05-001/to-head`` -> ``exemption/to-head``: one per template use."""
    return "/".join(part for part in key.split("/") if not _VARYING.fullmatch(part))


def _one_of_each_kind(workspace: Path) -> dict[str, EmailMessage]:
    found: dict[str, EmailMessage] = {}
    outbox = workspace / "mail" / "outbox"
    for path in sorted([*(outbox / "new").iterdir(), *(outbox / "cur").iterdir()]):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.setdefault(kind(str(message[KEY_HEADER])), message)
    return found


@pytest.fixture(scope="module")
def mails(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EmailMessage]:
    runner = CliRunner()
    month = tmp_path_factory.mktemp("month") / "ws"
    assert runner.invoke(main, ["demo", "--workspace", str(month)]).exit_code == 0
    chain = tmp_path_factory.mktemp("chain") / "ws"
    result = runner.invoke(main, ["demo", "--workspace", str(chain), "--pause-on", "2021-05-20"])
    assert result.exit_code == 0, result.output
    config = ["--config", str(chain / "config.yaml")]
    # The request waits for the director over the weekend: Monday's digest opens with it.
    for who, words, about, at in (
        ("Rachel Morgan", "I have a final hearing all next week. Please can I be exempt?", [], []),
        ("Priya Sharma", "I support this.", ["--about", "EXM-2021-05-001"], []),
        (None, "", [], ["--at", "2021-05-24T09:30"]),
        (
            "Helen Whitmore",
            "Approved.",
            ["--about", "EXM-2021-05-001"],
            ["--at", "2021-05-24T10:00"],
        ),
    ):
        if who is not None:
            written = runner.invoke(main, [*config, "reply", "--from", who, *about, words])
            assert written.exit_code == 0, written.output
        ticked = runner.invoke(main, [*config, "tick", *at])
        assert ticked.exit_code == 0, ticked.output
    found = _one_of_each_kind(chain) | _one_of_each_kind(month)
    # The director's digest with a decision waiting for her: the one worth a picture.
    found["digest/director"] = _with_key(chain, "digest/2021-W21/director")
    return found


def _with_key(workspace: Path, key: str) -> EmailMessage:
    new = workspace / "mail" / "outbox" / "new"
    for path in sorted(new.iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if str(message[KEY_HEADER]) == key:
            assert isinstance(message, EmailMessage)
            return message
    raise AssertionError(f"no mail {key} in {workspace}")


def test_a_month_sends_the_kinds_of_mail_looked_at_here(mails: dict[str, EmailMessage]) -> None:
    expected = {"allocation", "reminder/stage-10", "reminder/stage-0", "digest/director",
                "digest/head", "exemption/to-head", "exemption/to-director",
                "exemption/outcome", "close/qa"}  # fmt: skip
    assert expected <= set(mails), sorted(mails)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_mail_fits_the_screen_with_alt_text_and_readable_contrast(
    mails: dict[str, EmailMessage], width: int, tmp_path: Path
) -> None:
    problems: dict[str, object] = {}
    for shown, message in sorted(mails.items()):
        name = re.sub(r"\W+", "-", shown)
        page = tmp_path / f"{name}.html"
        framed = html.escape(_page(message).replace("</body>", PROBE + "</body>"), quote=True)
        page.write_text(
            "<!doctype html><html><body style='margin:0'>"
            f"<iframe srcdoc=\"{framed}\" style='width:{width}px;height:900px;border:0'>"
            "</iframe></body></html>",
            encoding="utf-8",
        )
        dom = _chromium(tmp_path / "profile", "--window-size=1024,1000", "--dump-dom",
                        page.as_uri())  # fmt: skip
        match = re.search(r'<pre id="layout-probe"[^>]*>(.*?)</pre>', dom, re.S)
        assert match, f"{shown}: Chromium did not finish loading the page"
        found = json.loads(html.unescape(match.group(1)))
        wrong = []
        if found["scrollWidth"] > found["clientWidth"]:
            wrong.append(f"{found['scrollWidth']} px wide")
        wrong += [f"low contrast {t['ratio']}: {t['text']!r}" for t in found["lowContrast"]]
        for image in found["images"]:
            if not image["alt"]:
                wrong.append("an image without alt text")
            if not (image["complete"] and image["naturalWidth"] > 0):
                wrong.append("an image that does not load")
            if image["shownWidth"] > width:
                wrong.append(f"an image {image['shownWidth']} px wide")
        if wrong:
            problems[shown] = wrong
        if shown in DOCS_KINDS and os.environ.get("AUDITBOT_WRITE_DOCS_SAMPLE"):
            plain = tmp_path / f"{name}-plain.html"
            plain.write_text(_page(message), encoding="utf-8")
            shot = tmp_path / f"{name}-{width}.png"
            _chromium(tmp_path / "profile", f"--window-size={width},1400",
                      f"--screenshot={shot}", plain.as_uri())  # fmt: skip
            DOCS.mkdir(exist_ok=True)
            shutil.copyfile(shot, DOCS / f"{DOCS_KINDS[shown]}-{width}px.png")
    assert problems == {}, json.dumps(problems, indent=1)
