"""Expected entities of samples/*.txt: read the files, compare with what ner-cli prints.

    python tests/update_expected.py [SAMPLE ...]          # show what changed, nothing written
    python tests/update_expected.py [SAMPLE ...] --write  # also list new entities UNREVIEWED

Each sample has tests/data/expected/<sample>.entities.tsv, written and read by a person
against the annotation guidelines (labels, span convention). Tab-separated, in sections:

    ## expected         label, start, end, text: what ner-cli must print, and it is right
    ## known mistakes   label, start, end, text as printed, then the right answer and why
    ## known misses     label, start, end, text a person sees and the model does not print
    ## UNREVIEWED       label, start, end, text printed by the model, not read by anyone yet

tests/test_extract_samples.py fails while the output and the file disagree, or while anything
is UNREVIEWED. This script never moves an entity into "expected" nor removes one: --write
only appends newly printed entities under UNREVIEWED, for a person to read and move.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
EXPECTED = Path(__file__).resolve().parent / "data" / "expected"
SECTIONS = ("expected", "known mistakes", "known misses", "UNREVIEWED")
# Columns after label, start, end, text that each section needs filled in.
NOTES = {"expected": 0, "known mistakes": 2, "known misses": 1, "UNREVIEWED": 0}

Key = tuple[str, int, int, str]  # label, start, end, text


@dataclass
class Expectations:
    path: Path
    sections: dict[str, dict[Key, list[str]]]  # section -> entity -> its notes

    @property
    def expected(self) -> dict[Key, list[str]]:
        return self.sections["expected"]

    @property
    def mistakes(self) -> dict[Key, list[str]]:
        return self.sections["known mistakes"]

    @property
    def misses(self) -> dict[Key, list[str]]:
        return self.sections["known misses"]

    @property
    def unreviewed(self) -> dict[Key, list[str]]:
        return self.sections["UNREVIEWED"]


def expected_path(sample: str) -> Path:
    return EXPECTED / f"{sample}.entities.tsv"


def read_expectations(path: Path) -> Expectations:
    """Parse an expected-entities file; a malformed line raises ValueError naming it."""
    sections: dict[str, dict[Key, list[str]]] = {name: {} for name in SECTIONS}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path.name}:{number}"
        if line.startswith("## "):
            current = line[3:].split(":")[0].strip()
            if current not in sections:
                raise ValueError(f"{where}: unknown section {current!r} (one of {SECTIONS})")
            continue
        if not line.strip() or line.startswith("#"):
            continue
        if current is None:
            raise ValueError(f"{where}: an entity before the first '## section' line")
        cells = line.split("\t")
        if len(cells) != 4 + NOTES[current] or not all(c.strip() for c in cells):
            raise ValueError(f"{where}: {current} lines have {4 + NOTES[current]} non-empty "
                             f"tab-separated columns, this one has {len(cells)}")
        label, start, end, text, *notes = cells
        key = (label, int(start), int(end), text)
        for name, entries in sections.items():
            if key in entries:
                raise ValueError(f"{where}: {show(key)} is already listed under {name}")
        sections[current][key] = notes
    return Expectations(path, sections)


def show(key: Key) -> str:
    label, start, end, text = key
    return f"{label} {start} {end} {text!r}"


def printed_entities(paths: list[Path]) -> dict[str, set[Key]]:
    """What `ner-cli extract PATHS --format jsonl` prints, per sample name (file stem)."""
    from typer.testing import CliRunner

    from ner_cli.cli import app

    result = CliRunner().invoke(app, ["extract", *map(str, paths), "--format", "jsonl", "-q"])
    if result.exit_code != 0:
        raise RuntimeError(f"ner-cli extract failed ({result.exit_code}): {result.stderr}")
    found = {}
    for line in result.stdout.splitlines():
        record = json.loads(line)
        found[Path(record["source"]).stem] = {
            (e["label"], e["start"], e["end"], e["text"]) for e in record["entities"]}
    return found


def changes(printed: set[Key], expectations: Expectations) -> list[str]:
    """One line per entity where the output and the file disagree, in text order."""
    listed = {**expectations.expected, **expectations.mistakes, **expectations.unreviewed}
    gone = [key for key in listed if key not in printed]
    new = {key[1:]: key for key in printed if key not in listed}
    lines: list[tuple[int, str]] = []
    for key in gone:
        if key in expectations.expected:
            where = "expected"
        elif key in expectations.mistakes:
            right = expectations.mistakes[key][0]
            where = f"a known mistake (right: {right})"
        else:
            where = "UNREVIEWED"
        now = new.pop(key[1:], None)  # same span and text, another label
        if now is not None:
            note = ""
            if key in expectations.mistakes and now[0] == expectations.mistakes[key][0]:
                note = "; now the right answer: move it to expected"
            lines.append((key[1], f"~ {show(key)} relabelled {now[0]}: was {where}{note}"))
        else:
            lines.append((key[1], f"- {show(key)} no longer printed: was {where}"))
    for key in new.values():
        note = " (a known miss: now found?)" if key in expectations.misses else ""
        lines.append((key[1], f"+ {show(key)} printed, not in the file{note}"))
    for key in expectations.unreviewed:
        if key in printed:
            lines.append((key[1], f"? {show(key)} UNREVIEWED: read it, then move it to "
                                  "expected or known mistakes"))
    return [line for _, line in sorted(lines, key=lambda item: item[0])]


def report(sample: str, found: list[str]) -> str:
    path = expected_path(sample).relative_to(ROOT)
    return "\n".join([
        f"samples/{sample}.txt: ner-cli's entities differ from {path}:",
        *(f"  {line}" for line in found),
        "Read each line against the sample and the annotation guidelines, then edit the file",
        "by hand: a right entity goes under 'expected', a wrong one under 'known mistakes'",
        "with the right answer and the reason; remove what is no longer printed.",
        f"`python tests/update_expected.py {sample}` shows this diff; --write lists new",
        "entities under UNREVIEWED (never under expected).",
    ])


def add_unreviewed(path: Path, keys: list[Key]) -> None:
    """Append ``keys`` to the file's UNREVIEWED section (created at the end if missing)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("## UNREVIEWED")),
                  None)
    if header is None:
        lines += ["", "## UNREVIEWED: printed by ner-cli, not yet read by a person"]
        header = len(lines) - 1
    end = next((i for i in range(header + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    while end > header + 1 and not lines[end - 1].strip():
        end -= 1
    rows = ["\t".join(map(str, key)) for key in sorted(keys, key=lambda k: (k[1], k[2], k[0]))]
    lines[end:end] = rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("samples", nargs="*", help="sample names (default: all of samples/)")
    parser.add_argument("--write", action="store_true",
                        help="append newly printed entities under UNREVIEWED")
    args = parser.parse_args(argv)
    names = [Path(name).stem for name in args.samples] or sorted(
        path.stem for path in SAMPLES.glob("*.txt"))
    printed = printed_entities([SAMPLES / f"{name}.txt" for name in names])
    differs = False
    for name in names:
        path = expected_path(name)
        if not path.exists():
            if not args.write:
                print(f"{path.relative_to(ROOT)} is missing; --write starts it")
                differs = True
                continue
            path.write_text(f"# Entities ner-cli should print for samples/{name}.txt\n"
                            "## expected\n## known mistakes\n## known misses\n",
                            encoding="utf-8")
        expectations = read_expectations(path)
        found = changes(printed[name], expectations)
        if not found:
            print(f"samples/{name}.txt: as expected")
            continue
        differs = True
        print(report(name, found))
        listed = {**expectations.expected, **expectations.mistakes, **expectations.unreviewed}
        new = [key for key in printed[name] if key not in listed]
        if args.write and new:
            add_unreviewed(path, new)
            print(f"wrote {len(new)} entities under UNREVIEWED in {path.relative_to(ROOT)}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
