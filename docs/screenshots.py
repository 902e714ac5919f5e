"""Remake the README screenshots (docs/*.png) with headless Chromium: python docs/screenshots.py

The terminal view is `ner-cli show` with colours forced, drawn by rich as SVG; the HTML views
are `ner-cli extract --format html` on the seed sample and on samples/. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SEED = "samples/rpdc-russie-vostotchny.txt"
SHORT = "samples/sport-tour-de-france.txt"  # the whole terminal view fits in the picture
CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")
LIMIT = 200_000  # bytes per PNG, for the README


def ner_cli(*args: str, env: dict | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "ner_cli", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, **(env or {})})
    return done.stdout


def shoot(page: Path, png: Path, width: int, height: int, scratch: Path) -> None:
    profile = Path(tempfile.mkdtemp(dir=scratch))
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                    f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    size = png.stat().st_size
    print(f"{png.relative_to(ROOT)}: {width}x{height}, {size:,} bytes")
    if size > LIMIT:
        sys.exit(f"{png.name} is over {LIMIT:,} bytes: take a smaller window")


def terminal_page(scratch: Path) -> Path:
    from rich.console import Console
    from rich.text import Text

    ansi = ner_cli("show", SHORT, "--no-pager", env={"FORCE_COLOR": "1", "NO_COLOR": "",
                                                      "COLORTERM": "truecolor", "COLUMNS": "96"})
    console = Console(record=True, width=96, force_terminal=True, color_system="truecolor",
                      file=open(os.devnull, "w"))  # noqa: SIM115 - recorded, not shown
    console.print(Text.from_ansi(ansi), end="")
    page = scratch / "terminal.html"
    svg = console.export_svg(title=f"ner-cli show {SHORT}")
    page.write_text(f'<!DOCTYPE html><body style="margin:0">{svg}</body>', encoding="utf-8")
    return page


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        scratch = Path(name)
        shoot(terminal_page(scratch), DOCS / "show-terminal.png", 1000, 720, scratch)
        document = scratch / "document.html"
        ner_cli("extract", SEED, "-o", str(document), "-q")
        shoot(document, DOCS / "report-document.png", 1000, 900, scratch)
        corpus = scratch / "corpus.html"
        ner_cli("extract", "samples", "-o", str(corpus), "-q")
        shoot(corpus, DOCS / "report-corpus.png", 1000, 900, scratch)


if __name__ == "__main__":
    main()
