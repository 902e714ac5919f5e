"""The span convention: where a mention starts and ends (README, "Span convention").

Following modern annotation guidelines (Sequoia, OntoNotes-style news NER):
- a title or function that leads a PER span is outside it ("M. Poutine" -> "Poutine",
  title "M."), and kept with its own offsets;
- a leading lowercase article is outside any span ("la France" -> "France"); capitalised
  ones belong to the name ("Le Mans", "La Haye", "Le Monde");
- separators and stray punctuation at either edge are outside ("CVN |" -> "CVN").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviated civilities, matched case-sensitively, with or without their full stop.
ABBREVIATED_TITLES = frozenset(
    {"M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Dr", "Pr", "Mgr", "Sr", "Sir"}
)
# Words for a title or function, matched in lower case: they lead a PER span only as a title.
FUNCTION_TITLES = frozenset(
    {
        "monsieur", "messieurs", "madame", "mesdames", "mademoiselle", "maître", "docteur",
        "professeur", "monseigneur", "président", "présidente", "vice-président",
        "vice-présidente", "général", "générale", "ministre", "premier", "première",
        "secrétaire", "chancelier", "chancelière", "sénateur", "sénatrice", "député",
        "députée", "maire", "juge", "procureur", "procureure", "roi", "reine", "prince",
        "princesse", "pape", "cardinal", "abbé", "capitaine", "colonel", "lieutenant",
        "commandant", "maréchal", "amiral", "sergent", "émir", "cheikh", "ayatollah",
        "dirigeant", "dirigeante", "directeur", "directrice", "patron", "patronne",
        "entraîneur", "sélectionneur", "gouverneur", "ambassadeur", "ambassadrice",
        "commissaire", "inspecteur", "inspectrice", "chef", "leader", "porte-parole",
        "représentant", "représentante", "rapporteur", "rapporteure", "députés",
        "sénateurs", "ministres", "commissaires", "présidents",
    }
)
LOWERCASE_ARTICLES = ("l'", "l’", "le ", "la ", "les ")
ARTICLE_WORDS = frozenset({"le", "la", "les"})
EDGE_JUNK = " \t\r\n|,;:/\\-–—(«»\"“”‘’[]{}*•·!?"
# "de France", "d'Autriche": a leading lowercase preposition is outside a LOC/ORG/MISC name
# (not a PER one: "de Gaulle", "de Villiers" are surnames).
LEADING_PREPOSITIONS = ("de ", "d'", "d’")
# A full stop that ends a sentence, not an abbreviation: after a word of 4+ letters.
_SENTENCE_STOP = re.compile(r"\w{4,}\.\Z")
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class SpanParts:
    """A mention's name span and, for PER, the title that led it (character offsets)."""

    start: int
    end: int
    title: tuple[int, int] | None = None


def is_title(token: str) -> bool:
    """A civility ("M.", "Mme") or a function word ("président"), as it may lead a PER."""
    return token.rstrip(".") in ABBREVIATED_TITLES or token.lower() in FUNCTION_TITLES


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start] in EDGE_JUNK or text[start].isspace()):
        start += 1
    while True:
        while end > start and (text[end - 1] in EDGE_JUNK or text[end - 1].isspace()):
            end -= 1
        if text[start:end].endswith(("'", "’")):  # an elided article glued at the end: "d'"
            end -= 1
        elif text[end - 1:end] == "." and _SENTENCE_STOP.search(text, start, end):  # "Laufanne.—"
            end -= 1
        else:
            return start, end


def _strip_article(text: str, start: int, end: int) -> int:
    for article in LOWERCASE_ARTICLES:
        if text.startswith(article, start) and end - start > len(article):
            return start + len(article)
    return start


def _strip_preposition(text: str, start: int, end: int) -> int:
    for preposition in LEADING_PREPOSITIONS:
        after = start + len(preposition)
        if text.startswith(preposition, start) and after < end and text[after].isupper():
            return after
    return start


def title_before(text: str, start: int, max_words: int = 3) -> tuple[int, int] | None:
    """The title words standing right before a PER name at ``start`` ("M. | Poutine").

    A model that follows the convention leaves the title outside the span; this finds it
    again: up to ``max_words`` title words, on the same line, separated by spaces only.
    """
    window = text[max(0, start - 60):start]
    if not window or window[-1] not in " \t\u00a0":
        return None
    last = window.rsplit(None, 1)
    if not last or not is_title(last[-1]):  # most names: no title right before
        return None
    offset = start - len(window)
    words = [(m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(window)]
    title: tuple[int, int] | None = None
    for a, b in reversed(words[-max_words:]):
        if not is_title(text[a:b]) or "\n" in text[b:(title or (start, 0))[0]]:
            break
        title = (a, title[1] if title else b)
    return title


def split_span(text: str, start: int, end: int, label: str) -> SpanParts | None:
    """Apply the span convention to ``text[start:end]``; None when no name is left.

    Nothing is left when a PER span is only a title ("M.", "le président").
    """
    start, end = _strip_edges(text, start, end)
    start = _strip_article(text, start, end)
    title = None
    if label == "PER":
        tokens = [(m.start() + start, m.end() + start) for m in _TOKEN.finditer(text[start:end])]
        words = [text[a:b] for a, b in tokens]
        n_titles = 0
        while n_titles < len(tokens) and (
            is_title(words[n_titles])
            # "Le Premier ministre": a capitalised article that leads a title
            or (words[n_titles].lower() in ARTICLE_WORDS and n_titles + 1 < len(tokens)
                and is_title(words[n_titles + 1]))
        ):
            n_titles += 1
        if n_titles == len(tokens):
            return None
        if n_titles:
            title = (tokens[0][0], tokens[n_titles - 1][1])
            start = tokens[n_titles][0]
            start = _strip_article(text, start, end)
    else:
        start = _strip_preposition(text, start, end)
    start, end = _strip_edges(text, start, end)
    if start >= end or not any(c.isalnum() for c in text[start:end]):
        return None
    return SpanParts(start, end, title)
