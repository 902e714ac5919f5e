"""Text files and standard input, in any common encoding."""

from __future__ import annotations

import codecs

from ner_cli.errors import InputError

STDIN = "-"
MISSING = "no such file or directory"

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
        return _guess(data, utf8_error)


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
