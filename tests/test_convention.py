"""The span convention on plain strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ner_cli.convention import split_span


def parts(text, label="PER"):
    result = split_span(text, 0, len(text), label)
    if result is None:
        return None
    title = text[slice(*result.title)] if result.title else None
    return text[result.start:result.end], title


@pytest.mark.parametrize(
    ("span", "label", "expected"),
    [
        ("M. Poutine", "PER", ("Poutine", "M.")),
        ("Mme Braun-Pivet", "PER", ("Braun-Pivet", "Mme")),
        ("président Vladimir Poutine", "PER", ("Vladimir Poutine", "président")),
        ("le général de Gaulle", "PER", ("de Gaulle", "général")),
        ("Dr House", "PER", ("House", "Dr")),
        ("Vladimir Poutine", "PER", ("Vladimir Poutine", None)),
        ("M.", "PER", None),
        ("Le Premier ministre", "PER", None),
        ("la France", "LOC", ("France", None)),
        ("l'Élysée", "LOC", ("Élysée", None)),
        ("Le Mans", "LOC", ("Le Mans", None)),
        ("La Haye", "LOC", ("La Haye", None)),
        ("CVN |", "ORG", ("CVN", None)),
        ("Assemblée !", "ORG", ("Assemblée", None)),  # "notre Assemblée ! »"
        ("« Le Monde »", "MISC", ("Le Monde", None)),
        ("Marie-Curie", "PER", ("Marie-Curie", None)),
        ("|", "ORG", None),
        ("de France", "LOC", ("France", None)),
        ("d'Autriche", "LOC", ("Autriche", None)),
        ("de Gaulle", "PER", ("de Gaulle", None)),  # a surname particle stays
        ("de l'Europe", "LOC", ("de l'Europe", None)),  # only before a capital
        ("Laufanne.—", "LOC", ("Laufanne", None)),
        ("B.C.E.", "ORG", ("B.C.E.", None)),  # an abbreviation keeps its dots
        ("Acme Inc.", "ORG", ("Acme Inc.", None)),
        ("Madame la Présidente", "PER", None),
        ("rapporteur Dupont", "PER", ("Dupont", "rapporteur")),
    ],
)
def test_split_span(span, label, expected):
    assert parts(span, label) == expected


@given(st.text(max_size=40), st.sampled_from(["PER", "LOC", "ORG", "MISC"]))
def test_split_span_stays_inside_and_never_grows(text, label):
    result = split_span(text, 0, len(text), label)
    if result is not None:
        assert 0 <= result.start < result.end <= len(text)
        assert text[result.start:result.end].strip() == text[result.start:result.end]
        if result.title:
            assert result.title[1] <= result.start


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("selon M. Poutine", "Poutine", "M."),
        ("le Premier ministre Jean Castex", "Jean Castex", "Premier ministre"),
        ("la ministre Rachida Dati", "Rachida Dati", "ministre"),
        ("le président russe Vladimir Poutine", "Vladimir Poutine", None),
        ("M.\nPoutine", "Poutine", None),
        ("Poutine", "Poutine", None),
        ("X. Poutine", "Poutine", None),
    ],
)
def test_title_before_a_name(text, name, title):
    from ner_cli.convention import title_before

    found = title_before(text, text.rindex(name))
    assert (text[slice(*found)] if found else None) == title
