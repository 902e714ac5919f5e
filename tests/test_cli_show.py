"""`ner-cli show`: plain markers without colour, rich colours and the pager on a terminal."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import termios
import threading

import pytest

from ner_cli.labels import COLOURS
from ner_cli.render import (
    entity_counts,
    marked_text,
    plain_view,
    wants_colour,
    write_views,
)
from tests.conftest import SEED_SAMPLE, ner_cli_executable

MARKER = re.compile(r"\[([^\[\]|]+)\|([A-Z]+)\]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ARTICLE = {
    "id": "a.txt", "source": "a.txt",
    "text": "Vladimir Poutine a reçu Kim Jong Un à Vladivostok. Poutine sourit.",
    "entities": [
        {"text": "Vladimir Poutine", "label": "PER", "start": 0, "end": 16},
        {"text": "Kim Jong Un", "label": "PER", "start": 24, "end": 35},
        {"text": "Vladivostok", "label": "LOC", "start": 38, "end": 49},
        {"text": "Poutine", "label": "PER", "start": 51, "end": 58},
    ],
}


def rgb(hex_colour: str) -> str:
    return ";".join(str(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5))


def test_marked_text_puts_text_and_label_in_brackets():
    assert marked_text(ARTICLE) == ("[Vladimir Poutine|PER] a reçu [Kim Jong Un|PER] à "
                                    "[Vladivostok|LOC]. [Poutine|PER] sourit.")


def test_plain_view_has_legend_and_per_entity_summary():
    # a record without entities_grouped is grouped as extract groups: "Poutine" joins
    # "Vladimir Poutine" (ner_cli.entities.record_entities)
    lines = plain_view(ARTICLE).splitlines()
    assert lines[1:] == [
        "",
        "-- a.txt: 4 mentions, 3 entities",
        "labels: PER person, LOC place",
        "2  PER  Vladimir Poutine (Poutine)",
        "1  PER  Kim Jong Un",
        "1  LOC  Vladivostok",
    ]


def test_summary_uses_entities_grouped():
    grouped = dict(ARTICLE, entities_grouped=[
        {"id": "E1", "name": "Vladimir Poutine", "label": "PER", "count": 2,
         "variants": ["Vladimir Poutine", "Poutine"], "first_start": 0},
        {"id": "E2", "name": "Kim Jong Un", "label": "PER", "count": 1,
         "variants": ["Kim Jong Un"], "first_start": 24},
        {"id": "E3", "name": "Vladivostok", "label": "LOC", "count": 1,
         "variants": ["Vladivostok"], "first_start": 38},
    ])
    assert [(e.name, e.count) for e in entity_counts(grouped)] == [
        ("Vladimir Poutine", 2), ("Kim Jong Un", 1), ("Vladivostok", 1)]
    assert "2  PER  Vladimir Poutine (Poutine)" in plain_view(grouped).splitlines()


@pytest.mark.parametrize(
    ("environ", "isatty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # no-color.org: set *and* not empty
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),
    ],
)
def test_wants_colour(environ, isatty, expected):
    class Stream(io.StringIO):
        def isatty(self):
            return isatty

    assert wants_colour(Stream(), environ) is expected


def test_colour_view_paints_each_mention_in_its_label_colour(monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("COLUMNS", "100")
    out = io.StringIO()
    write_views([ARTICLE], out, colour_on=True)
    rendered = out.getvalue()
    for label in ("PER", "LOC"):
        assert f"48;2;{rgb(COLOURS[label])}" in rendered  # background in the label's colour
    plain = ANSI.sub("", rendered)
    assert plain.startswith(ARTICLE["text"] + "\n")  # colour only, no marker
    assert "[Vladimir Poutine|PER]" not in plain
    assert "a.txt: 4 mentions, 3 entities" in plain and " PER  person" in plain


def test_colour_view_never_reads_input_as_markup(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    text = "[bold]Le[/bold] groupe [AFP] et [red]Thales[/]."
    record = {"id": "[b]x[/b].txt", "source": "x", "text": text, "entities": [
        {"text": "[AFP]", "label": "ORG", "start": 22, "end": 27},
        {"text": "[red]Thales[/]", "label": "ORG", "start": 31, "end": 45}]}
    out = io.StringIO()
    write_views([record], out, colour_on=True)
    plain = ANSI.sub("", out.getvalue())
    assert plain.startswith(text + "\n")
    assert "[b]x[/b].txt: 2 mentions, 2 entities" in plain
    assert "[AFP]" in plain.split("entity", 1)[1] and "[red]Thales[/]" in plain.split("entity")[1]


def unmark(marked: str) -> str:
    return MARKER.sub(r"\1", marked)


def test_cli_show_without_a_terminal_writes_plain_markers(cli):
    result = cli("show", SEED_SAMPLE)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    text = SEED_SAMPLE.read_text(encoding="utf-8")
    body, summary = result.stdout.split("\n\n-- ", 1)
    assert unmark(body) == text.rstrip("\n")  # the markers add nothing else to the text
    (extracted,) = json.loads(cli("extract", SEED_SAMPLE, "-f", "json", "-q").stdout)
    assert MARKER.findall(body) == [(e["text"], e["label"]) for e in extracted["entities"]]
    assert "[Vladimir Poutine|PER]" in body
    assert summary.startswith(f"{SEED_SAMPLE}: {len(extracted['entities'])} mentions")


def test_cli_show_reads_stdin_and_honours_labels(cli):
    result = cli("show", "-", "--labels", "loc", input="Emmanuel Macron est à Marseille.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Emmanuel Macron est à [Marseille|LOC].\n\n-- stdin: 1 ")


def test_cli_show_force_color(cli, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    result = cli("show", "-", input="Emmanuel Macron est à Marseille.")
    assert f"48;2;{rgb(COLOURS['LOC'])}" in result.stdout
    assert "[Marseille|LOC]" not in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "nope.txt"], 2, "ner-cli: error: nope.txt: no such file or directory\n"),
        (["show", "a.txt", "b.txt"], 2, "ner-cli: error: a.txt: no such file or directory\n"),
    ],
)
def test_cli_show_errors(cli, monkeypatch, tmp_path, args, code, message):
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.exit_code == code
    assert result.stdout == ""
    if message is not None:
        assert result.stderr == message


def test_cli_show_unreadable_file_exits_1(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Paris\x00\x00\x01")
    result = cli("show", bad)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"ner-cli: {bad}: binary file (NUL bytes), skipped\n"


def test_cli_show_views_each_document_of_a_folder(cli, tmp_path):
    (tmp_path / "a.txt").write_text("Emmanuel Macron est à Marseille.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Angela Merkel est à Berlin.", encoding="utf-8")
    result = cli("show", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "[Marseille|LOC]" in result.stdout and "[Berlin|LOC]" in result.stdout
    assert result.stdout.index("Marseille") < result.stdout.index("Berlin")


def run_in_terminal(args: list[str], env: dict, rows: int = 24, columns: int = 80) -> str:
    """Run ner-cli with a pseudo-terminal as stdin and stdout; returns what the terminal got."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "PAGER", "LESS")}
    full_env.update(TERM="xterm-256color", COLORTERM="truecolor", **env)
    process = subprocess.Popen([ner_cli_executable(), *args], stdin=follower, stdout=follower,
                               stderr=subprocess.PIPE, env=full_env)
    os.close(follower)
    received = []

    def drain():
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        _, stderr = process.communicate(timeout=300)
    finally:
        reader.join(timeout=10)
        os.close(leader)
    assert process.returncode == 0, stderr.decode()
    return b"".join(received).decode("utf-8", "replace")


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(
    ("lines", "pager", "paged"),
    [(30, True, True), (30, False, False), (5, True, False)],
)
def test_pager_only_for_views_taller_than_the_terminal(monkeypatch, lines, pager, paged):
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("LESS", "")  # recorded, so that teardown removes what the view sets
    monkeypatch.delenv("LESS")
    seen = []
    monkeypatch.setattr("pydoc.pager", seen.append)
    record = {"id": "t", "source": "t", "text": "Paris.\n" * lines,
              "entities": [{"text": "Paris", "label": "LOC", "start": 0, "end": 5}]}
    out = Terminal()
    write_views([record], out, colour_on=True, pager=pager)
    assert bool(seen) is paged and bool(out.getvalue()) is not paged
    assert "Paris" in ANSI.sub("", (seen or [out.getvalue()])[0])
    if paged:
        assert os.environ["LESS"] == "FRX"  # less shows the colours (-R)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_long_texts_go_through_the_pager_in_colour(tmp_path):
    paged = tmp_path / "paged.txt"
    # PAGER runs through the shell, as it does for users (pydoc)
    terminal = run_in_terminal(["show", str(SEED_SAMPLE)], {"PAGER": f"cat > '{paged}'"})
    view = paged.read_text(encoding="utf-8")
    assert f"48;2;{rgb(COLOURS['PER'])}" in view
    assert "Vladivostok" in ANSI.sub("", view)
    assert "Vladivostok" not in terminal  # it went to the pager, not straight to the terminal
