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
    """One entity mention: ``text == document_text[start:end]`` always."""

    text: str
    label: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"text": self.text, "label": self.label, "start": self.start, "end": self.end}
