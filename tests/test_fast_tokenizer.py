"""The fast French TOKEN_MATCH: installed only for spaCy's pinned pattern, and tokenizing
exactly like stock spaCy (samples and generated hyphenated/elided words)."""

from __future__ import annotations

import functools
import random
import re

import pytest

from ner_cli import _fr_token_match, fast_tokenizer
from ner_cli.fast_tokenizer import (
    fast_pattern,
    fast_token_match,
    is_pinned_source,
    model_tokenizers,
    source_digest,
    stock_source,
)
from tests.conftest import SAMPLES

SMALL = "(?iu)(?:^ab[c]+$)"


@pytest.fixture
def pinned_small(monkeypatch):
    """Pin a small pattern instead of spaCy's 1.45 M-character one."""
    monkeypatch.setattr(_fr_token_match, "SOURCE_SHA256", source_digest(SMALL))
    monkeypatch.setattr(_fr_token_match, "SOURCE_LENGTH", len(SMALL))
    monkeypatch.setattr(_fr_token_match, "FAST_PATTERN", "(?iu)^abc+$")
    monkeypatch.setattr(fast_tokenizer, "_fast_compiled", None)
    monkeypatch.delenv(fast_tokenizer.STOCK_ENV, raising=False)


def test_the_pinned_pattern_compiles_to_the_fast_one(pinned_small):
    with fast_token_match() as installed:
        compiled = re.compile(SMALL)
    assert installed
    assert compiled.pattern == "(?iu)^abc+$"
    assert re.compile is fast_tokenizer._real_compile


@pytest.mark.parametrize("other", [
    "(?iu)(?:^ab[d]+$)",  # same length, another pattern: another spaCy version's exceptions
    "(?iu)(?:^ab[c]*$)",
    SMALL + "|x",
])
def test_another_pattern_compiles_as_it_is(pinned_small, other):
    assert not is_pinned_source(other)
    with fast_token_match():
        assert re.compile(other).pattern == other
        assert re.compile(SMALL, re.IGNORECASE).pattern == SMALL  # flags: not spaCy's call


def test_stock_tokenizer_env_turns_the_swap_off(pinned_small, monkeypatch):
    monkeypatch.setenv("NER_CLI_STOCK_TOKENIZER", "1")
    with fast_token_match() as installed:
        assert re.compile(SMALL).pattern == SMALL
    assert not installed


def test_the_loaded_pipeline_uses_the_fast_pattern(nlp):
    assert nlp.tokenizer.token_match.__self__.pattern == _fr_token_match.FAST_PATTERN


def test_factoring_keeps_each_alternative():
    source = ("(?iu)(?:^a[-]b[" + "x" * 120 + "]+$)|(?:^c[-]d[" + "x" * 120 + "]+$)"
              "|(?:^e[" + "x" * 120 + "]*$)")
    assert fast_pattern(source) == "(?iu)(?:^(?:a[-]b|c[-]d)(?-i:[Xx])+$)|(?:^e(?-i:[Xx])*$)"


@pytest.mark.slow
def test_the_pinned_pattern_is_built_from_this_spacy():
    source = stock_source()
    if not is_pinned_source(source):
        pytest.skip("another spaCy version: ner-cli uses the stock pattern")
    assert fast_pattern(source) == _fr_token_match.FAST_PATTERN


# Generated words: every alternative of spaCy's pattern, filled in, in several cases and with
# the neighbours that make the tokenizer split (punctuation, elisions, clitics).

HYPHENS = "-–—‐‑"
ELISIONS = "'’"
# Letters of the class, including the ones case folding treats specially (ſ, K, İ, ı, ß, ǅ).
LETTERS = ["a", "é", "z", "ß", "ſ", "\u212a", "İ", "ı", "ǅ", "ω", "ж", "中", "ñ", "œ", "E", "Ü"]
TAILS = ["", "inflammatoire", "Américain", "homme", "ciel", "ski", "états-unis", "x", "ÉTAT",
         "l'air", "d’eau", "2", "t-il", "né", "ſtraße", "Ωmega", "ja", "o"]
ELIDED = ["l'", "d'", "qu'", "n'", "s'", "j'", "c'", "jusqu'", "lorsqu'", "L’", "D’", "Qu’"]
AROUND = [("", ""), ("", ","), ("", "."), ("(", ")"), ("«\u00a0", "\u00a0»"), ("", "-"),
          ("", "'"), ("", "…"), ("\"", "\""), ("", "-t-il"), ("", "-ce"), ("", "-là")]


def _expand(pattern: str, rng: random.Random) -> str:
    """One string the (simple) regular expression ``pattern`` matches, chosen by ``rng``."""
    out = []
    for kind, payload, optional, repeated in _parsed(pattern):
        if optional and rng.random() < 0.5:
            continue
        if kind == "large":
            out.append(rng.choice(LETTERS) + (rng.choice(TAILS) if repeated else ""))
        elif kind == "class":
            out.append(rng.choice(payload))
        elif kind == "group":
            out.append(_expand(rng.choice(payload), rng))
        else:
            out.append(payload)
    return "".join(out)


@functools.cache
def _parsed(pattern: str) -> list[tuple[str, object, bool, bool]]:
    atoms = []
    for atom in fast_tokenizer._atoms(pattern):
        quantifier = atom[len(atom.rstrip("?*+")):]
        body = atom[:len(atom) - len(quantifier)] if quantifier else atom
        optional, repeated = quantifier in ("?", "*"), quantifier in ("*", "+")
        if fast_tokenizer._large_class(body):
            atoms.append(("large", None, optional, repeated))
        elif body.startswith("["):
            atoms.append(("class", re.findall(".", body[1:-1].replace("\\", "")), optional,
                          repeated))
        elif body.startswith("(?:"):
            atoms.append(("group", _split_top(body[3:-1]), optional, repeated))
        elif body not in "^$":
            atoms.append(("text", body, optional, repeated))
    return atoms


def _split_top(group: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(group):
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append(group[start:i])
            start = i + 1
    return [*parts, group[start:]]


def _case(word: str, rng: random.Random) -> str:
    return rng.choice([str.lower, str.upper, str.title, str.capitalize, lambda w: w])(word)


def generated_words(count: int = 94_000, seed: int = 16) -> list[str]:
    """``count`` words built from every alternative of spaCy's French TOKEN_MATCH."""
    rng = random.Random(seed)
    alternatives = fast_tokenizer._alternatives(stock_source())
    words = []
    while len(words) < count:
        for alternative in alternatives:
            word = _case(_expand(alternative, rng), rng)
            if rng.random() < 0.2:
                word = rng.choice(ELIDED) + word
            if rng.random() < 0.1:  # one hyphen for another, or for a letter
                word = re.sub(f"[{HYPHENS}]", lambda _: rng.choice(HYPHENS + "a_"), word)
            before, after = rng.choice(AROUND)
            words.append(before + word + after)
    return words[:count]


def _tokens(tokenizer, text: str) -> list[tuple[int, str]]:
    return [(token.idx, token.text) for token in tokenizer(text)]


@pytest.fixture(scope="module")
def tokenizers(nlp):
    stock, fast = model_tokenizers(nlp)
    if stock.token_match.__self__.pattern == fast.token_match.__self__.pattern:
        pytest.skip("no fast pattern for this spaCy version (or NER_CLI_STOCK_TOKENIZER=1)")
    return stock, fast


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_samples_tokenize_as_stock(tokenizers, sample):
    stock, fast = tokenizers
    text = sample.read_text(encoding="utf-8")
    assert _tokens(fast, text) == _tokens(stock, text)


@pytest.mark.slow
def test_generated_words_tokenize_as_stock(tokenizers):
    stock, fast = tokenizers
    words = generated_words()
    assert len(set(words)) > 50_000
    differences = []
    for start in range(0, len(words), 100):
        text = " ".join(words[start:start + 100])
        expected, got = _tokens(stock, text), _tokens(fast, text)
        if got != expected:
            differences.append((text, sorted(set(got) ^ set(expected))[:6]))
    assert differences == []


@pytest.mark.slow
def test_generated_words_exercise_the_pattern(tokenizers):
    """Not vacuous: many generated words are single tokens only thanks to TOKEN_MATCH."""
    stock, _ = tokenizers
    words = set(generated_words(5_000))
    matched = [w for w in words if stock.token_match(w)]
    assert len(matched) > 1_000
