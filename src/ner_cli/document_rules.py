"""Document-level rules: what one mention alone cannot tell, the whole page can.

They run on every document after the model and the per-mention fixes (``ner_cli.rules``),
and before the label filter and the grouping with its label vote (README, "Entities"). Each
rule is a plain function ``rule(text, spans) -> spans`` over the document's text and its
mentions (``ner_cli.rules.Span``, sorted by start, never overlapping): it may relabel, drop,
widen or add mentions. ``apply_rules`` runs ``RULES`` in order. Word lists are in
models/lexicon/ (``ner_cli.lexicon``); each rule's measured effect is in README, "Accuracy".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import cache, lru_cache
from operator import attrgetter

from ner_cli import lexicon
from ner_cli.convention import title_before
from ner_cli.rules import DEMONYM_PLURAL, DEMONYM_SINGULAR, INSTITUTIONS, Span

Rule = Callable[[str, list[Span]], list[Span]]

_UPPER = "A-ZÀ-ÖØ-ÞŒ"
# A capitalised word as names are matched in text: letters, digits, hyphens, apostrophes.
_CAPITALISED = re.compile(rf"(?<![\w@#/.-])[{_UPPER}][\w'’-]*")
_WORD = re.compile(r"[\w'’-]+")
# What may stand right before a word that starts a sentence (after spaces).
_SENTENCE_OPENERS = ".!?:;…«»\"“”—–-•|"
# A full stop after these is an abbreviation, not a sentence end: "M. Pinard", "J. Dupont".
_ABBREVIATION = re.compile(rf"(?:\b(?:M|MM|Mme|Mmes|Mlle|Dr|Pr|Me|Mgr|St|Ste|[{_UPPER}]))\.\Z")


# --- helpers ---------------------------------------------------------------------------

_START = attrgetter("start")


def at_sentence_start(text: str, start: int) -> bool:
    """True when ``text[start]`` opens a line or a sentence, where a capital says nothing."""
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0":  # a bounded look back: cheap on long lines
        i -= 1
    if i < 0 or text[i] in "\n\r":
        return True
    return text[i] in _SENTENCE_OPENERS and not _ABBREVIATION.search(text, max(0, i - 4), i + 1)


def is_common_word(word: str) -> bool:
    """``word`` (any case) is a common French noun, adjective or adverb, or the plural of one
    (the model's lemma index, ``lexicon.is_common``)."""
    lower = word.lower()
    return lexicon.is_common(lower) or (lower[-1:] in ("s", "x") and lexicon.is_common(lower[:-1]))


def _without_overlaps(spans: Iterable[Span]) -> list[Span]:
    """``spans`` (in order) without those that overlap one kept before them."""
    kept: list[Span] = []
    for span in spans:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def _overlapping(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans (sorted, never overlapping, so their ends are sorted too) that overlap
    ``start:end``, in order: a bisection, not a scan (a long document holds thousands)."""
    at = bisect_left(spans, end, key=_START)
    first = at
    while first and spans[first - 1].end > start:
        first -= 1
    return list(spans[first:at])


def _put(spans: list[Span], new: Span) -> list[Span]:
    """``new`` in place of the spans it covers; unchanged when it cuts across one."""
    covered = _overlapping(spans, new.start, new.end)
    if any(s.start < new.start or s.end > new.end for s in covered):
        return spans
    kept = [s for s in spans if s not in covered]
    title = next((s.title for s in covered if s.start == new.start), None)
    kept.append(replace(new, title=new.title or title))
    return sorted(kept, key=_START)


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """A capitalised word right before (mid-sentence) or right after: part of a longer name
    ("Paris Hilton", "Jean Washington") the model did not find."""
    before = _CAPITALISED_BEFORE.search(text, max(0, start - 40), start)
    if before and not at_sentence_start(text, start - len(before.group(0))):
        return True
    return bool(_CAPITALISED_AFTER.match(text, end, end + 2))


_CAPITALISED_BEFORE = re.compile(rf"([{_UPPER}][\w'’-]*)[ \u00a0]\Z")
_CAPITALISED_AFTER = re.compile(rf"[ \u00a0][{_UPPER}]")


class NameIndex:
    """Names looked up by their first word, longest first: one pass of a regex over the text
    finds every occurrence (cheap, whatever the number of names)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_first: dict[str, list[str]] = {}
        for name in names:
            first = _WORD.match(name)
            if first:
                self.by_first.setdefault(first.group(), []).append(name)
        for candidates in self.by_first.values():
            candidates.sort(key=len, reverse=True)

    def find(self, text: str) -> Iterable[tuple[int, int, str]]:
        """``(start, end, name)`` of each occurrence as a whole word, left to right."""
        positions = capitalised_positions(text)
        # only the capitalised words that start a name of the index, left to right
        starts = sorted((start, first) for first in positions.keys() & self.by_first.keys()
                        for start in positions[first])
        position = 0
        for start, first in starts:
            if start < position:
                continue
            for name in self.by_first[first]:
                end = start + len(name)
                if text.startswith(name, start) and not _continues(text, end):
                    yield start, end, name
                    position = end
                    break


@lru_cache(maxsize=2)
def capitalised_positions(text: str) -> dict[str, list[int]]:
    """Each capitalised word (apostrophes and hyphens kept: a name's first word as
    ``NameIndex`` files it) and where it stands: every rule that looks names up reads this
    one scan of the document."""
    positions: dict[str, list[int]] = {}
    for match in _CAPITALISED.finditer(text):
        positions.setdefault(match.group(), []).append(match.start())
    return positions


@lru_cache(maxsize=2)
def lowercase_words(text: str) -> frozenset[str]:
    """The words written in lower case in the document."""
    return frozenset(w for w in _WORD.findall(text) if w.islower())


def _continues(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] in "-_")


@cache
def _index(file: str) -> tuple[NameIndex, dict[str, str]]:
    labels = {name: label for label, names in lexicon.load(file).items() for name in names}
    return NameIndex(labels), labels


def _lexicon_names(text: str, spans: list[Span], file: str) -> list[Span]:
    """Mentions that are a listed name take its label; an occurrence the model missed, or
    found cut short ("France" in "France 24"), becomes a mention."""
    index, labels = _index(file)
    out = []
    for span in spans:
        surface = text[span.start:span.end]
        label = labels.get(surface)
        if label is None and surface[:2] in ("L'", "L’") and surface[2:] in labels:
            # "« L'Italie a…": the article is capitalised only because it opens the sentence
            span, label = replace(span, start=span.start + 2), labels[surface[2:]]
        out.append(span if label is None else replace(span, label=label))
    for start, end, name in index.find(text):
        covered = _overlapping(out, start, end)
        if covered and all(s.start == start and s.end == end for s in covered):
            continue
        if not covered and _inside_longer_name(text, start, end):
            continue
        if (not covered and " " not in name and at_sentence_start(text, start)
                and lexicon.is_common(name.lower())):
            continue  # "Cher ami", "Lot de…", "Terre de…" open a sentence, not a place
        out = _put(out, Span(start, end, labels[name]))
    return out


# --- the rules ---------------------------------------------------------------------------

# "Moody | 's": the model cuts an English possessive that belongs to the name.
_POSSESSIVE = re.compile(r"['’]s(?![\w'’-])")
# "musée Pointe-à-Callière de": a name does not end on a connector word.
_TRAILING_CONNECTOR = re.compile(r"(?: (?:de|du|des|d['’]|la|le|les|et|à|au|aux|en))+\Z")


def name_edges(text: str, spans: list[Span]) -> list[Span]:
    """A name keeps its English possessive ("Moody's") and does not end on a connector
    word ("musée Pointe-à-Callière de" -> "musée Pointe-à-Callière")."""
    out = []
    for span in spans:
        if _POSSESSIVE.match(text, span.end) and span.end > span.start + 1:
            span = replace(span, end=span.end + 2)
        trailing = _TRAILING_CONNECTOR.search(text, span.start, span.end)
        if trailing and trailing.start() > span.start:
            span = replace(span, end=trailing.start())
        out.append(span)
    return _without_overlaps(out)


def interface_words(text: str, spans: list[Span]) -> list[Span]:
    """Page furniture is not a name ("Publicité", "VIDÉO", "Photo", "Réactions"), nor what
    the guidelines leave out ("Internet", "TVA", "PIB"), nor a social-media handle, a hashtag
    or a web address ("@Elysee", "#JO2024", "lemonde.fr")."""
    words = _interface_words()
    return [s for s in spans if text[s.start:s.end].casefold() not in words
            and not _HANDLE_OR_URL.search(text, max(0, s.start - 1), s.end)]


# "@Elysee", "#JO2024", "lemonde.fr/Politique": handles, hashtags and URLs (not annotated).
_HANDLE_OR_URL = re.compile(r"[@#]\w|\w\.(?:fr|com|org|net|info|eu|be|ch|ca)\b|https?://|www\.")


@cache
def _interface_words() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon.words("interface_words")
                     | lexicon.words("interface_words", "not_annotated"))


def common_words(text: str, spans: list[Span]) -> list[Span]:
    """A one-word mention that is a common French word, standing where a capital says nothing
    (line or sentence start, an all-capitals heading) and not a known name, is dropped when
    the word is also written in lower case in the document or is in the model's lemma index
    ("Reconfigurer", "Sommet", "Incident") — unless the document also writes it with a
    capital mid-sentence, which makes it a name there ("Macron" is in no index)."""
    known = lexicon.labelled_names()
    out = []
    for span in spans:
        surface = text[span.start:span.end]
        if (" " in surface or surface in known or surface.title() in known
                or not (at_sentence_start(text, span.start) or surface.isupper())
                or (surface.isupper() and len(surface) <= 4)):
            out.append(span)
            continue
        common = surface.lower() in lowercase_words(text) or is_common_word(surface)
        # the document also writes it with a capital mid-sentence: a name there
        if common and all(at_sentence_start(text, p)
                          for p in capitalised_positions(text).get(surface, ())):
            continue
        out.append(span)
    return out


# "ministre de l'Économie", "secrétaire d'État chargée des Sports": what follows is a
# portfolio, a job title (guidelines: not annotated), not the ministry (ORG).
_PORTFOLIO_BEFORE = re.compile(
    r"(?:ministre|ministres|secrétaire d['’][ÉE]tat|secrétariat d['’][ÉE]tat|portefeuille)"
    r"(?: (?:délégué|déléguée|adjoint|adjointe))?"
    r"(?: (?:chargé|chargée|chargés) (?:de|du|des|de la|de l['’]|d['’])| (?:à la|à l['’]|au|aux)"
    r"| (?:de la|de l['’]|du|des|de|d['’]))[ ]?\Z",
    re.IGNORECASE,
)


_PORTFOLIO_PARTS = re.compile(r" et | (?:de la|de l['’]|du|des|de) ")


def portfolios(text: str, spans: list[Span]) -> list[Span]:
    """A portfolio after "ministre de/du/des…" is a job title, not an entity ("ministre de
    l'Économie"); so is a mention that starts with "ministre"."""
    words = lexicon.words("portfolios")
    out = []
    for span in spans:
        surface = text[span.start:span.end]
        if surface.split(" ", 1)[0].lower() in ("ministre", "ministres"):
            continue
        first_part = _PORTFOLIO_PARTS.split(surface, 1)[0]
        before = text[max(0, span.start - 60):span.start]
        if first_part in words and _PORTFOLIO_BEFORE.search(before):
            continue
        out.append(span)
    return out


@cache
def _event_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    # No lookbehind at the start of these patterns: re can then skip ahead to the possible
    # first letters (fast); the word boundary before a match is checked in _word_matches.
    events = lexicon.load("events")
    variants = set(events["names"])
    # "jeux olympiques" as well as "Jeux olympiques" (each spelt out: re's first-letter
    # skip works on literal alternatives only)
    variants |= {name[0].lower() + name[1:] for name in events["names"] if " " in name}
    names = _trie(variants)
    proper = rf"[{_UPPER}][\w'’-]*(?: (?:de |du |des |d['’])?[{_UPPER}][\w'’-]*)*"
    tail = rf"(?: (?:de |d['’])(?:\d{{4}}|{proper}))?"
    named = re.compile(rf"(?:{names}){tail}(?![\w'’-])")
    heads = _trie(events["heads"])
    headed = re.compile(rf"(?:{heads}) (?:(?:du|de la|de l['’]|des|de|d['’]) ?)?{proper}")
    storms = "|".join(re.escape(h) for h in events["storm_heads"])
    storm = re.compile(rf"(?:{storms}) ({proper})")
    return named, headed, storm


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, as a prefix tree: "salon|salle" ->
    "sal(?:on|le)"; re tries one branch per letter instead of every word."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items())
                    if char]
        if not branches:
            return ""
        alternation = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        # a word may end here: the longer words are tried first, then nothing more
        return f"(?:{alternation})?" if "" in node else alternation

    return pattern(tree)


def _word_matches(pattern: re.Pattern, text: str) -> Iterable[re.Match]:
    """The matches of ``pattern`` that start a word."""
    for match in pattern.finditer(text):
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "'’-_"):
            yield match


def events(text: str, spans: list[Span]) -> list[Span]:
    """Named events, laws and storms are MISC (guidelines): "Jeux olympiques de 2012",
    "salon du Bourget", "traité de Lisbonne", "Stop Online Piracy Act", "tempête Xynthia"
    (the storm's name only)."""
    named, headed, storm = _event_patterns()
    suffixes = tuple(f" {s}" for s in lexicon.load("events")["suffixes"])
    out = [replace(s, label="MISC") if text[s.start:s.end].endswith(suffixes) else s
           for s in spans]
    for pattern in (named, headed):
        for match in _word_matches(pattern, text):
            covered = _overlapping(out, match.start(), match.end())
            if any(s.label == "PER" and s.start == match.start() for s in covered):
                continue
            out = _put(out, Span(match.start(), match.end(), "MISC"))
    for match in _word_matches(storm, text):
        out = _put(out, Span(match.start(1), match.end(1), "MISC"))
    return out


@cache
def _product_pattern() -> re.Pattern:
    heads = _trie(lexicon.words("products", "heads"))
    name = rf"[{_UPPER}][\w'’-]*(?: [{_UPPER}][\w'’-]*)*(?: [A-Z]{{1,3}}-?\d[\w-]*)?"
    return re.compile(rf"(?:{heads}) ({name})")


# A model code: "A321neo", "A380", "MD-83", "B737".
_MODEL_CODE = re.compile(r"[A-Z]{1,3}-?\d{2,4}[a-z]*")


def products(text: str, spans: list[Span]) -> list[Span]:
    """A model code is a product, MISC (guidelines: "Airbus A380"), not an organisation or a
    place ("l'A321neo"); right after its maker's name it joins it ("Airbus A380"). A name
    after a product or vehicle noun is MISC, the noun outside ("la capsule Dragon", "le
    voilier Safran"), and so is a model code anywhere."""
    known = lexicon.labelled_names()
    out: list[Span] = []
    spans = list(spans)
    for match in _word_matches(_product_pattern(), text):
        start, end = match.start(1), match.end(1)
        covered = _overlapping(spans, start, end)
        if not covered:
            spans = _put(spans, Span(start, end, "MISC"))
        elif covered[0].start == start:  # "la sonde Galileo" tagged PER is the probe
            # the model's mention is the product; lowercase words it ran on are not part of
            # the name ("la capsule Dragon amortisse" -> "Dragon")
            spans[spans.index(covered[0])] = replace(covered[0], end=end, label="MISC")
    for span in spans:
        surface = text[span.start:span.end]
        if surface in known or not _MODEL_CODE.fullmatch(surface):
            out.append(span)
            continue
        maker = out[-1] if out else None
        if (maker is not None and maker.label == "ORG"
                and text[maker.end:span.start] == " " and text[maker.start:maker.end] in known):
            out[-1] = Span(maker.start, span.end, "MISC")
        else:
            out.append(replace(span, label="MISC"))
    return out


def seats_of_power(text: str, spans: list[Span]) -> list[Span]:
    """Seats of power stand for the government: ORG ("le Kremlin a déclaré", "Matignon");
    after a preposition of place they are the building, LOC ("reçu à l'Élysée")."""
    seats = lexicon.load("seats_of_power")["ORG"]
    out = []
    for span in _lexicon_names(text, spans, "seats_of_power"):
        if (text[span.start:span.end] in seats
                and _AT_PLACE.search(text, max(0, span.start - 20), span.start)):
            span = replace(span, label="LOC")
        out.append(span)
    return out


_AT_PLACE = re.compile(r"(?<![\w-])(?:à|au|devant|dans|depuis|vers)(?: l['’]| le | la | )\Z")


def media(text: str, spans: list[Span]) -> list[Span]:
    """Newspapers, channels and agencies are ORG, also when named like a place ("La
    Provence", "Nice-Matin", "France 24")."""
    out = []
    for span in _lexicon_names(text, spans, "media"):
        if span.label != "PER" and _MEDIA_HEAD.search(text, max(0, span.start - 30), span.start):
            span = replace(span, label="ORG")
        out.append(span)
    return out


# A lowercase noun that says what follows is a medium or an agency: "la revue Nature".
_MEDIA_HEAD = re.compile(
    r"(?<![\w-])(?:journal|quotidien|hebdomadaire|mensuel|magazine|revue|chaîne|radio"
    r"|agence|agence de presse|site) \Z")


_TWO_WORDS = re.compile(r"([\w'’]+)[- ]([\w'’]+)")


def known_names(text: str, spans: list[Span]) -> list[Span]:
    """Unambiguous well-known names take their label (countries, capitals, regions → LOC;
    big institutions and social networks → ORG), found or missed by the model; a country
    joined to a common noun names an organisation ("Météo-France", "Atout France")."""
    known = lexicon.labelled_names()
    out = []
    for span in _lexicon_names(text, spans, "known_names"):
        surface = text[span.start:span.end]
        parts = _TWO_WORDS.fullmatch(surface) if span.label == "LOC" else None
        if parts and surface not in known:
            first, second = parts.groups()
            country, other = (first, second) if known.get(first) == "LOC" else (second, first)
            if (known.get(country) == "LOC" and other[0].isupper() and other not in known
                    and other.lower() not in _CARDINAL and _is_pos(other, "noun")):
                span = replace(span, label="ORG")
        out.append(span)
    return out


# Compass words make compound places, not organisations: "Nord-Kivu", "Sud-Soudan".
_CARDINAL = frozenset({"nord", "sud", "est", "ouest", "haut", "haute", "bas", "basse",
                       "grand", "grande", "nouveau", "nouvelle", "petit", "petite"})


@cache
def _heads() -> tuple[dict[str, str], frozenset[str], re.Pattern]:
    heads = lexicon.load("place_heads")
    labelled = {h: label for label in ("LOC", "ORG") for h in heads[label]}
    words = _trie(labelled)  # longest first, one branch per letter
    # "place Tahrir", "aéroport international X", "ambassade des Etats-Unis"
    before = re.compile(
        rf"(?<![\w-])({words})(?: [a-zéèêàâîôûç]{{4,}})?"
        rf" ((?:de la |de l['’]|du |des |de |d['’])?)\Z")
    return labelled, frozenset(heads["outside"]), before


_NO_OF = frozenset({"tour"})  # "au tour de X" is not a tower
# What _OUTSIDE_HEAD ends with: a cheap test before the search.
_OF_ENDINGS = ("de la ", "de l'", "de l’", "du ", "des ", "de ", "d'", "d’")
_OUTSIDE_HEAD = re.compile(
    r"(?<![\w-])(?:ville|commune|village|région|province|département|canton|district|comté"
    r"|oblast|émirat|territoire|quartier|faubourg|banlieue)"
    r" (?:de la |de l['’]|du |des |de |d['’])\Z")


def place_heads(text: str, spans: list[Span]) -> list[Span]:
    """A head noun decides the label and belongs to the name (guidelines, Span convention):
    "place Tahrir", "gare de Khassan", "rue de Rivoli" are LOC, "musée du Louvre", "hôpital
    X", "ministère de l'Intérieur" ORG; a mention that starts with one takes its label."""
    labelled, outside, before = _heads()
    known = lexicon.labelled_names()
    out = []
    for span in spans:
        surface = text[span.start:span.end]
        first = surface.split(" ", 1)[0]
        head = first.lower()
        outside_before = text.endswith(_OF_ENDINGS, 0, span.start) and _OUTSIDE_HEAD.search(
            text, max(0, span.start - 40), span.start)
        if surface in known:
            span = _with_head(text, span, before, labelled)
        elif span.label in ("ORG", "MISC") and outside_before and "\n" not in outside_before[0]:
            span = replace(span, label="LOC")  # "la province de la Kapisa"
        elif span.label != "MISC" and head in labelled:
            span = replace(span, label=labelled[head])
        elif span.label != "MISC" and head in outside and first[0].isupper():
            span = replace(span, label="LOC")
        else:
            span = _with_head(text, span, before, labelled)
        out.append(span)
    return out


def _with_head(text: str, span: Span, before: re.Pattern, labelled: dict[str, str]) -> Span:
    """``span`` widened over the head noun right before it, with the head's label (also a
    MISC: "rue de Tholozé" is a street whatever the model thought)."""
    found = before.search(text, max(0, span.start - 60), span.start)
    if not found or "\n" in found.group(0):
        return span
    word, of = found.group(1), found.group(2)
    if of and (span.label == "PER" or word in _NO_OF):  # "à la place de Marie Dupont"
        return span
    return Span(found.start(), span.end, labelled[word])


_OF_PLACE = re.compile(r"(.+) (?:de|du|d['’]) ?([^ ].*)\Z")
_ARTICLE_BEFORE = re.compile(r"\b(?:la|le|les|l['’]) ?\Z")


def trailing_place(text: str, spans: list[Span]) -> list[Span]:
    """A name followed by "de <a known place>" is two mentions when the first part is a name
    on its own ("pont Mathilde de Rouen", "Iju de Lagos", "Commission européenne de
    Bruxelles"); "Banque de France", "gare de Lyon", "Olympique de Marseille", a club after
    an article ("la Lazio de Rome") and institutions ("Office public HLM de Paris") stay
    whole."""
    known = lexicon.labelled_names()
    out = []
    for span in spans:
        surface = text[span.start:span.end]
        parts = _OF_PLACE.match(surface) if span.label in ("LOC", "ORG") else None
        if not parts or known.get(parts.group(2)) != "LOC":
            out.append(span)
            continue
        first = parts.group(1)
        words = first.split()
        after_article = _ARTICLE_BEFORE.search(text[max(0, span.start - 4):span.start])
        own_name = first in known or (words[0] not in INSTITUTIONS and any(
            w[0].isupper() and not is_common_word(w) for w in words[1:]
        )) or (len(words) == 1 and not is_common_word(words[0]) and not after_article)
        if not own_name or first.split()[-1].lower() in ("de", "du", "des", "la", "le"):
            out.append(span)
            continue
        head = Span(span.start, span.start + len(first), span.label, span.title)
        out.append(replace(head, label=known.get(first, span.label)))
        out.append(Span(span.start + parts.start(2), span.end, "LOC"))
    return out


# Head nouns of organisation names that run long ("Union nationale des déportés, internés et
# victimes de guerre"): the model often stops at an inner "de la", "et" or comma.
_ORGANISATION_HEADS = INSTITUTIONS | frozenset({
    "Alliance", "Centre", "Collectif", "Confédération", "Coordination", "Direction",
    "Fédération", "Groupement", "Ligue", "Mouvement", "Observatoire", "Organisation",
    "Union",
})
# One more piece of a name: a connector and a word, or an adjective right after.
_NAME_STEP = re.compile(r"(,? (?:et|de la|de l['’]|des|du|de|d['’])|,|) ?([\w'’-]+)")
_OF = frozenset({"de", "des", "du", "de la", "de l'", "de l’", "d'", "d’"})
_NOT_NAME_WORDS = frozenset({"le", "la", "les", "un", "une", "des", "son", "sa", "ses", "leur",
                             "leurs", "ce", "cette", "ces", "qui", "que", "dont", "est"})


def _is_pos(word: str, pos: str) -> bool:
    words = lexicon.lemma_index().get(pos, frozenset())
    lower = word.lower()
    return lower in words or (lower[-1:] in ("s", "x") and lower[:-1] in words) or (
        pos == "adj" and lower[-1:] == "e" and lower[:-1] in words) or (
        pos == "adj" and lower.endswith("es") and lower[:-2] in words)


def organisation_names(text: str, spans: list[Span]) -> list[Span]:
    """An ORG that starts with an institution head takes the rest of its name when the model
    stopped at an inner "de la", "et" or comma ("Union nationale des déportés, internés et
    victimes de guerre"): after de/du/des a noun or a capitalised word, after "et" a noun,
    after a comma (in a list closed by "et") a noun or an adjective, and one adjective after
    a noun; up to 8 more words."""
    out: list[Span] = []
    for index, span in enumerate(spans):
        first = text[span.start:span.end].split(" ", 1)[0]
        if span.label != "ORG" or first not in _ORGANISATION_HEADS:
            out.append(span)
            continue
        limit = spans[index + 1].start if index + 1 < len(spans) else len(text)
        end, steps, after_noun = span.end, 0, False
        while steps < 8:
            step = _NAME_STEP.match(text, end)
            if step is None or step.end() > limit or "\n" in step.group(0):
                break
            connector, word = step.group(1).strip(), step.group(2)
            if connector.startswith(","):
                ok = (connector == "," and word.islower()
                      and (_is_pos(word, "noun") or _is_pos(word, "adj"))
                      and bool(re.match(r"(?:, [a-zéèêàâîôûç'’-]+)* et ",
                                        text[step.end():step.end() + 60])))
            elif connector in _OF or connector == "et":
                # not "d'" + a lowercase word: "de la Chambre d'avoir pris" (an infinitive)
                ok = (word[0].isupper() and connector in _OF) or (
                    word.islower() and _is_pos(word, "noun") and connector[-1:] not in "'’")
            else:  # an adjective right after a noun: "victimes civiles"
                ok = after_noun and word.islower() and _is_pos(word, "adj")
            if not ok or word.lower() in _NOT_NAME_WORDS or len(word) < 3:
                break
            after_noun = bool(connector) and word.islower()
            end, steps = step.end(), steps + 1
        out.append(replace(span, end=end) if steps else span)
    return out


# Particles of surnames: "Armel Le Cléac'h", "De Santis", "Van Rompuy".
_PARTICLES = frozenset({"Le", "La", "De", "Di", "Da", "Del", "Della", "Van", "Von", "Der",
                        "Du", "Des", "Mac", "Ben", "Ould", "Abou", "El", "Al", "Dos", "Das"})
_FIRST_ONLY_PARTICLES = frozenset({"Le", "La", "Du", "Des"})  # "Le Mans", "La Haye"


_SURNAME_AFTER = re.compile(rf" [{_UPPER}][\w'’-]*")
_PARTICLE_BEFORE = re.compile(rf"(?<![\w'’-])([{_UPPER}][a-z]{{1,4}}) \Z")
_FIRST_NAME_BEFORE = re.compile(rf"[{_UPPER}][a-zé]+ \Z")


def surname_particles(text: str, spans: list[Span]) -> list[Span]:
    """A PER cut after a particle takes the surname that follows ("Armel Le | Cléac'h"); a
    name after a capitalised particle that follows a first name or opens a sentence is a
    person with that particle ("De Santis")."""
    out: list[Span] = []
    for span in spans:
        surface = text[span.start:span.end]
        words = surface.split()
        if (span.label == "PER" and len(words) > 1 and words[-1] in _PARTICLES):
            following = _SURNAME_AFTER.match(text[span.end:span.end + 40])
            if following:
                new_end = span.end + following.end()
                span = replace(span, end=new_end)
                out.append(span)
                continue
        if (span.label != "PER" and len(words) == 2 and words[0] in _PARTICLES
                and words[0] not in _FIRST_ONLY_PARTICLES and not is_common_word(words[1])
                and surface not in lexicon.labelled_names()):
            out.append(replace(span, label="PER"))
            continue
        particle = _PARTICLE_BEFORE.search(text[max(0, span.start - 6):span.start])
        if (particle and particle.group(1) in _PARTICLES
                and particle.group(1) not in _FIRST_ONLY_PARTICLES and " " not in surface):
            start = span.start - len(particle.group(0))
            if at_sentence_start(text, start) or _FIRST_NAME_BEFORE.search(
                    text[max(0, start - 20):start]):
                span = Span(start, span.end, "PER", span.title)
        out.append(span)
    return _without_overlaps(out)  # a widened span may now cover the next one


_COMPOUND_DEMONYM = re.compile(rf"[{_UPPER}][a-zé]+o-([{_UPPER}][a-zéèëï]+)")
_PEOPLE_DETERMINER = re.compile(r"(?:\b(?:les|des|aux|du|au|un|une|le|la|ces|nos|d['’])) ?\Z")


def nationalities(text: str, spans: list[Span]) -> list[Span]:
    """Demonyms and nationalities are not entities (guidelines): "d'Européens", "du
    Camerounais Greg Belobo", "un Franco-Marocain"."""
    known = lexicon.labelled_names()
    out = []
    for span in spans:
        surface = text[span.start:span.end]
        if surface in known or " " in surface:
            out.append(span)
            continue
        compound = _COMPOUND_DEMONYM.fullmatch(surface)
        if compound and is_common_word(compound.group(1)):
            continue
        demonym = DEMONYM_PLURAL.match(surface) or DEMONYM_SINGULAR.match(surface)
        if demonym and is_common_word(surface):
            before = text[max(0, span.start - 8):span.start].lower()
            people = _PEOPLE_DETERMINER.search(before)
            if span.label != "PER" or people:
                continue
        out.append(span)
    return out


_COMPASS = frozenset({"Nord", "Sud", "Est", "Ouest"})
_TOWARDS = re.compile(r"\bvers (?:le |l['’])\Z")
_WORD_BEFORE = re.compile(r"(\w+)['’ ]\Z")
_FUNCTION_WORDS = frozenset({"le", "la", "les", "l", "du", "de", "des", "d", "au", "aux", "en",
                             "dans", "et", "ou"})


def directions(text: str, spans: list[Span]) -> list[Span]:
    """A compass point that gives a direction is not a place: "vers le Nord", "l'échangeur
    Sud", "le pilier Sud"; "dans le Nord" (the region, the département) stays."""
    out = []
    for span in spans:
        if text[span.start:span.end] in _COMPASS:
            before = text[max(0, span.start - 20):span.start]
            word = _WORD_BEFORE.search(before)
            if _TOWARDS.search(before) or (word and word.group(1).islower()
                                           and word.group(1) not in _FUNCTION_WORDS):
                continue
        out.append(span)
    return out


def propagation(text: str, spans: list[Span]) -> list[Span]:
    """A name found once is found everywhere in the document, with its majority label; a
    lone surname after a full PER name is PER ("Saputo" after "Lino Saputo")."""
    labels: dict[str, dict[str, int]] = {}
    for span in spans:
        counts = labels.setdefault(text[span.start:span.end], {})
        counts[span.label] = counts.get(span.label, 0) + 1
    names = {}
    for surface, counts in labels.items():
        if len(surface) < 2 or not surface[0].isupper() or surface.isupper():
            continue  # acronyms are left out: the model's mistakes on them spread too far
        if " " not in surface and is_common_word(surface):
            continue
        names[surface] = max(counts, key=counts.__getitem__)  # a tie: the first seen
    first_per: dict[str, int] = {}
    for span in spans:
        words = text[span.start:span.end].split()
        if span.label == "PER" and len(words) > 1 and words[-1][0].isupper():
            # the surname keeps its particle: "Marine Le Pen" -> "Le Pen", not "Pen"
            particle = len(words) > 2 and words[-2].capitalize() in _PARTICLES
            first_per.setdefault(" ".join(words[-2:] if particle else words[-1:]), span.end)
    known = lexicon.labelled_names()
    for surname in first_per:
        if surname not in known and (" " in surname or not is_common_word(surname)):
            names.setdefault(surname, "PER")
    # ``spans`` are sorted and never overlap, so their ends are sorted too: a new name
    # overlaps one iff the last mention starting before its end runs past its start
    # (bisect, not a scan: a long document holds thousands of mentions).
    out = list(spans)
    starts = [span.start for span in out]
    for start, end, name in NameIndex(names).find(text):
        at = bisect_left(starts, end)
        if at and out[at - 1].end > start:
            continue
        if name in first_per and start < first_per[name]:
            continue
        if " " not in name and at_sentence_start(text, start) and is_common_word(name):
            continue
        label = "PER" if name in first_per else names[name]
        title = title_before(text, start) if label == "PER" else None
        out.insert(at, Span(start, end, label, title))
        starts.insert(at, start)
    return out


RULES: tuple[Rule, ...] = (
    name_edges,
    events,
    products,
    seats_of_power,
    media,
    known_names,
    trailing_place,
    place_heads,
    organisation_names,
    surname_particles,
    propagation,
    # the rules that drop come last, so propagation cannot bring back what they drop
    interface_words,
    common_words,
    portfolios,
    nationalities,
    directions,
)


def apply_rules(text: str, spans: Iterable[Span], rules: Sequence[Rule] = RULES) -> list[Span]:
    """Each rule in turn over a document's mentions (sorted, overlaps dropped first)."""
    ordered = _without_overlaps(sorted(spans, key=lambda s: (s.start, -s.end)))
    for rule in rules:
        ordered = sorted(rule(text, ordered), key=_START)
    return ordered


__all__ = ["RULES", "NameIndex", "Rule", "apply_rules", "at_sentence_start", "is_common_word"]
