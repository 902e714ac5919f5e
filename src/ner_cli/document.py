"""The records that flow from readers through the pipeline to writers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One text to analyse, or the reason it could not be read (``error``)."""

    id: str
    source: str
    text: str = ""
    error: str | None = None
    meta: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Mention:
    """One entity mention: ``text == document_text[start:end]`` always.

    ``name`` is the clean form (whitespace and OCR line-end hyphens normalised), ``title``
    the ``(start, end)`` of the title or function that led a PER span ("M.", "président"),
    ``entity`` the id of its group within the document ("E1"), set by grouping.
    """

    text: str
    label: str
    start: int
    end: int
    name: str | None = None
    title: tuple[int, int] | None = None
    title_text: str | None = None
    entity: str | None = None

    def as_dict(self) -> dict:
        title = (
            {"text": self.title_text, "start": self.title[0], "end": self.title[1]}
            if self.title else None
        )
        return {"text": self.text, "label": self.label, "start": self.start, "end": self.end,
                "name": self.text if self.name is None else self.name, "title": title,
                "entity": self.entity}
