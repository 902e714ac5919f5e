"""--output-dir: one JSON file per document, mirroring the input tree, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath


def output_path(out_dir: Path, doc_id: str) -> Path:
    """Where the record of ``doc_id`` goes: ``out_dir/<id>.json``, never outside out_dir."""
    parts = [p for p in PurePosixPath(doc_id.replace("\\", "/")).parts
             if p not in ("/", "", ".", "..")]
    return out_dir.joinpath(*(parts or ["_"])).with_name(f"{(parts or ['_'])[-1]}.json")


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename: complete or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_output_dir(records: Iterable[dict], out_dir: Path) -> None:
    """One indented JSON file per successful record; error records get no file (so --resume
    retries them)."""
    for record in records:
        if "error" not in record:
            write_atomically(output_path(out_dir, record["id"]),
                             json.dumps(record, ensure_ascii=False, indent=2) + "\n")
