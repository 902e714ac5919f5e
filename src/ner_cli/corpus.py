"""The corpus view: entity and co-occurrence counts over a stream of extract records.

Counters only: each record is counted and dropped, so memory grows with the number of
distinct entities (and, for the graph, of entity pairs), never with the number of documents.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import combinations

from ner_cli.convention import ABBREVIATED_TITLES
from ner_cli.entities import record_entities
from ner_cli.errors import MissingText

# An edge key packs two entity ids into one int (smaller than a tuple in a big Counter).
_PAIR_SHIFT = 32
_SPACES = re.compile(r"\s+")
_TYPOGRAPHY = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‐": "-", "‑": "-"})
# Candidate sentence ends: a line break, or . ! ? … then closing quotes or brackets (French
# puts a space before them: « Non ! ») and whitespace. `sentence_starts` decides which end one.
_CANDIDATE_END = re.compile(r"\n\s*|[.!?…]+(?:\s*[»\"”’')\]])*\s+")
_OPENING = "«\"“‘'([ \u00a0"
_NOT_A_SENTENCE_END = ABBREVIATED_TITLES | {"St", "Ste", "Cie", "Jr", "av", "cf", "vol", "p"}


class Window(str, Enum):
    """What counts as appearing together in the co-occurrence graph."""

    document = "document"
    sentence = "sentence"


@dataclass(frozen=True)
class EntityCount:
    """One entity across the corpus: in how many documents, and how many mentions."""

    name: str
    label: str
    documents: int
    mentions: int

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "documents": self.documents,
                "mentions": self.mentions}


@dataclass(frozen=True)
class Edge:
    """Two entities and the number of windows (documents or sentences) where both appear."""

    source: EntityCount
    target: EntityCount
    weight: int


@lru_cache(maxsize=1 << 16)  # a corpus names the same entities again and again
def normalise_name(name: str) -> str:
    """The shown form of a name: NFC, one space between words, straight apostrophes."""
    name = unicodedata.normalize("NFC", name).translate(_TYPOGRAPHY)
    return _SPACES.sub(" ", name).strip()


def sentence_starts(text: str) -> list[int]:
    """Offsets where the sentences of ``text`` start (always 0 first).

    A line break always ends a sentence (as in ner-cli's pipeline, a news line is a
    paragraph). A full stop, ``!``, ``?`` or ``…`` ends one when whitespace and a capital
    letter or digit follow, except after an abbreviated title or an initial ("M. Kim",
    "J. Chirac"), which would otherwise cut a name in two.
    """
    starts = [0]
    for match in _CANDIDATE_END.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        if "\n" in match.group() or _ends_sentence(text, match.start(), end):
            starts.append(end)
    return starts


def _ends_sentence(text: str, punctuation: int, end: int) -> bool:
    following = text[end:end + 8].lstrip(_OPENING)[:1]
    if not (following.isupper() or following.isdigit()):
        return False
    if text[punctuation] != ".":
        return True
    start = punctuation
    while start > 0 and start > punctuation - 24 and not text[start - 1].isspace():
        start -= 1
    word = text[start:punctuation].lstrip(_OPENING)
    is_initial = len(word) == 1 and word.isupper()  # "J. Chirac"
    return not (is_initial or word in _NOT_A_SENTENCE_END)


class CorpusCounter:
    """Streaming counts over extract records: entities, and optionally co-occurrences.

    Entities are merged across documents by normalised name (case-insensitive) and label;
    each is shown under its most frequent form. Within a record, entities are those of
    ``record_entities``: the record's ``entities_grouped``, or its mentions grouped as
    ``extract`` groups them. ``window`` turns on edge counting (None: entity counts only,
    for ``stats``).
    """

    def __init__(self, labels: Iterable[str] | None = None, window: Window | None = None):
        self.labels = frozenset(labels) if labels else None
        self.window = window
        self.documents = 0
        self.failed = 0
        self.mentions = 0
        self._ids: dict[tuple[str, str], int] = {}
        self._labels: list[str] = []
        # The shown form: a str while one form was seen, a Counter once there are several.
        self._forms: list[str | Counter] = []
        self._documents: list[int] = []
        self._mentions: list[int] = []
        self._edges: Counter[int] = Counter()

    @property
    def entity_count(self) -> int:
        """How many distinct entities were counted."""
        return len(self._labels)

    def add(self, record: Mapping, text: str | None = None) -> None:
        """Count one record; ``text`` (else ``record["text"]``) is needed for sentence windows."""
        if "error" in record:
            self.failed += 1
            return
        self.documents += 1
        found = self._entities_of(record)
        for entity in found:
            self._documents[entity] += 1
        if self.window is Window.document:
            self._add_pairs(found)
        elif self.window is Window.sentence and found:
            self._add_sentence_pairs(record, found, text)

    def _count_mentions(self, name: str, label: str, n: int) -> int:
        """Add ``n`` mentions of ``name`` to its entity; returns the entity id."""
        shown = normalise_name(name)
        key = (shown.casefold(), label)
        entity = self._ids.get(key)
        if entity is None:
            entity = self._ids[key] = len(self._labels)
            self._labels.append(label)
            self._forms.append(shown)
            self._documents.append(0)
            self._mentions.append(0)
        else:
            forms = self._forms[entity]
            if isinstance(forms, Counter):
                forms[shown] += n
            elif forms != shown:
                # every mention so far had the one form: it gets their count
                self._forms[entity] = Counter({forms: self._mentions[entity], shown: n})
        self._mentions[entity] += n
        self.mentions += n
        return entity

    def _entities_of(self, record: Mapping) -> dict[int, tuple[int, list[int]]]:
        """entity id -> (mentions, mention starts) for one record, after the label filter."""
        found: dict[int, tuple[int, list[int]]] = {}

        def count(name: str, label: str, n: int, starts: list[int]) -> None:
            if self.labels is not None and label not in self.labels:
                return
            entity = self._count_mentions(name, label, n)
            before, before_starts = found.get(entity, (0, []))
            found[entity] = (before + n, before_starts + starts)

        mentions, groups = record_entities(record)
        starts: dict[str, list[int]] = {}
        for mention in mentions:
            if "entity" in mention:
                starts.setdefault(mention["entity"], []).append(mention["start"])
        for group in groups:
            where = starts.get(group["id"]) or [group.get("first_start", 0)]
            count(group["name"], group["label"], group["count"], where)
        return found

    def _add_pairs(self, entities: Iterable[int]) -> None:
        for a, b in combinations(sorted(entities), 2):
            self._edges[a << _PAIR_SHIFT | b] += 1

    def _add_sentence_pairs(self, record: Mapping, found: dict, text: str | None) -> None:
        text = text if text is not None else record.get("text")
        if text is None:
            raise MissingText(str(record.get("id", "?")))
        starts = sentence_starts(text)
        sentences: dict[int, set[int]] = {}
        for entity, (_, where) in found.items():
            for start in where:
                sentences.setdefault(bisect_right(starts, start) - 1, set()).add(entity)
        for entities in sentences.values():
            self._add_pairs(entities)

    def _entity(self, entity: int) -> EntityCount:
        forms = self._forms[entity]
        shown = forms if isinstance(forms, str) else forms.most_common(1)[0][0]
        return EntityCount(shown, self._labels[entity], self._documents[entity],
                           self._mentions[entity])

    def entities(self, top: int | None = None, min_docs: int = 1) -> list[EntityCount]:
        """Entities named in at least ``min_docs`` documents, most documents first.

        Ties go to more mentions, then name and label in alphabetical order.
        """
        counts = [self._entity(e) for e in range(len(self._labels))
                  if self._documents[e] >= min_docs]
        counts.sort(key=lambda c: (-c.documents, -c.mentions, c.name.casefold(), c.label))
        return counts[:top] if top is not None else counts

    def edges(self, min_weight: int = 1) -> Iterator[Edge]:
        """Co-occurrence edges of weight >= ``min_weight``, heaviest first, then by name."""
        mask = (1 << _PAIR_SHIFT) - 1
        entities: dict[int, tuple[tuple[str, str], EntityCount]] = {}

        def entity(index: int) -> tuple[tuple[str, str], EntityCount]:
            if index not in entities:
                count = self._entity(index)
                entities[index] = ((count.name.casefold(), count.label), count)
            return entities[index]

        kept = []
        for pair, weight in self._edges.items():
            if weight >= min_weight:
                a, b = entity(pair >> _PAIR_SHIFT), entity(pair & mask)
                kept.append((-weight, a, b) if a[0] <= b[0] else (-weight, b, a))
        kept.sort(key=lambda edge: (edge[0], edge[1][0], edge[2][0]))
        # one Edge at a time: a big graph has millions of them
        return (Edge(a[1], b[1], -weight) for weight, a, b in kept)


def to_graph(counter: CorpusCounter, min_weight: int = 1):
    """The co-occurrence network as a networkx Graph: entities that share a window.

    Nodes are ``"LABEL:name"``, with ``label`` (the name: Gephi shows it), ``type`` (the entity
    label), ``documents`` and ``mentions``; edges carry ``weight``. Entities with no edge of
    weight >= ``min_weight`` are left out (``stats`` lists every entity).
    """
    import networkx as nx

    graph = nx.Graph()
    for edge in counter.edges(min_weight):
        ends = []
        for entity in (edge.source, edge.target):
            node = node_id(entity)
            if node not in graph:
                graph.add_node(node, label=entity.name, type=entity.label,
                               documents=entity.documents, mentions=entity.mentions)
            ends.append(node)
        graph.add_edge(*ends, weight=edge.weight)
    return graph


def node_id(entity: EntityCount) -> str:
    """The graph node of an entity: ``"PER:Vladimir Poutine"``."""
    return f"{entity.label}:{entity.name}"


# A record written by `ner-cli extract`: its "entities" key, unescaped (not inside a string).
_ANALYSED_KEY = re.compile(rb'(?<!\\)"entities"\s*:\s*\[')


def looks_analysed(head: bytes, text_key: str = "text") -> bool:
    """Whether the start of a JSONL file holds `extract` output rather than texts to analyse.

    Decided by the first lines: a record with ``entities`` (or an extract error record, with
    ``source`` and ``error`` but no text) is analysed; one with ``text_key`` is a text. A line
    cut by the end of ``head`` is judged by whether an ``"entities": [`` key shows.
    """
    from ner_cli.jsonl import parse_lines, split_lines

    lines = list(split_lines(head))
    errors_only = False
    for line in parse_lines(lines):
        record = line.value
        if line.error is not None:
            if line.number == len(lines):  # cut by the end of head
                return errors_only or _ANALYSED_KEY.search(lines[-1][1]) is not None
            return False
        if not isinstance(record, dict):
            return False
        if "entities" in record:
            return True
        if text_key in record:
            return False
        if not ("error" in record and "source" in record):
            return False
        errors_only = True
    return errors_only


def read_records(handle: Iterable[bytes], where: str) -> Iterator[dict]:
    """Records of an extract JSONL stream (a binary file or stdin), read lazily.

    A line that is not a JSON object becomes an error record (``where:line``), like a
    document that cannot be read.
    """
    from ner_cli.jsonl import stream_jsonl

    for line in stream_jsonl(handle):
        record = line.value
        if line.error is None and isinstance(record, dict) and (
            "error" in record or _countable(record)
        ):
            yield record
            continue
        reason = line.error or "not an extract record"
        yield {"id": f"{where}:{line.number}", "source": f"{where}:{line.number}",
               "error": reason}


def _countable(record: dict) -> bool:
    """Whether CorpusCounter can count ``record``: checked here, so a bad line is an error."""
    mentions, groups = record.get("entities"), record.get("entities_grouped")
    if not isinstance(mentions, list) or not isinstance(groups, (list, type(None))):
        return False
    has_text = isinstance(record.get("text"), str)
    for mention in mentions:
        if not (isinstance(mention, dict) and isinstance(mention.get("label"), str)
                and isinstance(mention.get("start"), int)):
            return False
        named = isinstance(mention.get("name") or mention.get("text"), str)
        if not (named or (has_text and isinstance(mention.get("end"), int))):
            return False
    return all(isinstance(group, dict) and isinstance(group.get("name"), str)
               and isinstance(group.get("label"), str) and isinstance(group.get("count"), int)
               and "id" in group for group in groups or ())
