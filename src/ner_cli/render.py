"""Views of a record with its text: entity counts, text segments, and the terminal rendering.

The HTML writer shares ``segments``, ``entity_counts``, ``ink``, ``ordered_labels`` and
``LABEL_NAMES`` with the terminal view: both mark the same spans, count the same way and use
the same colours.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO

from ner_cli.labels import COLOURS, colour

LABEL_NAMES = {"PER": "person", "LOC": "place", "ORG": "organisation", "MISC": "other name"}
BLACK, WHITE = "#000000", "#FFFFFF"


@dataclass(frozen=True)
class DocumentEntity:
    """One entity of a document: its name, label, mention count and surface forms."""

    name: str
    label: str
    count: int
    variants: tuple[str, ...] = ()
    first_start: int = 0


def _luminance(hex_colour: str) -> float:
    # WCAG 2 relative luminance of an sRGB colour written "#RRGGBB".
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two "#RRGGBB" colours, from 1 (none) to 21 (black on white)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return max((BLACK, WHITE), key=lambda text: contrast_ratio(text, background))


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """``"1 mention"``, ``"2 mentions"``, ``"1,024 entities"``."""
    return f"{n:,} {word if n == 1 else plural_form or word + 's'}"


def ordered_labels(labels: Iterable[str]) -> list[str]:
    """The labels of the default model in their usual order, then any other label, sorted."""
    present = set(labels)
    return [label for label in COLOURS if label in present] + sorted(present - set(COLOURS))


def segments(text: str, entities: Iterable[Mapping]) -> Iterator[tuple[str, Mapping | None]]:
    """Cut ``text`` into ``(chunk, mention)`` pairs: mention is None between mentions.

    Mentions are taken in offset order; one that overlaps the previous one is left unmarked
    (its text still appears), so a chunk never repeats a character.
    """
    position = 0
    for mention in sorted(entities, key=lambda m: (m["start"], -m["end"])):
        start, end = mention["start"], mention["end"]
        if start < position or end <= start:
            continue
        if start > position:
            yield text[position:start], None
        yield text[start:end], mention
        position = end
    if position < len(text):
        yield text[position:], None


def entity_counts(record: Mapping) -> list[DocumentEntity]:
    """The entities of one document, most mentioned first (then in order of appearance),
    as ``record_entities`` groups them."""
    from ner_cli.entities import grouped_entities

    return [
        DocumentEntity(group["name"], group["label"], group["count"],
                       tuple(group.get("variants") or (group["name"],)),
                       group.get("first_start", 0))
        for group in grouped_entities(record)
    ]


# --- the terminal view -------------------------------------------------------------------

def wants_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour on a terminal unless NO_COLOR is set; FORCE_COLOR asks for it anywhere."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def marked_text(record: Mapping) -> str:
    """The text with plain markers, ``[Vladimir Poutine|PER]``, for when colour is off."""
    return "".join(chunk if mention is None else f"[{chunk}|{mention['label']}]"
                   for chunk, mention in segments(record["text"], record.get("entities", ())))


def _style(label: str) -> str:
    background = colour(label)
    return f"bold {ink(background)} on {background}"


def highlighted_text(record: Mapping):
    """The text as a rich Text, each mention on its label's colour."""
    from rich.text import Text

    text = Text()
    for chunk, mention in segments(record["text"], record.get("entities", ())):
        text.append(chunk, style=None if mention is None else _style(mention["label"]))
    return text


def _describe(label: str) -> str:
    name = LABEL_NAMES.get(label)
    return f"{label} {name}" if name else label


def _summary_line(record: Mapping, counts: list[DocumentEntity]) -> str:
    return (f"{record['id']}: {plural(len(record.get('entities', ())), 'mention')}, "
            f"{plural(len(counts), 'entity', 'entities')}")


def _entity_cell(entity: DocumentEntity) -> str:
    others = [variant for variant in entity.variants if variant != entity.name]
    return f"{entity.name} ({', '.join(others)})" if others else entity.name


def plain_view(record: Mapping) -> str:
    """Marked text, legend and per-entity summary as plain text, with a final newline."""
    counts = entity_counts(record)
    labels = ordered_labels(e.label for e in counts)
    lines = [marked_text(record).rstrip("\n"), ""]
    lines.append(f"-- {_summary_line(record, counts)}")
    if labels:
        lines.append("labels: " + ", ".join(_describe(label) for label in labels))
    width = max((len(str(e.count)) for e in counts), default=1)
    label_width = max((len(label) for label in labels), default=0)
    lines += [f"{e.count:>{width}}  {e.label:<{label_width}}  {_entity_cell(e)}" for e in counts]
    return "\n".join(lines) + "\n"


def colour_view(record: Mapping) -> list:
    """The rich renderables of the colour view: text, rule, legend, summary table."""
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    counts = entity_counts(record)
    legend = Text()
    for label in ordered_labels(e.label for e in counts):
        legend.append(f" {label} ", style=_style(label))
        legend.append(f" {LABEL_NAMES[label]}   " if label in LABEL_NAMES else "   ")
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("mentions", justify="right")
    table.add_column("label")
    table.add_column("entity")
    for entity in counts:
        # Text, not str: names and ids are never read as rich markup ("[AFP]" stays)
        table.add_row(str(entity.count), Text(f" {entity.label} ", style=_style(entity.label)),
                      Text(_entity_cell(entity)))
    return [highlighted_text(record),
            Rule(Text(_summary_line(record, counts)), align="left", style="dim"), legend, table]


def write_views(records: Iterable[Mapping], out: TextIO, colour_on: bool,
                pager: bool = False) -> None:
    """Write the view of each record (records carry ``text``; error records are skipped).

    Plain views stream. Colour views go through the system pager when ``pager`` is true,
    ``out`` is a terminal and they are taller than it.
    """
    records = (record for record in records if "error" not in record)
    if not colour_on:
        for record in records:
            out.write(plain_view(record))
            out.flush()
        return
    from rich.console import Console

    console = Console(file=out, force_terminal=True, highlight=False)
    with console.capture() as capture:
        for record in records:
            for renderable in colour_view(record):
                console.print(renderable)
    rendered = capture.get()
    isatty = getattr(out, "isatty", None)
    if pager and isatty and isatty() and rendered.count("\n") > console.height:
        import pydoc

        # less shows colours only with -R; F and X as git sets them (quit if one screen,
        # keep the text on screen after quitting). A user's own LESS wins.
        os.environ.setdefault("LESS", "FRX")
        pydoc.pager(rendered)
    else:
        out.write(rendered)
