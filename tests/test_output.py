"""Where output goes: one atomic writer with the mode a plain open gives, one format chooser."""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from pathlib import Path

import pytest

from ner_cli.errors import OutputError, UnwritableOutput
from ner_cli.output import (
    atomic_open,
    choose_format,
    open_output,
    sigint_held,
    write_atomically,
)
from ner_cli.writers import Format, records_format
from ner_cli.writers.corpus import StatsFormat, stats_format


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_files_get_the_mode_open_gives(tmp_path, umask_022):
    with atomic_open(tmp_path / "o.jsonl") as out:
        out.write("{}\n")
    write_atomically(tmp_path / "deep" / "d.json", "{}\n")  # --output-dir, the model card
    with open(tmp_path / "plain", "w") as out:
        out.write("")
    assert mode(tmp_path / "o.jsonl") == mode(tmp_path / "deep" / "d.json") == \
        mode(tmp_path / "plain") == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_existing_file_keeps_its_mode(tmp_path, umask_022):
    path = tmp_path / "o.csv"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o600)
    write_atomically(path, "new")
    assert (path.read_text(encoding="utf-8"), mode(path)) == ("new", 0o600)


def test_a_failed_block_leaves_the_old_file(tmp_path):
    path = tmp_path / "o.jsonl"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_open(path) as out:
        out.write("half")
        raise RuntimeError
    assert path.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [path]


def test_unwritable_paths_and_failed_writes_are_told_apart(tmp_path):
    with pytest.raises(UnwritableOutput) as raised, atomic_open(tmp_path / "no" / "o.jsonl"):
        pass
    assert raised.value.path == str(tmp_path / "no" / "o.jsonl")
    # part-way through a run (--output-dir, model card) any failure is a run-time one
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(OutputError):
        write_atomically(tmp_path / "file" / "under" / "o.json", "{}")


def test_ctrl_c_while_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    # Ctrl-C right after mkstemp, before atomic_open knows the file's name: the race a
    # -j 2 run interrupted while writing --output-dir files hit.
    path = tmp_path / "o.jsonl"
    path.write_text("old", encoding="utf-8")
    mkstemp = tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args, **kwargs):
        made = mkstemp(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_ctrl_c)
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), atomic_open(path) as out:
        out.write("new")
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_text(encoding="utf-8") == "old"
    assert signal.getsignal(signal.SIGINT) is handler


def test_ctrl_c_is_held_then_delivered_once():
    with pytest.raises(KeyboardInterrupt), sigint_held():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        reached = True  # not interrupted inside the block
    assert reached


def test_a_failed_chmod_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(fd, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", refuse)
    with pytest.raises(UnwritableOutput, match="operation not permitted"), \
            atomic_open(tmp_path / "o.jsonl"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_dash_is_stdout(tmp_path, capsys):
    with open_output(Path("-")) as out:
        out.write("x")
    assert capsys.readouterr().out == "x"
    assert not (Path.cwd() / "-").exists()


@pytest.mark.parametrize(
    ("explicit", "output", "terminal", "expected"),
    [(None, None, True, "table"), (None, None, False, "piped"), (None, Path("-"), True, "table"),
     (None, Path("-"), False, "piped"), (None, Path("a.CSV"), True, "csv"),
     (None, Path("a.xyz"), True, "unknown"), ("csv", Path("a.json"), False, "csv")],
)
def test_choose_format(explicit, output, terminal, expected):
    chosen = choose_format(explicit, output, terminal, by_suffix={".csv": "csv"},
                           terminal="table", piped="piped", unknown_suffix="unknown")
    assert chosen == expected


def test_both_commands_choose_the_same_way_for_dash():
    assert records_format(None, Path("-"), False) is Format.jsonl
    assert records_format(None, Path("-"), True) is Format.table
    assert stats_format(None, Path("-"), False) is StatsFormat.json
    assert stats_format(None, Path("-"), True) is StatsFormat.table
    assert records_format(None, Path("x.unknown"), True) is Format.jsonl
