"""A self-contained HTML report: marked texts, entity lists, and for many documents an index
and a corpus summary with inline SVG bar charts. No script, no network, everything escaped.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from tempfile import SpooledTemporaryFile
from typing import TextIO

from ner_cli import __version__
from ner_cli.corpus import CorpusCounter, EntityCount
from ner_cli.labels import COLOURS, OTHER
from ner_cli.render import (
    LABEL_NAMES,
    DocumentEntity,
    entity_counts,
    ink,
    ordered_labels,
    plural,
    segments,
)

TOP_ENTITIES = 10  # bars per label in the corpus summary
TOP_IN_INDEX = 3  # entity names per document in the index
SPOOL_BYTES = 8 * 1024 * 1024  # document sections beyond this wait on disk, not in memory
LONG_MARK = 30  # characters: a longer mark may wrap, at spaces only; a shorter one never
# Bar chart geometry (SVG user units = CSS pixels).
CHART_WIDTH, NAME_WIDTH, COUNT_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 460, 170, 74, 22, 16
LINE_HEIGHT = 15  # between the lines of a wrapped name
# Names wrap at spaces into lines of NAME_CHARS (what NAME_WIDTH holds); only a name longer
# than NAME_LINES lines is cut. The full name is in the row's tooltip (its <title>).
NAME_CHARS, NAME_LINES = 24, 3

# The page runs no script and loads nothing: even if some text escaped escaping, the browser
# would not run it nor fetch anything.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { --fg: #1b1b1b; --muted: #595959; --line: #d9dde3; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.25rem 3rem; color: var(--fg);
  background: var(--bg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.2rem; margin: 0 0 .2rem; overflow-wrap: anywhere; }
h2 a { color: inherit; text-decoration: none; }
.meta { color: var(--muted); margin: 0 0 .9rem; font-size: .9rem; overflow-wrap: anywhere; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; margin: 0 0 1rem; padding: 0;
  list-style: none; font-size: .9rem; }
section { border-top: 1px solid var(--line); padding: 1.4rem 0 .6rem; }
.text { white-space: pre-wrap; overflow-wrap: break-word; line-height: 2.15;
  font-size: 1.05rem; margin: 0 0 1rem; }
mark.ent { padding: .12em .3em; border-radius: .3em; -webkit-box-decoration-break: clone;
  box-decoration-break: clone; white-space: pre; }
mark.ent.long { white-space: pre-wrap; }
mark.ent.long .word { white-space: pre; }
mark.ent::after { content: attr(data-label); margin-left: .4em; font-size: .62em;
  font-weight: 700; letter-spacing: .03em; vertical-align: .12em; }
.tag { display: inline-block; min-width: 3.2em; padding: 0 .35em; border-radius: .3em;
  font-size: .8em; font-weight: 700; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: 0 0 1rem; }
th, td { text-align: left; padding: .28rem .55rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.variants { color: var(--muted); }
.error { color: #a4001d; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(27rem, 1fr));
  gap: 1rem 2rem; }
figure { margin: 0; }
figcaption { margin: 0 0 .3rem; font-size: .9rem; }
svg text { font-size: 12.5px; fill: var(--fg); }
footer { color: var(--muted); font-size: .8rem; margin-top: 2rem; }
"""


def _label_css() -> str:
    rules = [f'[data-label] {{ background: {OTHER}; color: {ink(OTHER)}; }}']
    rules += [f'[data-label="{label}"] {{ background: {hex_colour}; color: {ink(hex_colour)}; }}'
              for label, hex_colour in COLOURS.items()]
    return "\n".join(rules)


def _colour(label: str) -> str:
    return COLOURS.get(label, OTHER)


def _tag(label: str) -> str:
    return f'<span class="tag" data-label="{escape(label)}">{escape(label)}</span>'


def _marked_text(text: str, entities: Iterable[Mapping]) -> str:
    return "".join(escape(chunk) if mention is None else _mark(chunk, mention["label"])
                   for chunk, mention in segments(text, entities))


def _mark(chunk: str, label: str) -> str:
    # A mark never breaks inside ("Extrême-Orient" would break at its hyphen): white-space
    # pre, which keeps the text's spaces as its pre-wrap does. One too long for a narrow
    # line may wrap at its spaces, never inside a word: a word with a hyphen, a slash or an
    # apostrophe is held whole by a span.
    if len(chunk) <= LONG_MARK:
        return f'<mark class="ent" data-label="{escape(label)}">{escape(chunk)}</mark>'
    words = "".join(escape(part) if part.isspace() or part.isalnum()
                    else f'<span class="word">{escape(part)}</span>'
                    for part in re.split(r"(\s+)", chunk) if part)
    return f'<mark class="ent long" data-label="{escape(label)}">{words}</mark>'


def _entity_table(counts: list[DocumentEntity]) -> str:
    if not counts:
        return '<p class="meta">No entity found.</p>'
    rows = []
    for entity in counts:
        others = ", ".join(escape(v) for v in entity.variants if v != entity.name)
        rows.append(f'<tr><td class="num">{entity.count}</td><td>{_tag(entity.label)}</td>'
                    f'<td>{escape(entity.name)}</td><td class="variants">{others}</td></tr>')
    return ('<table class="entities"><thead><tr><th class="num">mentions</th><th>label</th>'
            '<th>entity</th><th>other forms</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _document_section(number: int, record: Mapping, counts: list[DocumentEntity]) -> str:
    anchor = f"doc-{number}"
    head = (f'<section class="doc" id="{anchor}">'
            f'<h2><a href="#{anchor}">{escape(record["id"])}</a></h2>')
    source = record.get("source", record["id"])
    where = "" if source == record["id"] else f"{escape(source)} · "
    if "error" in record:
        return (f'{head}<p class="meta">{where}not processed</p>'
                f'<p class="error">Error: {escape(record["error"])}</p></section>\n')
    entities = record.get("entities", ())
    meta = (f'<p class="meta">{where}{plural(len(entities), "mention")} · '
            f'{plural(len(counts), "entity", "entities")}</p>')
    text = record.get("text")
    body = (f'<div class="text">{_marked_text(text, entities)}</div>' if text is not None
            else '<p class="meta">(the record carries no text: only its entities are listed)</p>')
    return f"{head}{meta}{body}{_entity_table(counts)}</section>\n"


def _legend(labels: Iterable[str]) -> str:
    items = "".join(f"<li>{_tag(label)} {escape(LABEL_NAMES.get(label, ''))}</li>"
                    for label in labels)
    return f'<ul class="legend" aria-label="labels">{items}</ul>' if items else ""


def name_lines(name: str) -> list[str]:
    """The chart lines of an entity name: wrapped at spaces, at most NAME_LINES of them; only
    a longer name is cut ("…"), and a word longer than a line is broken."""
    return textwrap.wrap(name, NAME_CHARS, max_lines=NAME_LINES, placeholder="…",
                         break_on_hyphens=False) or [name]


def _name_text(lines: list[str], y: int) -> str:
    x = NAME_WIDTH - 6
    if len(lines) == 1:
        return f'<text x="{x}" y="{y + 15}" text-anchor="end">{escape(lines[0])}</text>'
    spans = "".join(f'<tspan x="{x}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{x}" y="{y + 15}" text-anchor="end">{spans}</text>'


def bar_chart(label: str, entities: list[EntityCount]) -> str:
    """An inline SVG horizontal bar chart of ``entities`` (one label), by mention count.

    A long name wraps over up to NAME_LINES lines, its row taller and its bar centred."""
    most = max((e.mentions for e in entities), default=1)
    span = CHART_WIDTH - NAME_WIDTH - COUNT_WIDTH
    bars, y = [], 0
    for entity in entities:
        lines = name_lines(entity.name)
        row_height = ROW_HEIGHT + LINE_HEIGHT * (len(lines) - 1)
        middle = y + (row_height - ROW_HEIGHT) / 2  # the bar and count, centred on the name
        width = max(1.0, span * entity.mentions / most)
        documents = plural(entity.documents, "document")
        bars.append(
            f'<g><title>{escape(entity.name)}: {plural(entity.mentions, "mention")} in '
            f'{documents}</title>{_name_text(lines, y)}'
            f'<rect x="{NAME_WIDTH}" y="{middle + 3:g}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT}" rx="2" fill="{_colour(label)}"/>'
            f'<text x="{NAME_WIDTH + width + 5:.1f}" y="{middle + 15:g}">{entity.mentions:,} '
            f'<tspan fill="#595959">({entity.documents:,} d.)</tspan></text></g>'
        )
        y += row_height
    height = y
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="{CHART_WIDTH}" '
            f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
            f'aria-label="most mentioned {escape(label)} entities">{"".join(bars)}</svg>')


def _corpus_summary(counter: CorpusCounter) -> str:
    by_label: dict[str, list[EntityCount]] = defaultdict(list)
    for entity in counter.entities():
        by_label[entity.label].append(entity)
    figures = []
    for label in ordered_labels(by_label):
        ranked = sorted(by_label[label], key=lambda e: (-e.mentions, -e.documents, e.name))
        top = ranked[:TOP_ENTITIES]
        name = LABEL_NAMES.get(label, "")
        figures.append(
            f'<figure class="chart" data-label-chart="{escape(label)}"><figcaption>'
            f'{_tag(label)} {escape(name)} · top {len(top)} of {len(ranked):,}</figcaption>'
            f'{bar_chart(label, top)}</figure>'
        )
    return ('<section class="corpus" id="corpus"><h2>Top entities per label</h2>'
            '<p class="meta">Bar length: mentions in all documents; in brackets, the number '
            'of documents (d.) that name the entity.</p>'
            f'<div class="charts">{"".join(figures)}</div></section>\n') if figures else ""


@dataclass(frozen=True)
class IndexRow:
    """What the index shows of one document (kept instead of the record and its text)."""

    number: int
    id: str
    error: str | None
    mentions: int
    per_label: dict = field(default_factory=dict, compare=False)
    top: tuple[str, ...] = ()

    @classmethod
    def of(cls, number: int, record: Mapping, counts: list[DocumentEntity]) -> IndexRow:
        """The row of ``record``, the ``number``-th document."""
        entities = record.get("entities", ())
        return cls(number, record["id"], record.get("error"), len(entities),
                   dict(Counter(mention["label"] for mention in entities)),
                   tuple(entity.name for entity in counts[:TOP_IN_INDEX]))


def _index(rows: list[IndexRow], labels: list[str]) -> str:
    head = "".join(f'<th class="num">{_tag(label)}</th>' for label in labels)
    body = []
    for row in rows:
        start = (f'<td class="num">{row.number}</td>'
                 f'<td><a href="#doc-{row.number}">{escape(row.id)}</a></td>')
        if row.error is not None:
            body.append(f'<tr class="error-row">{start}<td class="error" '
                        f'colspan="{len(labels) + 2}">Error: {escape(row.error)}</td></tr>')
            continue
        cells = "".join(f'<td class="num">{row.per_label.get(label, "")}</td>'
                        for label in labels)
        top = ", ".join(escape(name) for name in row.top)
        body.append(f'<tr>{start}<td class="num">{row.mentions}</td>{cells}<td>{top}</td></tr>')
    return ('<section class="index" id="index"><h2>Documents</h2><table><thead><tr>'
            f'<th class="num">#</th><th>document</th><th class="num">mentions</th>{head}'
            f'<th>most mentioned</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
            "</section>\n")


def write_html(records: Iterable[dict], out: TextIO) -> None:
    """One self-contained HTML page for ``records`` (records should carry ``text``).

    Each document gets its text with marked entities and its entity list; error records show
    as errors. With more than one record, an index of documents and a corpus summary (bar
    charts of the top entities per label) come first, so the document sections wait in a
    temporary spool (memory, then disk) until the last record is read.
    """
    counter = CorpusCounter()
    rows: list[IndexRow] = []
    with SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as sections:
        for number, record in enumerate(records, start=1):
            counts = [] if "error" in record else entity_counts(record)
            counter.add(record)
            sections.write(_document_section(number, record, counts))
            rows.append(IndexRow.of(number, record, counts))
        shown = ordered_labels(label for row in rows for label in row.per_label)
        failed = sum(row.error is not None for row in rows)
        title = rows[0].id if len(rows) == 1 else plural(len(rows), "document")
        out.write(_head(title))
        # One document: its section says its name and counts, the header says them once.
        meta = "" if len(rows) == 1 else (
            f'<p class="meta">{escape(title)} · '
            f"{plural(sum(row.mentions for row in rows), 'mention')}"
            + (f" · {plural(failed, 'error')}" if failed else "") + "</p>")
        out.write(f"<header><h1>Named entities</h1>{meta}{_legend(shown)}</header>\n")
        if len(rows) > 1:
            out.write(_corpus_summary(counter))
            out.write(_index(rows, shown))
        if not rows:
            out.write('<p class="meta">No document.</p>\n')
        out.write("<main>\n")
        sections.seek(0)
        shutil.copyfileobj(sections, out)
    out.write(f"</main>\n<footer>Made by ner-cli {escape(__version__)}.</footer>\n"
              "</body>\n</html>\n")
    out.flush()


def _head(title: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="ner-cli {escape(__version__)}">\n'
            f"<title>{escape(title)} · ner-cli</title>\n"
            f"<style>{STYLE}{_label_css()}\n</style>\n</head>\n<body>\n")
