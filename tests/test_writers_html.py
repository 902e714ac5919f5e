"""The HTML report (ner_cli.writers.html): structure, escaping, self-containment, colours.

Its golden file, from hand-made records, is in test_writers.py."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ner_cli.labels import COLOURS, OTHER
from ner_cli.render import contrast_ratio, ink, segments
from ner_cli.writers.html import LONG_MARK, NAME_CHARS, TOP_ENTITIES, name_lines, write_html
from tests.conftest import SEED_SAMPLE

VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "source", "area", "base", "col"}


class Page(HTMLParser):
    """What the tests look at in a page: marks, elements by class, scripts, links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[str, str]] = []  # (text, data-label)
        self.classes: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.title = ""
        self.text_of: dict[str, str] = {}  # class -> text of the first element with it
        self._depth = 0
        self._captures: list[tuple[str, int, list[str]]] = []  # (class, depth, text parts)
        self._mark: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        classes = (attrs.get("class") or "").split()
        for name in classes:
            self.classes[name] = self.classes.get(name, 0) + 1
            if name not in self.text_of:
                self.text_of[name] = ""
                self._captures.append((name, self._depth, []))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "href" in attrs:
            self.links.append(attrs["href"])
        if "src" in attrs:
            self.sources.append(attrs["src"])
        if tag == "mark" and "ent" in classes:
            self._mark = []
            self.marks.append(("", attrs.get("data-label", "")))
        if tag not in VOID:
            self._depth += 1
        self._tag = tag

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks[-1] = ("".join(self._mark), self.marks[-1][1])
            self._mark = None
        self._depth -= 1
        while self._captures and self._captures[-1][1] >= self._depth:
            name, _, parts = self._captures.pop()
            self.text_of[name] = "".join(parts)

    def handle_data(self, data):
        if self._mark is not None:
            self._mark.append(data)
        for _, _, parts in self._captures:
            parts.append(data)
        if getattr(self, "_tag", None) == "title" and not self.title:
            self.title = data


def render(records: list[dict]) -> str:
    out = io.StringIO()
    write_html(records, out)
    return out.getvalue()


def record(id_: str, text: str, found: list[tuple[str, str]]) -> dict:
    """A record whose mentions are the first occurrence, in order, of each (text, label)."""
    entities, position = [], 0
    for surface, label in found:
        start = text.index(surface, position)
        entities.append({"text": surface, "label": label, "start": start,
                         "end": start + len(surface)})
        position = start + len(surface)
    return {"id": id_, "source": id_, "entities": entities, "text": text}


ARTICLE = record("a.txt", "Emmanuel Macron a reçu Olaf Scholz à Paris. Macron et l'ONU.",
                 [("Emmanuel Macron", "PER"), ("Olaf Scholz", "PER"), ("Paris", "LOC"),
                  ("Macron", "PER"), ("ONU", "ORG")])
HOSTILE_TEXT = ('<script>document.title="pwned"</script> Jean <b>Dupont</b> & "Cie" à '
                "<img src=x onerror=alert(1)> Lyon.")
HOSTILE = record('"><script>alert(1)</script>.txt', HOSTILE_TEXT,
                 [("Jean <b>Dupont</b>", "PER"), ("Lyon", "LOC")])
HOSTILE["entities"][0]["label"] = 'P"ER><script>'  # a custom model's label, escaped too


def test_document_marks_every_mention_with_its_text_and_label():
    page = Page(render([ARTICLE]))
    assert page.marks == [(e["text"], e["label"]) for e in ARTICLE["entities"]]
    assert page.text_of["text"] == ARTICLE["text"]  # marks add no character to the text
    # one document: no index, no corpus charts
    assert "index" not in page.ids and "corpus" not in page.ids and "svg" not in page.tags


def test_entity_list_counts_mentions_per_entity():
    page = Page(render([ARTICLE]))
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>.*?>(\w+)</span></td><td>(.*?)</td>',
                      render([ARTICLE]))
    # without entities_grouped, mentions are grouped as extract groups ("Macron" joins
    # "Emmanuel Macron")
    assert rows == [("2", "PER", "Emmanuel Macron"), ("1", "PER", "Olaf Scholz"),
                    ("1", "LOC", "Paris"), ("1", "ORG", "ONU")]
    assert page.classes["entities"] == 1


def test_entities_grouped_is_used_when_present():
    grouped = dict(ARTICLE, entities_grouped=[
        {"id": "E1", "name": "Emmanuel Macron", "label": "PER", "count": 2,
         "variants": ["Emmanuel Macron", "Macron"], "first_start": 0},
        {"id": "E2", "name": "Olaf Scholz", "label": "PER", "count": 1,
         "variants": ["Olaf Scholz"], "first_start": 23},
    ])
    html = render([grouped])
    assert re.search(r'<td class="num">2</td>.*?<td>Emmanuel Macron</td>'
                     r'<td class="variants">Macron</td>', html)
    assert "ONU" not in Page(html).text_of["entities"]  # the groups, not the mentions


def test_everything_from_the_input_is_escaped():
    html = render([HOSTILE, ARTICLE])
    page = Page(html)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert page.sources == []
    assert page.marks[0] == ("Jean <b>Dupont</b>", 'P"ER><script>')
    assert HOSTILE_TEXT in page.text_of["text"]
    assert page.title == "2 documents · ner-cli"


def test_the_page_is_self_contained():
    html = render([HOSTILE, ARTICLE, {"id": "b", "source": "b", "error": "unreadable"}])
    page = Page(html)
    assert all(link.startswith("#") for link in page.links) and page.links
    # the only URL is the SVG namespace, which browsers never fetch
    assert set(re.findall(r"\w+://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # and if escaping ever failed, no script would run


def test_error_records_show_as_errors():
    failed = {"id": "broken.txt", "source": "in/broken.txt", "error": "not valid UTF-8"}
    page = Page(render([ARTICLE, failed]))
    assert page.classes["error"] == 2  # in the index and in its section
    assert page.text_of["error"] == "Error: not valid UTF-8"
    assert page.classes["doc"] == 2 and "doc-2" in page.ids
    assert "1 error" in page.text_of["meta"]


def test_corpus_has_an_index_and_top_entities_per_label():
    records = [record(f"d{i}.txt", f"Paris et Lyon. Nom{i} à Paris.", [("Paris", "LOC"),
                      ("Lyon", "LOC"), (f"Nom{i}", "PER"), ("Paris", "LOC")])
               for i in range(30)]
    page = Page(render(records))
    assert {"index", "corpus"} <= page.ids
    assert page.classes["doc"] == 30 and page.tags["svg"] == 2  # PER and LOC
    assert len(page.marks) == 4 * 30
    html = render(records)
    loc_chart = html[html.index('data-label-chart="LOC"'):]
    loc_chart = loc_chart[:loc_chart.index("</svg>")]
    assert re.findall(r">([^<>]+)</text>", loc_chart) == ["Paris", "Lyon"]  # names
    assert ">60 <tspan" in loc_chart and ">30 <tspan" in loc_chart  # mentions, Paris first
    per_chart = html[html.index('data-label-chart="PER"'):]
    assert per_chart[:per_chart.index("</svg>")].count("<rect") == TOP_ENTITIES
    assert f"top {TOP_ENTITIES} of 30" in per_chart


def test_one_document_says_its_name_and_counts_once():
    html = render([ARTICLE])
    body = html[html.index("<body>"):]
    assert body.count("a.txt") == 1 and body.count("5 mentions") == 1  # in its section
    assert Page(html).title == "a.txt · ner-cli"


def test_a_mark_never_breaks_inside_and_a_long_one_only_at_spaces():
    text = "L'Extrême-Orient et l'Organisation du traité de l'Atlantique-Nord/OTAN."
    long_name = "Organisation du traité de l'Atlantique-Nord/OTAN"
    assert len(long_name) > LONG_MARK >= len("Extrême-Orient")
    html = render([record("a.txt", text, [("Extrême-Orient", "LOC"), (long_name, "ORG")])])
    assert re.search(r"mark\.ent \{[^}]*white-space: pre;", html)  # no break at the hyphen
    assert re.search(r"mark\.ent\.long \{ white-space: pre-wrap; \}", html)
    assert re.search(r"mark\.ent\.long \.word \{ white-space: pre; \}", html)
    assert '<mark class="ent" data-label="LOC">Extrême-Orient</mark>' in html
    # the long one may wrap at its spaces; its words with a hyphen, slash or apostrophe are
    # held whole
    assert ('<mark class="ent long" data-label="ORG">Organisation du traité de '
            '<span class="word">l&#x27;Atlantique-Nord/OTAN</span></mark>') in html
    page = Page(html)
    assert page.marks == [("Extrême-Orient", "LOC"), (long_name, "ORG")]
    assert page.text_of["text"] == text  # the spans add no character


@pytest.mark.parametrize(("name", "lines"), [
    ("Paris", ["Paris"]),
    ("Federal Aviation Administration", ["Federal Aviation", "Administration"]),
    ("Organisation du traité de l'Atlantique-Nord",
     ["Organisation du traité", "de l'Atlantique-Nord"]),  # never at the hyphen
    ("Conférence des Nations unies sur le commerce et le développement de la planète",
     ["Conférence des Nations", "unies sur le commerce et", "le développement de la…"]),
    ("Llanfairpwllgwyngyllgogerychwyrndrobwll", ["Llanfairpwllgwyngyllgoge", "rychwyrndrobwll"]),
])
def test_chart_names_wrap_over_up_to_three_lines(name, lines):
    assert name_lines(name) == lines
    assert all(len(line) <= NAME_CHARS for line in lines)


def test_a_long_chart_name_is_whole_and_its_row_taller():
    name = "Federal Aviation Administration"
    records = [record(f"d{i}.txt", f"La {name} et Airbus.", [(name, "ORG"), ("Airbus", "ORG")])
               for i in range(2)]
    html = render(records)
    chart = html[html.index('data-label-chart="ORG"'):]
    chart = chart[:chart.index("</svg>")]
    assert "…" not in chart
    # Airbus first (same count, then by name); the two-line row is 37 units high, its bar
    # and count centred (7.5 down)
    assert ('<text x="164" y="37" text-anchor="end"><tspan x="164" dy="0">Federal Aviation'
            '</tspan><tspan x="164" dy="15">Administration</tspan></text>'
            '<rect x="170" y="32.5" width="216.0"') in chart
    assert f"<title>{name}: 2 mentions in 2 documents</title>" in chart  # on hover
    assert 'height="59" viewBox="0 0 460 59"' in chart


def test_no_record_gives_a_valid_empty_page():
    page = Page(render([]))
    assert page.title == "0 documents · ner-cli" and page.marks == []


@pytest.mark.parametrize("background", [*COLOURS.values(), OTHER])
def test_label_text_is_readable_on_every_label_colour(background):
    # WCAG AA for normal text: 4.5:1
    assert contrast_ratio(ink(background), background) >= 4.5


def test_contrast_ratio_known_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert ink("#000080") == "#FFFFFF" and ink("#F0E442") == "#000000"


def test_label_colours_match_the_terminal_palette():
    html = render([ARTICLE])
    for label, colour in COLOURS.items():
        assert f'[data-label="{label}"] {{ background: {colour}; color: {ink(colour)}; }}' in html


@st.composite
def texts_with_mentions(draw):
    text = draw(st.text(alphabet="ab <&>\"'\n\r\u00e9", max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=10)))
    # like extract's mentions: never empty, no whitespace at either edge
    entities = [{"text": text[a:b], "label": "PER", "start": a, "end": b}
                for a, b in zip(cuts[::2], cuts[1::2], strict=False)
                if a < b and text[a:b].strip() == text[a:b]]
    return text, entities


@given(texts_with_mentions())
def test_segments_cover_the_text_and_keep_every_mention(case):
    text, entities = case
    pieces = list(segments(text, entities))
    assert "".join(chunk for chunk, _ in pieces) == text
    assert [m for _, m in pieces if m is not None] == entities
    page = Page(render([{"id": "t", "source": "t", "entities": entities, "text": text}]))
    # HTML parsers read a line break as \n, whatever its form
    assert page.text_of["text"] == text.replace("\r\n", "\n").replace("\r", "\n")
    assert len(page.marks) == len(entities)


def test_overlapping_mentions_mark_only_the_first():
    text = "Jean Dupont"
    entities = [{"text": "Jean Dupont", "label": "PER", "start": 0, "end": 11},
                {"text": "Dupont", "label": "PER", "start": 5, "end": 11}]
    assert list(segments(text, entities)) == [("Jean Dupont", entities[0])]


def test_html_format_from_the_output_suffix(cli, tmp_path):
    out = tmp_path / "report.html"
    result = cli("extract", SEED_SAMPLE, "-o", out, "-q")
    assert result.exit_code == 0 and result.stdout == ""
    page = Page(out.read_text(encoding="utf-8"))
    assert page.text_of["text"] == SEED_SAMPLE.read_text(encoding="utf-8")
    assert ("Vladimir Poutine", "PER") in page.marks
