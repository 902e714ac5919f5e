"""Saved news pages: the article's main text, found by trafilatura."""

from __future__ import annotations

from ner_cli.errors import InputError


def html_to_text(html: str) -> str:
    """The main text of a saved news page (paragraphs separated by line breaks)."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_recall=True, deduplicate=False)
    if not text or not text.strip():
        raise InputError("no article text found in the HTML page")
    return text
