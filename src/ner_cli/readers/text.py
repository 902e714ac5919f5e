"""Text files and standard input, in any common encoding."""

from __future__ import annotations

import codecs

from ner_cli.errors import InputError

STDIN = "-"

# Byte-order marks, longest first (UTF-32 LE starts with UTF-16 LE's mark).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What charset-normalizer may answer for news text without a BOM; other guesses on short
# texts are mostly noise, and Western European text is what ner-cli reads.
FALLBACKS = ("cp1252", "latin_1", "iso8859_15", "utf_16", "mac_roman", "cp850")


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding name). A BOM is dropped.

    Order: a BOM says the encoding; else strict UTF-8; else charset-normalizer's best
    guess among Western encodings. NUL bytes without a UTF-16/32 BOM mean a binary file.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as error:
                raise InputError(f"not valid {encoding} after its byte-order mark") from error
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes), skipped")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        repaired = _mostly_utf8(data)
        return repaired if repaired is not None else _guess(data, utf8_error)


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    # UTF-8 text with a few corrupt bytes (a bad copy, a truncated download): its valid
    # multi-byte characters prove the encoding, so keep it and replace only the bad bytes
    # (U+FFFD, one character each, so offsets stay those of the text as decoded).
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - bad
    if good <= bad:
        return None  # no better evidence for UTF-8 than against it: a legacy encoding
    return text, f"utf-8 ({bad} invalid byte{'s' if bad > 1 else ''} replaced)"


def _guess(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    matches = from_bytes(data, cp_isolation=list(FALLBACKS))
    best = matches.best()
    if best is None:
        position = utf8_error.start
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[position]:02x} at offset {position}) and no "
            "other text encoding fits"
        ) from utf8_error
    text = str(best)
    if _looks_binary(text):
        raise InputError("binary file (control characters), skipped")
    return text, best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    return controls > max(2, len(sample) // 100)
