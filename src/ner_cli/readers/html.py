"""Saved news pages: the text a person reads on the page, one block per line.

trafilatura finds the article in the page, but it joins the text of neighbouring blocks
("AgricultureL'Office", a link title run into the next sentence), and lines matter here:
ner-cli makes every line break a sentence boundary. So the page is prepared before
trafilatura sees it: every block element (p, div, h1-h6, li, td, br, section...) gets a
marker character at its start and after its end, written as text. Text survives every path
through trafilatura (its main extractor and its fallbacks flatten tags such as ``<br>``, but
keep characters), so after extraction each marker becomes a line break, whatever trafilatura
did with the elements. Then:

- the headline (the page's h1, else og:title or <title> without the site's name) is put
  first, once;
- whole lines that are interface text ("Partager", "Temps de lecture : 3 min", "Lire aussi :
  ...", cookie banners; see :mod:`ner_cli.readers.html_boilerplate`) are dropped;
- a page with too little prose left (a template, a home page, an error page) raises
  InputError, which the reader turns into an error record.
"""

from __future__ import annotations

import re

from ner_cli.errors import InputError
from ner_cli.readers.html_boilerplate import is_boilerplate, normalise

# Blocks a browser starts on a new line (HTML's block-level and table elements, plus the
# form and media elements that render as boxes).
BLOCKS = frozenset("""
    address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr
    iframe legend li main menu nav noscript ol optgroup option p pre section summary table
    tbody td tfoot th thead tr ul video audio canvas
""".split())
SKIP = frozenset({"script", "style", "template", "head", "title", "meta", "link", "svg",
                  "math"})

# Markers: printable (trafilatura drops non-printable characters) and not whitespace (it
# collapses whitespace). The first that does not occur in the page is used.
MARKERS = ("\u241f", "\u241e", "\u241d", "\u2042")  # trafilatura uses U+2424 itself

# Prose: at least MIN_PROSE_WORDS words in lines that read as sentences (PROSE_LINE_WORDS
# words or more, with a sentence-ending mark), headline not counted. 30 words is about two
# short sentences: the shortest news item (a two-sentence brief) has 40 or more, while what
# is left of a page with no article (menus, link titles, "Cette page n'existe plus.", an
# address in the footer) has almost no such lines once interface text is dropped.
MIN_PROSE_WORDS = 30
PROSE_LINE_WORDS = 6
LEAD_GAP = 12  # lines between the headline and the kept text that may hold its standfirst
_SENTENCE_END = re.compile(r"[.!?…][\"»”)]*(?:\s|$)")
_WORD = re.compile(r"\w", re.UNICODE)

# "Titre de l'article - Le Monde", "Titre | Ouest-France", "Titre – Site", "Titre · Site"
_TITLE_SEPARATOR = re.compile(r"\s+[-–—·•]\s+|\s*\|\s*")
SITE_NAME_WORDS = 5  # a trailing " - Xxx" part longer than this is not a site name

# Inline boundaries where a browser page shows a gap that the markup lacks:
# "...Crest.<a>Lire aussi</a>Le ministère..." -> a space between the two.
_GLUE_LEFT = re.compile(r"[a-zà-ÿœ0-9.!?»):;]$")
_GLUE_RIGHT = re.compile(r"^[A-ZÀ-ÖØ-ÞŒ«]")


def html_to_text(html: str) -> str:
    """The text of a saved news page: headline first, then one line per block of the article.

    Raises InputError when the page holds no article (too little prose).
    """
    from trafilatura import extract
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
    except Exception:  # noqa: BLE001 - lxml refuses some inputs outright: no article then
        tree = None
    if tree is None:
        raise InputError(no_article(0))
    marker = next((m for m in MARKERS if m not in html), None)
    page: list[str] = []
    if marker is not None:
        mark_blocks(tree, marker)
        page = page_lines(tree, marker)
    headline = find_headline(tree, marker)
    text = extract(tree, include_comments=False, include_tables=False, favor_recall=True,
                   deduplicate=False) or ""
    lines = [line for line in split_lines(text, marker) if not is_boilerplate(line)]
    key = _key(headline or "")
    lines = without_headline(lines, key)
    lead = lead_lines(page, headline, lines) if headline else []
    prose = prose_words(lead + lines)
    if prose < MIN_PROSE_WORDS:
        raise InputError(no_article(prose))
    return "\n".join([headline, *lead, *lines] if headline else lines)


def no_article(words: int) -> str:
    unit = "word" if words == 1 else "words"
    return (f"no article text found in the HTML page (only {words} {unit} of prose, "
            f"{MIN_PROSE_WORDS} needed)")


def mark_blocks(tree, marker: str) -> None:
    """Put ``marker`` at the start of every block element and after its end, and after
    every <br>; add a space where an inline element's text touches its neighbour's."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    for element in list(root.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag in SKIP or _inside(element, SKIP):
            continue
        if tag in ("br", "hr"):  # void elements: the break goes after them
            element.tail = marker + (element.tail or "")
        elif tag in BLOCKS:
            element.text = marker + (element.text or "")
            element.tail = marker + (element.tail or "")
        elif tag:
            _unglue(element)


def _inside(element, tags: frozenset) -> bool:
    return any(isinstance(a.tag, str) and a.tag.lower() in tags for a in element.iterancestors())


def _unglue(element) -> None:
    """A space before/after an inline element whose text runs into the text beside it."""
    inner = "".join(element.itertext())
    parent = element.getparent()
    if not inner.strip() or parent is None:
        return
    previous = element.getprevious()
    if previous is None:
        before = parent.text or ""
    elif previous.tail:
        before = previous.tail
    else:  # two inline elements side by side: <span>Lire aussi</span><a>Les ...</a>
        before = "".join(previous.itertext())
    if _GLUE_LEFT.search(before) and _GLUE_RIGHT.search(inner):
        if previous is None:
            parent.text = before + " "
        else:
            previous.tail = (previous.tail or "") + " "
    after = element.tail or ""
    if _GLUE_LEFT.search(inner) and _GLUE_RIGHT.search(after):
        element.tail = " " + after


def split_lines(text: str, marker: str | None) -> list[str]:
    """Non-empty lines, spaces collapsed, after turning markers into line breaks."""
    if marker is not None:
        text = text.replace(marker, "\n")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def words_of(line: str) -> int:
    return sum(1 for word in line.split() if _WORD.search(word))


def is_prose(line: str) -> bool:
    """A line that reads as a sentence: PROSE_LINE_WORDS words or more, a sentence end."""
    return words_of(line) >= PROSE_LINE_WORDS and bool(_SENTENCE_END.search(line))


def prose_words(lines: list[str]) -> int:
    """Words in the lines that read as sentences (not menus, lists of links, labels)."""
    return sum(words_of(line) for line in lines if is_prose(line))


def without_headline(lines: list[str], key: str) -> list[str]:
    """``lines`` without the headline that trafilatura kept: a line equal to it (spaces and
    punctuation aside), or first lines that make it up together (an h1 with a <br>)."""
    if not key:
        return lines
    lines = [line for line in lines if _key(line) != key]
    joined = ""
    for count, line in enumerate(lines[:4], start=1):
        joined += _key(line)
        if joined == key:
            return lines[count:]
        if not key.startswith(joined):
            break
    return lines


def page_lines(tree, marker: str) -> list[str]:
    """Every line of the marked page's body, as a browser lays it out (scripts left out)."""
    from copy import deepcopy

    from lxml import etree

    body = tree.find(".//body")
    body = deepcopy(body if body is not None else tree)
    etree.strip_elements(body, etree.Comment, etree.ProcessingInstruction, *SKIP,
                         with_tail=False)
    return split_lines("".join(body.itertext()), marker)


def lead_lines(page: list[str], headline: str, lines: list[str]) -> list[str]:
    """The prose between the headline and the first line trafilatura kept (a standfirst in
    its own container, which trafilatura often leaves out), when the two are near."""
    keys = [_key(line) for line in page]
    if not lines or _key(headline) not in keys:
        return []
    start = keys.index(_key(headline))
    first = _key(lines[0])
    end = next((i for i in range(start + 1, len(keys)) if keys[i] == first), None)
    if end is None or end - start > LEAD_GAP:
        return []
    kept = set(map(_key, lines))
    return [line for line in page[start + 1:end]
            if _key(line) not in kept and is_prose(line) and not is_boilerplate(line)]


def _key(text: str) -> str:
    return re.sub(r"\W+", "", normalise(text))


def find_headline(tree, marker: str | None = None) -> str | None:
    """The article's h1; else og:title, else <title>, without the site's name. ``marker``:
    the block marker put in the tree, read as a space (<h1>Titre<br>sous-titre</h1>)."""
    title_element = tree.find(".//title")
    title = _text(title_element) if title_element is not None else ""
    site = _meta(tree, "og:site_name")
    site_key = _key(site or site_suffix(title))
    for h1 in _headline_candidates(tree):
        text = _text(h1, marker)
        if text and not is_boilerplate(text) and _key(text) != site_key:
            return text
    og_title = _meta(tree, "og:title") or _meta(tree, "twitter:title")
    if og_title:
        return strip_site_name(og_title, site, only_site=True)
    return strip_site_name(title, site, only_site=False) if title else None


_NOT_ARTICLE = frozenset({"nav", "footer", "aside"})
_ARTICLE = frozenset({"article", "main"})


def _headline_candidates(tree) -> list:
    """h1s inside <article>/<main> first, then the others, except in a nav, a footer or an
    aside, and logos (an h1 in or around a link to the home page)."""
    h1s = [h for h in tree.iter("h1", "H1") if not _inside(h, _NOT_ARTICLE) and not _is_logo(h)]
    return [h for h in h1s if _inside(h, _ARTICLE)] + [h for h in h1s if not _inside(h, _ARTICLE)]


def _is_logo(h1) -> bool:
    links = [a for a in h1.iterancestors("a", "A")] + list(h1.iter("a", "A"))
    return any((a.get("href") or "").strip() in ("/", "./", "index.html") for a in links)


def _text(element, marker: str | None = None) -> str:
    """An element's text, spaces collapsed, inline pieces joined as the page shows them."""
    parts: list[str] = []
    for piece in element.itertext():
        if parts and parts[-1] and piece and _GLUE_LEFT.search(parts[-1]) \
                and _GLUE_RIGHT.search(piece):
            parts.append(" ")
        parts.append(piece)
    text = "".join(parts)
    return " ".join((text.replace(marker, " ") if marker else text).split())


def _meta(tree, name: str) -> str | None:
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key == name:
            content = " ".join((meta.get("content") or "").split())
            return content or None
    return None


def site_suffix(title: str) -> str:
    """The site's name at the end of a <title> ("Titre - Le Monde" -> "Le Monde"), or ""."""
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if not separators:
        return ""
    tail = title[separators[-1].end():].strip()
    return tail if len(tail.split()) <= SITE_NAME_WORDS else ""


def strip_site_name(title: str, site: str | None, only_site: bool) -> str:
    """"Titre - Le Monde" -> "Titre". The last part goes when it is the og:site_name, or, for
    a <title> (``only_site`` false), when it is short, as site names are; the first part goes
    when it is the site's name ("Le Monde | Titre")."""
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if not separators:
        return title
    first, last = separators[0], separators[-1]
    if site and _key(title[:first.start()]) == _key(site):
        return title[first.end():].strip()
    head, tail = title[:last.start()].strip(), title[last.end():].strip()
    if site and _key(tail) == _key(site):
        return head
    if not only_site and len(tail.split()) <= SITE_NAME_WORDS and len(head) > len(tail):
        return head
    return title
