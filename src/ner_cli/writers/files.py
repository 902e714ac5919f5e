"""--output-dir: one JSON file per document, mirroring the input tree, written atomically."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from ner_cli.output import write_atomically


def output_path(out_dir: Path, doc_id: str) -> Path:
    """Where the record of ``doc_id`` goes: ``out_dir/<id>.json``, never outside out_dir."""
    parts = [p for p in PurePosixPath(doc_id.replace("\\", "/")).parts
             if p not in ("/", "", ".", "..")]
    return out_dir.joinpath(*(parts or ["_"])).with_name(f"{(parts or ['_'])[-1]}.json")


def write_output_dir(records: Iterable[dict], out_dir: Path) -> None:
    """One indented JSON file per successful record; error records get no file (so --resume
    retries them)."""
    for record in records:
        if "error" not in record:
            write_atomically(output_path(out_dir, record["id"]),
                             json.dumps(record, ensure_ascii=False, indent=2) + "\n")
