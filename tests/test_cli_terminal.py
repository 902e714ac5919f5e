"""What only shows on a terminal: read through a pseudo-terminal (pty), as a person sees it."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time

import pytest

from tests.conftest import SAMPLES, SEED_SAMPLE, ner_cli_executable

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_terminal(*args: str, stdin_terminal: bool = True, stdout_terminal: bool = True,
                    timeout: float = 120) -> tuple[int, str, str]:
    """Run ``ner-cli`` with stderr (and stdin/stdout as asked) on a pty; returns (exit code,
    what the terminal showed, stdout when it is not the terminal)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
    env.pop("NER_CLI_DEBUG", None)
    process = subprocess.Popen(
        [ner_cli_executable(), *args], env=env, stderr=follower,
        stdin=follower if stdin_terminal else subprocess.DEVNULL,
        stdout=follower if stdout_terminal else subprocess.PIPE)
    os.close(follower)
    shown, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    out = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout=10)
    os.close(leader)
    return code, shown.decode("utf-8", "replace"), out


def screen_lines(shown: str) -> list[str]:
    """The lines left on screen: carriage returns and erase-line codes applied."""
    lines = []
    for raw in shown.replace("\r\n", "\n").split("\n"):
        text = raw.split("\r")[-1] if "\x1b[2K" not in raw else raw.rsplit("\x1b[2K", 1)[-1]
        text = ANSI.sub("", text.split("\r")[-1])
        lines.append(text)
    return lines


def test_no_path_on_a_terminal_is_a_usage_error():
    code, shown, _ = run_on_terminal("extract", timeout=30)
    assert code == 2
    assert "no input: give PATH arguments, - for stdin, or --files-from" in shown


def test_no_path_with_piped_stdin_reads_stdin(cli):
    result = cli("extract", "-f", "jsonl", "-q", input="Angela Merkel est à Berlin.")
    assert result.exit_code == 0, result.stderr
    assert '"source": "-"' in result.stdout and '"Angela Merkel"' in result.stdout


@pytest.mark.slow
def test_one_document_on_a_terminal_shows_the_table_and_no_bar():
    code, shown, _ = run_on_terminal("extract", str(SEED_SAMPLE))
    assert code == 0
    lines = screen_lines(shown)
    assert not [line for line in lines if "extracting" in line or "ETA" in line]
    table_top = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    # the header line is whole: nothing of a bar or spinner is glued to it
    assert lines[table_top - 1] == "samples/rpdc-russie-vostotchny.txt · 36 mentions" or \
        lines[table_top - 1].endswith("rpdc-russie-vostotchny.txt · 36 mentions")
    assert lines[table_top - 1].startswith(str(SEED_SAMPLE))
    assert "loading fr_core_news_md" in shown  # the spinner said what the wait was
    assert lines[-2].startswith("ner-cli: 1 document, 36 mentions, 0 failed")


@pytest.mark.slow
def test_a_folder_to_a_file_shows_a_moving_bar_then_the_summary(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(40):
        (folder / f"{n:02}.txt").write_text(SEED_SAMPLE.read_text(encoding="utf-8"),
                                           encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    code, shown, _ = run_on_terminal("extract", str(folder), "-o", str(tmp_path / "o.jsonl"),
                                     "--batch-size", "4", "-v")
    assert code == 0
    counts = [int(m) for m in re.findall(r"(\d+)/40 documents", ANSI.sub("", shown))]
    assert counts and counts == sorted(counts) and len(set(counts)) > 1  # it moved
    lines = [line for line in screen_lines(shown) if line]
    assert lines[-2] == f"ner-cli: skipped {folder / 'photo.png'}: not a known extension"
    assert lines[-1].startswith("ner-cli: 40 documents, 1,440 mentions, 0 failed")
    assert lines[-1].endswith("; 1 file skipped: not a known extension; see --glob")


def test_samples_folder_is_what_the_terminal_tests_assume():
    assert SEED_SAMPLE.parent == SAMPLES
