"""The HTML report in a real browser: headless Chromium renders it, we read the rendered DOM.

Debian's `chromium` (/usr/bin/chromium; `.ci/run` installs it). Without it the tests skip,
except in CI (CI=true), where they fail: the browser test must run there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from html import unescape
from pathlib import Path

import pytest

from ner_cli.writers.html import write_html
from tests.conftest import SAMPLES, SEED_SAMPLE
from tests.test_writers_html import Page, record

WINDOW = (1200, 1500)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--window-size={WINDOW[0]},{WINDOW[1]}")
HOSTILE = ('<script>document.title="pwned";'
           'document.body.insertAdjacentHTML("beforeend", "<p id=pwned>pwned</p>")</script>\n'
           '<img src=x onerror="document.title=\'pwned\'"> Emmanuel Macron est à Paris.\n')


def chromium_binary() -> str | None:
    """Debian's chromium, or any `chromium` on PATH."""
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def require_chromium(binary: str | None, environ) -> str:
    """``binary``, else skip the test; in CI (CI=true) fail it: it must run there."""
    if binary is None:
        if environ.get("CI") == "true":
            pytest.fail("CI=true but no chromium binary: .ci/run must install Debian's chromium")
        pytest.skip("no chromium binary (Debian: apt-get install chromium)")
    return binary


@pytest.mark.parametrize(
    ("environ", "outcome"),
    [({"CI": "true"}, pytest.fail.Exception), ({}, pytest.skip.Exception),
     ({"CI": "false"}, pytest.skip.Exception)],
)
def test_no_chromium_skips_except_in_ci(environ, outcome):
    with pytest.raises(outcome):
        require_chromium(None, environ)
    assert require_chromium("/usr/bin/chromium", environ) == "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """``browser(page, *flags) -> stdout`` runs headless Chromium on a local file."""
    binary = require_chromium(chromium_binary(), os.environ)

    def run(page: Path, *flags: str) -> str:
        profile = tmp_path_factory.mktemp("chromium-profile")
        done = subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *flags,
                               page.as_uri()], capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        return done.stdout.decode("utf-8")

    return run


def rendered(browser, page: Path) -> Page:
    """The DOM after Chromium loaded and rendered ``page``."""
    return Page(browser(page, "--dump-dom"))


def screenshot(browser, page: Path, png: Path) -> None:
    browser(page, f"--screenshot={png}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == WINDOW


def json_records(cli, *args) -> list[dict]:
    result = cli("extract", *args, "-f", "jsonl", "-q")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_sample_report_marks_every_mention(cli, browser, tmp_path):
    report = tmp_path / "report.html"
    assert cli("extract", SEED_SAMPLE, "-o", report, "-q").exit_code == 0
    (record,) = json_records(cli, SEED_SAMPLE)
    page = rendered(browser, report)
    assert len(page.marks) == len(record["entities"])
    assert page.marks == [(e["text"], e["label"]) for e in record["entities"]]
    assert page.text_of["text"] == SEED_SAMPLE.read_text(encoding="utf-8")
    assert page.title == f"{SEED_SAMPLE} · ner-cli"
    screenshot(browser, report, tmp_path / "report.png")


@pytest.mark.slow
def test_injected_markup_is_shown_as_text_and_never_runs(cli, browser, tmp_path):
    article = tmp_path / "<b>&amp;.txt"  # the id is input too
    article.write_text(HOSTILE, encoding="utf-8")
    report = tmp_path / "report.html"
    result = cli("extract", article, "-o", report, "-q")
    assert result.exit_code == 0, result.stderr
    page = rendered(browser, report)
    assert page.title == f"{article} · ner-cli"  # the script would have set "pwned"
    assert "pwned" not in page.ids
    assert not {"script", "img", "b"} & page.tags.keys()  # no element came from the input
    assert page.text_of["text"] == HOSTILE  # the markup shows as text, character for character
    (record,) = json_records(cli, article)
    assert len(page.marks) == len(record["entities"]) >= 2  # Macron, Paris
    screenshot(browser, report, tmp_path / "hostile.png")


@pytest.mark.slow
def test_folder_report_on_55_documents(cli, browser, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    samples = sorted(SAMPLES.glob("*.txt"))
    for number in range(55):
        sample = samples[number % len(samples)]
        # variants, not copies: each document names its own place and author
        text = sample.read_text(encoding="utf-8") + (
            f"\nDépêche n° {number}, rédigée à {['Lyon', 'Marseille', 'Lille'][number % 3]} "
            f"par Jeanne Martin{number}.\n")
        (corpus / f"{number:02d}-{sample.name}").write_text(text, encoding="utf-8")
    report = tmp_path / "corpus.html"
    result = cli("extract", corpus, "-o", report, "-q")
    assert result.exit_code == 0, result.stderr
    records = json_records(cli, corpus)
    assert len(records) == 55
    page = rendered(browser, report)
    assert len(page.marks) == sum(len(r["entities"]) for r in records)
    assert page.classes["doc"] == 55
    assert page.links.count("#doc-1") == 2 and "#doc-55" in page.links  # index and heading
    assert {"index", "corpus"} <= page.ids
    labels = {e["label"] for r in records for e in r["entities"]}
    assert page.tags["svg"] == len(labels)  # one bar chart per label
    screenshot(browser, report, tmp_path / "corpus.png")


# Layout at a phone-like width: what only a browser can tell. The page runs no script (its CSP
# says so); the test adds one to a copy, without the CSP, that writes what it measures into
# the DOM for --dump-dom.
MEASURE = """<script>
const lines = (selector) => [...document.querySelectorAll(selector)].map(
  (element) => [element.textContent, element.getClientRects().length]);
const svg = document.querySelector('[data-label-chart="ORG"] svg').getBoundingClientRect();
const names = [...document.querySelectorAll('[data-label-chart="ORG"] g')].map((g) => {
  const text = g.querySelector("text"), box = text.getBoundingClientRect();
  const lines = [...text.querySelectorAll("tspan")].map((line) => line.textContent);
  return [lines.length ? lines.join(" ") : text.textContent, box.left >= svg.left,
          box.right <= svg.right];
});
const out = document.createElement("pre");
out.id = "layout";
out.textContent = JSON.stringify({width: window.innerWidth, marks: lines("mark.ent:not(.long)"),
  long_marks: lines("mark.ent.long"), words: lines("mark.ent.long .word"), names: names});
document.body.append(out);
</script>"""


def measured(browser, report: Path, width: int) -> dict:
    html = report.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    page = report.with_name("measured.html")
    page.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = browser(page, "--dump-dom", f"--window-size={width},900")
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    return json.loads(unescape(found.group(1)))


@pytest.mark.slow
def test_marks_and_chart_names_at_500_pixels(browser, tmp_path):
    # Each name after prefixes of every length: at some, it falls at a line's end, where a
    # browser breaks at a hyphen unless told not to.
    short, long = "Extrême-Orient", "Organisation du traité de l'Atlantique-Nord"
    name = "Federal Aviation Administration"  # 31 characters: cut in the chart before
    text = "".join(f"{'x' * i} {short} et {long}, " for i in range(1, 40)) + f"la {name}."
    found = [(short, "LOC"), (long, "ORG")] * 39 + [(name, "ORG")]
    records = [record(f"{i}.txt", text, found) for i in range(2)]
    report = tmp_path / "narrow.html"
    with report.open("w", encoding="utf-8") as out:
        write_html(records, out)
    layout = measured(browser, report, 500)
    assert layout["width"] == 500
    assert len(layout["marks"]) == 2 * 39 and len(layout["long_marks"]) == 2 * 40
    assert [m for m in layout["marks"] if m[1] != 1] == []  # a short mark never breaks
    assert any(lines > 1 for _, lines in layout["long_marks"])  # a long one may wrap…
    assert {text_ for text_, _ in layout["words"]} == {"l'Atlantique-Nord"}
    assert [w for w in layout["words"] if w[1] != 1] == []  # …but never inside a word
    assert [name, True, True] in layout["names"]  # whole, inside the chart
    assert sorted(n[0] for n in layout["names"]) == sorted([long, name])
