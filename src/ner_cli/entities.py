"""Entities, not mentions: clean names and grouping the mentions of one document.

Grouping (README, "Entities"), within one document only:
1. mentions with the same name (case-insensitive) are one entity;
2. a one-word name joins the one multi-word PER name that contains it as a word
   ("Poutine", "M. Poutine" -> "Vladimir Poutine"; "M. Kim" -> "Kim Jong Un") when the
   one-word name was tagged PER at least once and exactly one such name exists ("Jean" next
   to "Jean Dupont" and "Jean Martin" stays alone);
3. an acronym defined in the text right after its expansion ("République populaire
   démocratique de Corée (RPDC)") joins the expansion.
Each entity gets one label by majority vote over its mentions; a tie goes to the label of
its longest mention, then to the first one. When the vote has a strict majority every mention
takes the entity's label; on a tie each mention keeps its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ner_cli.document import Mention

# "Clémen¬tine": OCR keeps the line-end hyphen "¬" of a word cut across lines.
_LINE_END_HYPHEN = re.compile(r"¬\s*")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&.]{1,9}\Z")
_SMALL_WORDS = frozenset({"de", "des", "du", "la", "le", "les", "l", "d", "et", "pour", "en",
                          "of", "the", "and", "à", "au", "aux", "sur"})


@dataclass(frozen=True)
class Entity:
    """One entity of a document: its mentions share ``id`` (README, "entities_grouped")."""

    id: str
    name: str
    label: str
    count: int
    variants: tuple[str, ...]
    first_start: int

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "label": self.label, "count": self.count,
                "variants": list(self.variants), "first_start": self.first_start}


def clean_name(text: str) -> str:
    """The clean form of a mention: OCR line-end hyphens joined, whitespace collapsed."""
    if "¬" in text:
        text = _LINE_END_HYPHEN.sub("", text)
    return " ".join(text.split())


def _key(name: str) -> str:
    return name.casefold()


_WORD = re.compile(r"\w+")


def _words(name: str) -> list[str]:
    return _WORD.findall(name.casefold())


class _Groups:
    """Union-find over mention indexes."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _defines_acronym(text: str, expansion: Mention, acronym: str) -> bool:
    """``expansion`` is followed by "(ACRONYM)" and its words start with the acronym's letters."""
    after = re.match(r"\s*\(\s*" + re.escape(acronym) + r"\s*\)", text[expansion.end:])
    if not after:
        return False
    letters = [c.casefold() for c in acronym if c.isalpha()]
    words = _words(expansion.name or expansion.text)
    initials = [w[0] for w in words if w not in _SMALL_WORDS]
    return bool(letters and initials) and letters[0] == initials[0] and len(letters) <= len(words)


def _vote(members: list[Mention]) -> tuple[str, bool]:
    """The entity's label, and whether it won a strict majority of its mentions."""
    if len(members) == 1:  # most entities: no vote to hold
        return members[0].label, True
    counts = Counter(m.label for m in members)
    best = max(counts.values())
    tied = [m for m in members if counts[m.label] == best]
    label = max(tied, key=lambda m: (len(m.name or m.text), -m.start)).label
    return label, sum(1 for n in counts.values() if n == best) == 1


def group_mentions(
    text: str, mentions: Sequence[Mention]
) -> tuple[list[Mention], list[Entity]]:
    """Group a document's mentions (in text order) into entities; see the module docstring.

    Returns the mentions with ``entity`` set and their entity's label, and the entities in
    order of first appearance, ids "E1", "E2"…
    """
    mentions = list(mentions)
    groups = _Groups(len(mentions))
    names = [m.name or m.text for m in mentions]
    keys = [_key(name) for name in names]
    by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        groups.join(by_key.setdefault(key, i), i)

    # A one-word name joins the single multi-word PER name that contains it.
    words = {key: _words(key) for key in by_key}
    multi_per: dict[str, int] = {}
    tagged_per = set()
    for i, m in enumerate(mentions):
        if m.label == "PER":
            key = keys[i]
            tagged_per.add(key)
            if len(words[key]) > 1:
                multi_per.setdefault(key, i)
    per_words = [(set(words[full]), j) for full, j in multi_per.items()]
    for key, first in by_key.items():
        if len(words[key]) != 1 or key not in tagged_per:
            continue
        candidates = [j for full, j in per_words if words[key][0] in full]
        if len(candidates) == 1:
            groups.join(first, candidates[0])

    # An acronym defined in parentheses right after its expansion.
    for i in range(1, len(mentions)):
        if _ACRONYM.match(names[i]) and _defines_acronym(text, mentions[i - 1], names[i]):
            groups.join(i, i - 1)

    members: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        members.setdefault(groups.find(i), []).append(i)
    entities, labelled = [], list(mentions)
    for number, (_, indexes) in enumerate(sorted(members.items()), start=1):
        entity_id = f"E{number}"
        group = [mentions[i] for i in indexes]
        label, majority = _vote(group)
        best = max(indexes, key=lambda i: (len(words[keys[i]]), len(names[i])))
        name = names[best]
        variants = tuple(dict.fromkeys(m.text for m in group))
        entities.append(Entity(entity_id, name, label, len(group), variants, group[0].start))
        for i in indexes:
            # On a tie the mentions keep their own labels: the dev sets lose with a forced one.
            m = mentions[i]
            labelled[i] = Mention(text=m.text, label=label if majority else m.label,
                                  start=m.start, end=m.end, name=m.name, title=m.title,
                                  title_text=m.title_text, entity=entity_id)
    return labelled, entities


def entity_order(entity: Entity | Mapping) -> tuple[int, int]:
    """The order of entity lists everywhere (JSON, --group tables, show, HTML): most
    mentioned first, then in order of first appearance."""
    if isinstance(entity, Entity):
        return -entity.count, entity.first_start
    return -entity["count"], entity.get("first_start", 0)


def record_entities(record: Mapping) -> tuple[list[dict], list[dict]]:
    """A record's mentions and entities, as dicts of the output contract.

    The record's own ``entities_grouped`` when it has them (``extract`` wrote it); else its
    mentions are grouped here by ``group_mentions``, as ``extract`` would. Gold-style mentions
    that carry offsets only are read from the record's ``text``.
    """
    mentions = list(record.get("entities") or ())
    groups = record.get("entities_grouped")
    if groups is not None:
        return mentions, list(groups)
    text = record.get("text") or ""
    built = []
    for mention in sorted(mentions, key=lambda m: m["start"]):
        surface = mention.get("text") or text[mention["start"]:mention["end"]]
        end = mention.get("end", mention["start"] + len(surface))
        built.append(Mention(surface, mention["label"], mention["start"], end,
                             name=mention.get("name") or clean_name(surface)))
    labelled, entities = group_mentions(text, built)
    return [m.as_dict() for m in labelled], [e.as_dict() for e in entities]


def grouped_entities(record: Mapping) -> list[dict]:
    """A record's entities (``record_entities``) in the order of every entity list."""
    if "error" in record:
        return []
    return sorted(record_entities(record)[1], key=entity_order)
