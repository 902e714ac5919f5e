"""Post-model fixes, one plain function at a time, on hand-made sentences."""

from __future__ import annotations

import pytest

from ner_cli.rules import (
    FIXES,
    Span,
    code_or_time,
    dateline,
    demonym,
    function_of_organisation,
    initials_only,
    institution,
    lone_title,
    no_capital_letter,
    refine,
    state_word,
)


def span_of(text: str, part: str, label: str, title: str | None = None) -> Span:
    start = text.index(part)
    title_span = None
    if title is not None:
        title_span = (text.index(title), text.index(title) + len(title))
    return Span(start, start + len(part), label, title_span)


def shown(text: str, span: Span | None):
    return None if span is None else (text[span.start:span.end], span.label)


@pytest.mark.parametrize(
    ("text", "part", "label", "title", "expected"),
    [
        ("le Président de la Commission a dit", "de la Commission", "PER", "Président",
         ("Commission", "ORG")),
        ("la Présidente du Parlement européen", "du Parlement européen", "PER", "Présidente",
         ("Parlement européen", "ORG")),
        ("le ministre des Finances", "des Finances", "PER", "ministre", ("Finances", "ORG")),
        # a particle of a surname is not "of an organisation"
        ("le général de Gaulle", "de Gaulle", "PER", "général", ("de Gaulle", "PER")),
        # without a title, nothing to do
        ("Jean de la Fontaine", "de la Fontaine", "PER", None, ("de la Fontaine", "PER")),
        ("le président de la république", "de la république", "PER", "président",
         ("de la république", "PER")),
    ],
)
def test_function_of_organisation(text, part, label, title, expected):
    assert shown(text, function_of_organisation(text, span_of(text, part, label, title))) \
        == expected


@pytest.mark.parametrize(
    ("text", "part", "kept"),
    [("la bivalirudine agit", "bivalirudine", False), ("à toul hier", "toul", False),
     ("à Paris hier", "Paris", True), ("l'iPhone", "iPhone", True)],
)
def test_no_capital_letter(text, part, kept):
    assert (no_capital_letter(text, span_of(text, part, "LOC")) is not None) is kept


@pytest.mark.parametrize(
    ("part", "label", "kept"),
    [("S. M.", "PER", False), ("A. P. A. M.", "PER", False), ("V", "PER", False),
     ("J. Dupont", "PER", True), ("S. M.", "ORG", True)],
)
def test_initials_only(part, label, kept):
    text = f"Hier {part} est venu."
    assert (initials_only(text, span_of(text, part, label)) is not None) is kept


@pytest.mark.parametrize(
    ("text", "part", "kept"),
    [("les États membres", "États", False), ("l'Etat fédéral", "Etat", False),
     ("aux États-Unis", "États-Unis", True), ("État de Palestine", "État de Palestine", True)],
)
def test_state_word(text, part, kept):
    assert (state_word(text, span_of(text, part, "LOC")) is not None) is kept


@pytest.mark.parametrize(
    ("text", "part", "kept"),
    [("les Russes ont dit", "Russes", False), ("des Irakiens", "Irakiens", False),
     ("Les Anglais avaient", "Anglais", False), ("80 000 Français", "Français", False),
     ("un Américain enlevé", "Américain", False),
     ("devant le Danois Jonas Vingegaard", "Danois", False),
     ("Le Slovène Tadej Pogačar", "Slovène", False),
     ("le Valais Central", "Valais", True),  # one capitalised word after: not a person's name
     # places with a demonym-like ending, after a determiner that is not for people
     ("le Valais est beau", "Valais", True), ("il va à Amiens", "Amiens", True),
     ("dans le Calaisis", "Calaisis", True), ("les Balkans", "Balkans", True)],
)
def test_demonym(text, part, kept):
    assert (demonym(text, span_of(text, part, "LOC")) is not None) is kept


@pytest.mark.parametrize(
    ("text", "part", "label", "expected"),
    [("LONDRES, 12 mai.", "LONDRES", "ORG", "LOC"),
     ("ALLEMAGNE.— Ratisbonne", "ALLEMAGNE", "ORG", "LOC"),
     ("selon l'UNESCO qui", "UNESCO", "ORG", "ORG"),  # an acronym in running text
     ("la FIFA, hier", "FIFA", "ORG", "ORG"),  # four letters: an acronym
     ("PARIS, 3 mai", "PARIS", "LOC", "LOC")],
)
def test_dateline(text, part, label, expected):
    assert dateline(text, span_of(text, part, label)).label == expected


@pytest.mark.parametrize(
    ("text", "part", "label", "expected"),
    [("la Cour de cassation", "Cour de cassation", "LOC", "ORG"),
     ("au Conseil d'Etat", "Conseil d'Etat", "LOC", "ORG"),
     ("chez Éditions Odile Jacob", "Éditions Odile Jacob", "PER", "ORG"),
     ("à Paris", "Paris", "LOC", "LOC"),
     ("la Courtine", "Courtine", "LOC", "LOC"),  # the whole first word must match
     ("Banque de France", "Banque de France", "MISC", "MISC")],
)
def test_institution(text, part, label, expected):
    assert institution(text, span_of(text, part, label)).label == expected


@pytest.mark.parametrize(
    ("text", "part", "expected"),
    [("sur la RD192 hier", "RD192", None), ("sur l'A7", "A7", None), ("à 14h", "14h", None),
     ("à 14 h 30", "14 h 30", None), ("à Paris 17e", "Paris 17e", "Paris"),
     ("Oxfordshire OX14 3RN", "Oxfordshire OX14", "Oxfordshire"),
     ("Paris 75008", "Paris 75008", "Paris"),
     ("rue du Lion-d'Or 4", "rue du Lion-d'Or 4", "rue du Lion-d'Or 4"),  # an address
     ("le G20 à Rome", "Rome", "Rome")],
)
def test_code_or_time(text, part, expected):
    assert shown(text, code_or_time(text, span_of(text, part, "LOC"))) == (
        None if expected is None else (expected, "LOC"))


def test_code_or_time_only_for_places():
    text = "le G20 se réunit"
    assert code_or_time(text, span_of(text, "G20", "ORG")) is not None


@pytest.mark.parametrize(
    ("part", "label", "kept"),
    [("Député", "ORG", False), ("Monsieur le Commissaire", "ORG", False),
     ("Président", "LOC", False), ("Président Wilson", "LOC", True), ("Sénat", "ORG", True)],
)
def test_lone_title(part, label, kept):
    text = f"Hier, {part} a parlé."
    assert (lone_title(text, span_of(text, part, label)) is not None) is kept


def test_refine_applies_convention_then_fixes():
    text = "Madame la Présidente, M. Poutine et les Russes."
    assert refine(text, 0, len("Madame la Présidente"), "PER") is None  # a lone title
    start = text.index("M. Poutine")
    span = refine(text, start, start + len("M. Poutine"), "PER")
    assert text[span.start:span.end] == "Poutine"
    assert text[slice(*span.title)] == "M."
    start = text.index("Russes")
    assert refine(text, start, start + 6, "LOC") is None
    # with no fixes, only the convention applies
    assert refine(text, start, start + 6, "LOC", fixes=()) is not None


def test_every_fix_is_listed_once():
    assert len(set(FIXES)) == len(FIXES) == 9
