// Opening a ChatBox SQLite database: connection settings, the schema as an
// ordered list of migrations, and one-line errors for the ways opening fails.

import { accessSync, closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fatal } from '../../args.js';

/** How hard a commit waits for the disk: see docs/storage.md. */
export type SyncMode = 'normal' | 'full';

/** How long a statement waits for another process's write lock before failing (ms). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Schema steps; step i takes the database from user_version i to i + 1.
 * Never edit a released step: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    nama          TEXT NOT NULL,
    negara        TEXT NOT NULL,
    password_hash TEXT NOT NULL
  ) STRICT;

  -- token_hash: SHA-256 of the token, so a copy of the file holds no usable session.
  CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_used     INTEGER NOT NULL,
    present_until INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sessions_by_user ON sessions(username);
  CREATE INDEX sessions_by_presence ON sessions(present_until, username);
  CREATE INDEX sessions_by_last_used ON sessions(last_used);

  -- AUTOINCREMENT: an id is never handed out twice, even after the newest row is deleted.
  CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    msg_from    TEXT NOT NULL,
    msg_to      TEXT NOT NULL,
    body        TEXT NOT NULL,
    ts          TEXT NOT NULL,
    delivered   INTEGER NOT NULL DEFAULT 0,
    claim_id    TEXT,
    claim_until INTEGER
  ) STRICT;
  -- Inbox: only undelivered rows, by recipient then age.
  CREATE INDEX messages_inbox ON messages(recipient, id) WHERE delivered = 0;
  -- Settling a claim finds its rows without scanning a long inbox.
  CREATE INDEX messages_by_claim ON messages(claim_id) WHERE claim_id IS NOT NULL;
  -- History: one key per conversation, whichever way a message went.
  CREATE INDEX messages_by_pair ON messages(min(sender, recipient), max(sender, recipient), id);
  `,
  // Accounts become identities: an id never handed out twice, to which sessions,
  // inboxes and conversations belong, so a later account with a removed user's
  // name starts with nothing. Presence is kept per account, not per session.
  `
  CREATE TABLE users_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    nama          TEXT NOT NULL,
    negara        TEXT NOT NULL,
    password_hash TEXT NOT NULL
  ) STRICT;
  INSERT INTO users_v2 (username, nama, negara, password_hash)
    SELECT username, nama, negara, password_hash FROM users ORDER BY username;

  CREATE TABLE sessions_v2 (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users_v2(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_used     INTEGER NOT NULL
  ) STRICT;
  INSERT INTO sessions_v2 (token_hash, user_id, created_at, last_used)
    SELECT s.token_hash, u.id, s.created_at, s.last_used FROM sessions s JOIN users_v2 u ON u.username = s.username;

  -- Until when live connections hold an account online (the heartbeat writes one row per account).
  CREATE TABLE presence (
    user_id       INTEGER PRIMARY KEY REFERENCES users_v2(id) ON DELETE CASCADE,
    held_until    INTEGER NOT NULL
  ) STRICT;

  -- A message whose sender or recipient no longer exists keeps a null id: no account matches it.
  ALTER TABLE messages ADD COLUMN sender_id INTEGER;
  ALTER TABLE messages ADD COLUMN recipient_id INTEGER;
  UPDATE messages SET
    sender_id = (SELECT id FROM users_v2 WHERE username = messages.sender),
    recipient_id = (SELECT id FROM users_v2 WHERE username = messages.recipient);
  DROP INDEX messages_inbox;
  DROP INDEX messages_by_pair;
  CREATE INDEX messages_inbox ON messages(recipient_id, id) WHERE delivered = 0;
  CREATE INDEX messages_by_pair ON messages(min(sender_id, recipient_id), max(sender_id, recipient_id), id);

  DROP TABLE sessions;
  DROP TABLE users;
  -- Renaming rewrites the references of sessions and presence to the new names.
  ALTER TABLE users_v2 RENAME TO users;
  ALTER TABLE sessions_v2 RENAME TO sessions;
  -- The cap evicts a user's least recently used session; the newest tells how long they stay online.
  CREATE INDEX sessions_by_user ON sessions(user_id, last_used);
  CREATE INDEX sessions_by_last_used ON sessions(last_used);
  CREATE INDEX presence_by_until ON presence(held_until);
  `,
  // Live sync, read markers and search. Sync reads an account's messages both ways
  // by id; a read marker per account and peer, stamped with the event id that last
  // moved it (event ids come from the messages' own sequence); FTS5 over the bodies,
  // kept in step by triggers inside the transactions that write the messages.
  // Messages already received count as read, so an upgrade shows no old unread.
  `
  CREATE INDEX messages_by_sender ON messages(sender_id, id);
  CREATE INDEX messages_by_recipient ON messages(recipient_id, id);

  CREATE TABLE read_markers (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    peer_id   INTEGER NOT NULL,
    marker    INTEGER NOT NULL,
    event_id  INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX read_markers_by_event ON read_markers(user_id, event_id);
  INSERT INTO read_markers (user_id, peer_id, marker, event_id)
    SELECT recipient_id, sender_id, max(id), 0 FROM messages
    WHERE delivered = 1 AND recipient_id IS NOT NULL AND sender_id IS NOT NULL
      AND recipient_id IN (SELECT id FROM users)
    GROUP BY recipient_id, sender_id;

  CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = 'messages', content_rowid = 'id');
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
  END;
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  `,
  // The search index follows the messages in batches (sqlite-search.ts) instead of
  // row by row inside each send's commit, where it cost more than the rest of the
  // insert. search_progress holds the highest message id indexed; removing a
  // message takes it out of the index only when it was put in.
  `
  CREATE TABLE search_progress (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto  INTEGER NOT NULL
  ) STRICT;
  INSERT INTO search_progress (id, indexed_upto) VALUES (1, coalesce((SELECT max(id) FROM messages), 0));
  DROP TRIGGER messages_fts_insert;
  DROP TRIGGER messages_fts_delete;
  DROP TRIGGER messages_fts_update;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.id <= (SELECT indexed_upto FROM search_progress) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
    WHEN old.id <= (SELECT indexed_upto FROM search_progress) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
  END;
  `,
];

/** Opens (creating if needed) and migrates the database at `path`; throws one-line errors. */
export function openDatabase(path: string, sync: SyncMode): Database.Database {
  const file = resolve(path);
  const dir = dirname(file);
  if (!existsSync(dir)) throw fatal(`database directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw fatal(`database directory ${dir} is not a directory`);
  // SQLite quietly opens a file it may not write read-only, and every write would fail
  // later; WAL also creates files beside the database. So check both up front.
  if (!canWrite(dir)) throw fatal(`database directory ${dir} is not writable`);
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw fatal(`database ${file} is a directory, not a file`);
    if (!canWrite(file)) throw fatal(`database ${file} is not writable`);
  } else {
    createPrivate(file);
  }

  let db: Database.Database | null = null;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Refuse a newer schema before changing anything in the file.
    checkVersion(db, file);
    // WAL: readers never block the writer, and a commit is one append to the log.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw fatal(`database ${file} cannot use write-ahead logging (got ${String(mode)})`);
    }
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    throw describeOpenError(err, file);
  }
}

const schemaVersion = (db: Database.Database): number => Number(db.pragma('user_version', { simple: true }));

function checkVersion(db: Database.Database, file: string): void {
  const found = schemaVersion(db);
  if (found > MIGRATIONS.length) {
    throw fatal(
      `database ${file} has schema version ${found}, newer than this chatbox understands ` +
        `(${MIGRATIONS.length}); upgrade chatbox`,
    );
  }
}

/** Applies every migration the database has not had yet, each in its own transaction. */
function migrate(db: Database.Database): void {
  const version = (): number => schemaVersion(db);
  for (let step = version(); step < MIGRATIONS.length; step++) {
    // IMMEDIATE takes the write lock first, so two processes opening a new file at once
    // apply each step once: the second re-reads the version under the lock.
    db.transaction(() => {
      if (version() !== step) return;
      db.exec(MIGRATIONS[step]!);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}

function canWrite(p: string): boolean {
  try {
    accessSync(p, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates an empty file only its owner can read: it holds password hashes.
 * SQLite gives the -wal and -shm files beside it the same mode.
 */
function createPrivate(file: string): void {
  try {
    // 'a' leaves a file another process created in the meantime as it is.
    closeSync(openSync(file, 'a', 0o600));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied'
      : e.code === 'EROFS' ? 'read-only file system'
      : firstLine(e.message);
    throw fatal(`cannot create database ${file}: ${why}`);
  }
}

/** Turns whatever opening threw into one line naming the file. */
function describeOpenError(err: unknown, file: string): Error {
  if ((err as { expected?: boolean }).expected) return err as Error;
  const code = String((err as { code?: unknown }).code ?? '');
  const detail = firstLine((err as Error).message ?? String(err));
  if (code === 'SQLITE_NOTADB') return fatal(`${file} is not a ChatBox database (not an SQLite file)`);
  if (code === 'SQLITE_CORRUPT') return fatal(`database ${file} is corrupt: ${detail}`);
  if (code.startsWith('SQLITE_READONLY')) return fatal(`database ${file} is not writable: ${detail}`);
  if (code.startsWith('SQLITE_CANTOPEN')) return fatal(`cannot open database ${file} (check permissions): ${detail}`);
  if (code.startsWith('SQLITE_BUSY')) return fatal(`database ${file} is locked by another process: ${detail}`);
  return fatal(`cannot open database ${file}: ${detail}`);
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!.trim();
}
