"""A French TOKEN_MATCH that compiles in 0.04 s instead of 2.5 s, and its installation.

spaCy's French tokenizer matches hyphenated and elided words ("anti-inflammatoire",
"entr'ouvert") with one regular expression of 1.45 M characters: 266 alternatives, most of them
repeating a character class of about 3,000 characters (every lower-case letter, under
``(?iu)``). Python's ``re`` compiles each copy of the class into a bitmap one character at a
time, so ``import spacy.lang.fr`` spends ~2.5 s there; ``spacy.load`` then asks for the
serialized pattern (the same string: ``re``'s cache answers, unless it has been emptied).

``fast_pattern(source)`` rebuilds the same regular language:

- each large class becomes ``(?-i:[...])``, a case-sensitive class of the code points the
  original matches under ``(?iu)``, found by trying every code point (exact by construction,
  checked again against the original);
- alternatives that differ only in a run without large classes are factored,
  ``^a[-]b[x]+$|^c[-]d[x]+$`` -> ``^(?:a[-]b|c[-]d)[x]+$``, so each class is compiled a few
  times instead of 480.

The result (~10 k characters) is in ``_fr_token_match``, pinned to the sha256 and length of
the source pattern it was built from. ``fast_token_match()`` swaps ``re.compile`` for that
one pattern while spaCy imports its French defaults and loads a pipeline; any other pattern,
or another spaCy version's (a different hash), goes to the real ``re.compile``. With
``NER_CLI_STOCK_TOKENIZER=1`` nothing is swapped.

spaCy uses a token match only for its truth value (``if token_match(string)``), so accepting
the same strings is all equivalence needs; tests/test_fast_tokenizer.py and
bench/tokenizer_equivalence.py compare stock and fast tokenization token by token.

Also a pytest plugin: ``python -m pytest --pyargs spacy.tests.lang.fr -p
ner_cli.fast_tokenizer`` runs spaCy's own French tokenizer tests with the fast pattern.
Regenerate ``_fr_token_match.py`` after a spaCy upgrade with ``python -m
ner_cli.fast_tokenizer``.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer

STOCK_ENV = "NER_CLI_STOCK_TOKENIZER"
# A class at least this long is rebuilt; the short ones ("[ée]", the hyphens) stay as they are.
LARGE_CLASS = 100
_FLAGS = "(?iu)"


def source_digest(pattern: str) -> str:
    """The sha256 (hex) of a pattern string, as pinned in ``_fr_token_match``."""
    return hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()


def is_pinned_source(pattern: object) -> bool:
    """Whether ``pattern`` is the exact spaCy French TOKEN_MATCH source the fast one replaces."""
    pinned = _pinned()
    if pinned is None:
        return False
    # The length first: hashing every pattern spaCy compiles would cost more than it saves.
    return (isinstance(pattern, str) and len(pattern) == pinned.SOURCE_LENGTH
            and source_digest(pattern) == pinned.SOURCE_SHA256)


def stock_requested() -> bool:
    """Whether ``NER_CLI_STOCK_TOKENIZER=1`` asks for spaCy's own pattern."""
    return os.environ.get(STOCK_ENV, "") not in ("", "0")


_real_compile = re.compile


def _pinned():
    try:
        from ner_cli import _fr_token_match
    except ImportError:  # not generated yet: python -m ner_cli.fast_tokenizer
        return None
    return _fr_token_match


_fast_compiled: re.Pattern[str] | None = None
_installed = 0
_lock = threading.Lock()  # two threads loading pipelines at once keep the count right


def _fast_compile(pattern, flags=0):
    global _fast_compiled
    if flags == 0 and is_pinned_source(pattern):
        if _fast_compiled is None:
            _fast_compiled = _real_compile(_pinned().FAST_PATTERN)
        return _fast_compiled
    return _real_compile(pattern, flags)


def install() -> bool:
    """Swap ``re.compile`` so that the pinned French pattern compiles to the fast one.

    Returns False (and swaps nothing) when ``NER_CLI_STOCK_TOKENIZER=1``. Calls nest; each
    ``install()`` that returned True needs one ``uninstall()``.
    """
    global _installed
    if stock_requested():
        return False
    with _lock:
        _installed += 1
        re.compile = _fast_compile
    return True


def uninstall() -> None:
    """Undo one ``install()``; the last one puts the real ``re.compile`` back."""
    global _installed
    with _lock:
        _installed = max(0, _installed - 1)
        if _installed == 0:
            re.compile = _real_compile


@contextmanager
def fast_token_match() -> Iterator[bool]:
    """Inside the block, spaCy's French TOKEN_MATCH compiles to the fast equivalent.

    Wrap ``import spacy.lang.fr`` and ``spacy.load``: the first compiles the pattern from
    spaCy's source, the second from the serialized tokenizer. Yields whether the swap is on.
    """
    installed = install()
    try:
        yield installed
    finally:
        if installed:
            uninstall()


@contextmanager
def _stock_compile() -> Iterator[None]:
    # Whatever is installed (the pytest plugin installs for the whole session).
    current = re.compile
    re.compile = _real_compile
    try:
        yield
    finally:
        re.compile = current


def model_tokenizers(nlp: Language) -> tuple[Tokenizer, Tokenizer]:
    """Two tokenizers read from the tokenizer file of ``nlp``'s model folder: one with the
    stock TOKEN_MATCH (compiled by the real ``re.compile``: ~2.5 s), one with the fast one.

    For equivalence checks; on another spaCy version both are stock.
    """
    from spacy.tokenizer import Tokenizer

    if nlp.path is None:
        raise ValueError("the pipeline was not loaded from a folder")
    path = Path(nlp.path) / "tokenizer"
    with _stock_compile():
        stock = Tokenizer(nlp.vocab).from_disk(path)
    with _stock_compile(), fast_token_match():
        fast = Tokenizer(nlp.vocab).from_disk(path)
    return stock, fast


# pytest plugin (-p ner_cli.fast_tokenizer): on for the whole session.
def pytest_configure(config) -> None:
    install()
    # spaCy declares this marker in its own setup.cfg, which a run from here does not read
    # (and ner-cli's pytest settings use --strict-markers).
    config.addinivalue_line("markers", "issue(number): the spaCy issue a test covers")


def pytest_unconfigure(config) -> None:
    uninstall()


def pytest_terminal_summary(terminalreporter) -> None:
    import sys

    module = sys.modules.get("spacy.lang.fr.tokenizer_exceptions")
    if module is not None:
        fast = module.TOKEN_MATCH.__self__.pattern == _pinned_fast_pattern()
        terminalreporter.write_line(f"spacy.lang.fr TOKEN_MATCH: {'fast' if fast else 'stock'}")


def _pinned_fast_pattern() -> str | None:
    pinned = _pinned()
    return None if pinned is None else pinned.FAST_PATTERN


def pytest_report_header(config) -> str:
    state = "off (NER_CLI_STOCK_TOKENIZER)" if stock_requested() else "on"
    return f"ner-cli fast French TOKEN_MATCH: {state}"


# Building the fast pattern (development: after a spaCy upgrade, and in tests).

def _class_end(pattern: str, start: int) -> int:
    """Index of the "]" closing the class that opens at ``start``."""
    i = start + 1
    if pattern[i] == "^":
        i += 1
    if pattern[i] == "]":
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


def _group_end(pattern: str, start: int) -> int:
    """Index of the ")" closing the group that opens at ``start``."""
    depth, i = 0, start
    while True:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def _atoms(pattern: str) -> list[str]:
    """``pattern`` cut into atoms, each with its quantifier: "^", "a", "[ée]", "(?:ses?)?"."""
    atoms, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" or char in "?*+{|)":
            # Escapes outside classes, counted repeats and bare alternations do not occur in
            # spaCy's French pattern; refusing them keeps the factoring simple and exact.
            raise ValueError(f"unsupported regular expression syntax at {i}: {pattern[i:i+20]!r}")
        if char == "[":
            end = _class_end(pattern, i) + 1
        elif char == "(":
            end = _group_end(pattern, i) + 1
        else:
            end = i + 1
        while end < len(pattern) and pattern[end] in "?*+":
            end += 1
        if end < len(pattern) and pattern[end] == "{":
            raise ValueError(f"unsupported regular expression syntax at {end}")
        atoms.append(pattern[i:end])
        i = end
    return atoms


def _alternatives(source: str) -> list[str]:
    """The top-level alternatives of ``(?iu)(?:a)|(?:b)|...``, without their groups."""
    if not source.startswith(_FLAGS):
        raise ValueError("not a (?iu) pattern")
    body = source[len(_FLAGS):]
    alternatives, i = [], 0
    while i < len(body):
        if not body.startswith("(?:", i):
            raise ValueError(f"expected (?: at {i}")
        end = _group_end(body, i)
        alternatives.append(body[i + 3:end])
        i = end + 1
        if i < len(body):
            if body[i] != "|":
                raise ValueError(f"expected | at {i}")
            i += 1
    return alternatives


def _large_class(atom: str) -> str | None:
    """The class of an atom like "[a-z...]+" when it is a large one, else None."""
    if not atom.startswith("["):
        return None
    klass = atom[:_class_end(atom, 0) + 1]
    return klass if len(klass) >= LARGE_CLASS else None


_ALL_CODE_POINTS: str | None = None


def _members(klass: str, flags: str) -> str:
    """Every code point ``klass`` matches under ``flags``, in order."""
    global _ALL_CODE_POINTS
    if _ALL_CODE_POINTS is None:
        _ALL_CODE_POINTS = "".join(map(chr, range(0x110000)))
    return "".join(_real_compile(flags + klass).findall(_ALL_CODE_POINTS))


def _char(code: int) -> str:
    char = chr(code)
    if char in "\\]^-[":
        return "\\" + char
    if char.isascii() and char.isprintable() and char != " ":
        return char
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def compact_class(klass: str) -> str:
    """``(?-i:[...])`` matching exactly the code points ``klass`` matches under ``(?iu)``."""
    members = _members(klass, _FLAGS)
    runs: list[list[int]] = []
    for code in map(ord, members):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    parts = [_char(a) if a == b else f"{_char(a)}{'-' if b > a + 1 else ''}{_char(b)}"
             for a, b in runs]
    compact = f"(?-i:[{''.join(parts)}])"
    if _members(compact, _FLAGS) != members:
        raise ValueError(f"compact class differs from {klass[:40]}...")
    return compact


def _factor(alternatives: list[list[str]]) -> list[list[str]]:
    """Alternatives (as atoms) sharing their large classes, merged into one when their
    common prefix and suffix hold all of those classes."""
    groups: dict[tuple[str, ...], list[list[str]]] = {}
    for atoms in alternatives:
        key = tuple(a for a in atoms if _large_class(a))
        groups.setdefault(key, []).append(atoms)
    factored = []
    for key, members in groups.items():
        shortest = min(len(m) for m in members)
        prefix = 0
        while prefix < shortest and len({m[prefix] for m in members}) == 1:
            prefix += 1
        suffix = 0
        while (prefix + suffix < shortest
               and len({m[len(m) - 1 - suffix] for m in members}) == 1):
            suffix += 1
        head = members[0][:prefix]
        tail = members[0][len(members[0]) - suffix:]
        outside = [a for a in head + tail if _large_class(a)]
        if len(members) == 1 or len(outside) != len(key):
            factored.extend(members)
            continue
        middles = ["".join(m[prefix:len(m) - suffix]) for m in members]
        factored.append([*head, "(?:" + "|".join(middles) + ")", *tail])
    return factored


def fast_pattern(source: str) -> str:
    """The fast equivalent of spaCy's French TOKEN_MATCH source pattern ``source``."""
    alternatives = [_atoms(a) for a in _alternatives(source)]
    compact: dict[str, str] = {}
    for atoms in alternatives:
        for atom in atoms:
            klass = _large_class(atom)
            if klass is not None and klass not in compact:
                compact[klass] = compact_class(klass)
    rebuilt = []
    for atoms in _factor(alternatives):
        parts = []
        for atom in atoms:
            klass = _large_class(atom)
            parts.append(atom if klass is None else compact[klass] + atom[len(klass):])
        rebuilt.append("(?:" + "".join(parts) + ")")
    return _FLAGS + "|".join(rebuilt)


def stock_source() -> str:
    """spaCy's French TOKEN_MATCH source pattern, rebuilt from its parts without compiling it
    (importing spacy.lang.fr compiles it, fast when this module's swap is on)."""
    with fast_token_match():
        from spacy.lang.fr import tokenizer_exceptions

    return _FLAGS + "|".join(f"(?:{m})" for m in tokenizer_exceptions._regular_exp)


def pinned_module(source: str) -> str:
    """The text of ``_fr_token_match.py`` for ``source``."""
    import spacy

    return (
        f'"""Generated by `python -m ner_cli.fast_tokenizer` (spaCy {spacy.__version__}): '
        "spaCy's French\nTOKEN_MATCH source pattern, pinned, and its fast equivalent "
        '(see fast_tokenizer.py)."""\n\n'
        f"SOURCE_SHA256 = {source_digest(source)!r}\n"
        f"SOURCE_LENGTH = {len(source)}\n"
        f"FAST_PATTERN = (\n{_literal_lines(fast_pattern(source))})\n"
    )


def _literal_lines(text: str, width: int = 90) -> str:
    """``text`` as adjacent string literals, one per line of at most ``width`` characters."""
    lines, chunk = [], ""
    for char in text:
        if len(repr(chunk + char)) > width:
            lines.append(f"    {chunk!r}\n")
            chunk = ""
        chunk += char
    return "".join([*lines, f"    {chunk!r}\n"])


if __name__ == "__main__":
    target = Path(__file__).with_name("_fr_token_match.py")
    target.write_text(pinned_module(stock_source()), encoding="utf-8")
    print(f"wrote {target}")
