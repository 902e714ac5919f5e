"""Post-model fixes: what the raw model gets systematically wrong on French news.

Each fix is a small function ``fix(text, span) -> Span | None`` (None drops the mention),
general French-news knowledge kept only because the dev sets showed it helps (README,
"Accuracy", lists each fix with its measured effect). ``refine`` applies the span
convention and then every fix in ``FIXES`` order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ner_cli.convention import ARTICLE_WORDS, is_title, split_span, title_before


@dataclass(frozen=True)
class Span:
    """A mention being refined: character offsets into the text, label, title offsets."""

    start: int
    end: int
    label: str
    title: tuple[int, int] | None = None


Fix = Callable[[str, Span], "Span | None"]

# "président de la Commission", "ministre des Finances": a function followed by "de la X"
# names the organisation X, not a person.
_OF_ORGANISATION = re.compile(r"(?:de la |de l['’]|du |des )(?=\w)")


def function_of_organisation(text: str, span: Span) -> Span | None:
    """A title followed by "de la/du/des X" in a PER span: X is an ORG ("Président du Sénat")."""
    if span.label != "PER" or span.title is None:
        return span
    found = _OF_ORGANISATION.match(text, span.start)
    if not found or found.end() >= span.end or not text[found.end()].isupper():
        return span
    return Span(found.end(), span.end, "ORG")


def no_capital_letter(text: str, span: Span) -> Span | None:
    """A mention without any capital letter is not a proper name ("bivalirudine", OCR noise)."""
    return span if any(c.isupper() for c in text[span.start:span.end]) else None


_WORDS = re.compile(r"\w+")


def initials_only(text: str, span: Span) -> Span | None:
    """A PER made only of initials and dots has no name ("S. M.", "A. P. A. M.", "V")."""
    if span.label != "PER":
        return span
    words = _WORDS.findall(text, span.start, span.end)
    return span if any(len(w) > 1 for w in words) else None


# The state as an institution, capitalised by French typographic convention: not a place.
_STATE_WORDS = frozenset({"État", "États", "Etat", "Etats"})


def state_word(text: str, span: Span) -> Span | None:
    """"l'État", "les États membres": the common noun État is not a named place."""
    return None if text[span.start:span.end] in _STATE_WORDS else span


# Capitalised demonyms ("les Russes", "des Irakiens", "un Américain"): French writes
# inhabitants with a capital, but they are neither places nor people's names. Only after a
# determiner that announces people, so "le Valais" or "d'Amiens" stay places.
DEMONYM_PLURAL = re.compile(
    r"[A-ZÉÈ][a-zéèëïîôç]+(?:iens|iennes|ains|aines|ais|aises|ois|oises|ards|ars|éens|éennes|"
    r"ites|ins|ines|otes|ques|sses)\Z"
)
DEMONYM_SINGULAR = re.compile(
    r"[A-ZÉÈ][a-zéèëïîôç]+(?:ien|ienne|ain|aine|ais|aise|ois|oise|ard|arde|éen|éenne|ite|in|"
    r"ine|ote|que|sse|ène)\Z"
)
_PEOPLE_BEFORE = re.compile(r"(?:\b(?:les|des|aux|nos|vos|ces|leurs|deux|trois)|\d) \Z")
_ONE_PERSON_BEFORE = re.compile(r"\b(?:un|une) \Z")
# "le Danois Jonas Vingegaard", "l'Américain Michael Phelps": a demonym that introduces a name.
_THE_BEFORE = re.compile(r"\b(?:le|la|l['’]) ?\Z")
_NAME_AFTER = re.compile(r"(?: [A-ZÀÂÉÈÎÔ][\w-]+){2}")  # a first name and a surname


def demonym(text: str, span: Span) -> Span | None:
    """A one-word capitalised demonym after "les/des/aux/un…" is not an entity ("les Russes")."""
    name = text[span.start:span.end]
    plural, singular = DEMONYM_PLURAL.match(name), DEMONYM_SINGULAR.match(name)
    if not (plural or singular):  # most mentions
        return span
    before = text[max(0, span.start - 8):span.start].lower()
    if plural and _PEOPLE_BEFORE.search(before):
        return None
    if _ONE_PERSON_BEFORE.search(before):
        return None
    if _THE_BEFORE.search(before) and singular and _NAME_AFTER.match(text, span.end):
        return None
    return span


# A dateline: a place in capitals that opens a dispatch, "LONDRES, 12 mai" or "ALLEMAGNE.":
# the model reads the capitals as an acronym and says ORG.
_CAPITALS_WORD = re.compile(r"[A-ZÀÂÇÉÈÊËÎÏÔÛÙÜ][A-ZÀÂÇÉÈÊËÎÏÔÛÙÜ-]{4,}\Z")


def dateline(text: str, span: Span) -> Span | None:
    """An all-capitals ORG word of 5+ letters followed by ".", ",", a dash or a line end: LOC."""
    if span.label != "ORG" or not _CAPITALS_WORD.match(text[span.start:span.end]):
        return span
    after = text[span.end:span.end + 1]
    return replace(span, label="LOC") if after in ("", ".", ",", "—", "–", "-", "\n") else span


# Head nouns of institutions: a name that starts with one is an organisation, whatever place
# it also names ("Conseil d'Etat", "Cour de cassation", "Banque de France").
INSTITUTIONS = frozenset({
    "Académie", "Agence", "Assemblée", "Association", "Banque", "Chambre", "Comité",
    "Commission", "Compagnie", "Conseil", "Cour", "Éditions", "Editions", "Fédération",
    "Fondation", "Institut", "Ministère", "Office", "Parlement", "Parti", "Sénat", "Société",
    "Syndicat", "Tribunal", "Université",
})


_FIRST_WORD = re.compile(r"[\w-]+")


def institution(text: str, span: Span) -> Span | None:
    """A LOC or PER whose first word is an institution's head noun is an ORG ("Cour de
    cassation", "Éditions Odile Jacob")."""
    if span.label not in ("LOC", "PER"):
        return span
    first = _FIRST_WORD.match(text, span.start, span.end)
    return replace(span, label="ORG") if first and first.group() in INSTITUTIONS else span


# Road numbers and clock times: "RD192", "A7", "N 7", "14h", "14 h 30".
_CODE_OR_TIME = re.compile(r"(?:[A-Z]{1,3} ?\d+[a-z]?|\d{1,2} ?h ?(?:\d{2})?)\Z")
# A postcode or an arrondissement after a place: "Oxfordshire OX14", "Paris 17e",
# "Paris 75008". A house number stays: "rue du Lion-d'Or 4" is the address.
_TRAILING_NUMBER = re.compile(r"\s+(?:[A-Z]+\d+[A-Z\d]*|\d+(?:e|er|ème)|\d{4,})\Z")


def code_or_time(text: str, span: Span) -> Span | None:
    """A road code or a clock time is not a place ("RD192", "14h"); a place loses a trailing
    postcode or arrondissement ("Paris 17e" -> "Paris")."""
    name = text[span.start:span.end]
    if span.label == "LOC" and _CODE_OR_TIME.match(name):
        return None
    trailing = _TRAILING_NUMBER.search(name)
    if span.label == "LOC" and trailing and trailing.start() > 0:
        return replace(span, end=span.start + trailing.start())
    return span


def lone_title(text: str, span: Span) -> Span | None:
    """A mention made only of titles or functions is nobody ("Député", "Monsieur le
    Commissaire"), whatever its label; for PER the span convention already drops it."""
    words = text[span.start:span.end].split()
    return None if all(is_title(w) or w.lower() in ARTICLE_WORDS for w in words) else span


FIXES: tuple[Fix, ...] = (
    function_of_organisation,
    no_capital_letter,
    initials_only,
    state_word,
    demonym,
    dateline,
    institution,
    code_or_time,
    lone_title,
)


def refine(
    text: str, start: int, end: int, label: str, fixes: Sequence[Fix] = FIXES
) -> Span | None:
    """The span convention, then each fix in turn, on ``text[start:end]`` labelled ``label``."""
    parts = split_span(text, start, end, label)
    if parts is None:
        return None
    title = parts.title
    if label == "PER" and title is None:
        title = title_before(text, parts.start)
    span: Span | None = Span(parts.start, parts.end, label, title)
    for fix in fixes:
        span = fix(text, span)
        if span is None:
            return None
    return span


__all__ = ["FIXES", "Fix", "Span", "refine"]
