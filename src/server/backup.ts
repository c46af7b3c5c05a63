// `chatbox backup` and `chatbox restore`: copies of a SQLite database made with
// SQLite's online backup API, so a running server keeps serving meanwhile.
// Every copy is written beside its destination, checked, and only then renamed
// into place, readable by its owner only (it holds password hashes).

import { chownSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fatal, flagOrEnv, parseFlags, UsageError } from '../args.js';
import { DEFAULTS } from './config.js';
import { MIGRATIONS } from './store/sqlite-schema.js';

const BACKUP_HELP = `Usage:
  chatbox backup --db FILE --out BACKUP [--force]
  chatbox restore --from BACKUP --db FILE [--force]

backup   copies the SQLite database FILE (CHATBOX_DB) [./chatbox.db] to BACKUP
         while a server may be running on it, checks the copy and prints what it
         holds. It refuses to overwrite an existing BACKUP unless --force.
restore  checks that BACKUP is a ChatBox database, then puts it in place of FILE.
         It refuses while FILE is in use (stop the server first), and refuses to
         overwrite an existing FILE unless --force.

Both files are created readable by their owner only. A Redis store is backed
up by Redis itself (BGSAVE or copies of its AOF): see docs/deploying.md.
`;

const FLAGS = {
  db: { type: 'string' },
  out: { type: 'string' },
  from: { type: 'string' },
  force: { type: 'boolean' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How long restore waits for another process's lock before calling the database in use (ms). */
const IN_USE_WAIT_MS = 500;

/** What a checked ChatBox database holds. */
interface Contents {
  schemaVersion: number;
  users: number;
  messages: number;
}

function parse(argv: string[], command: 'backup' | 'restore') {
  const { values: v, positionals } = parseFlags(argv, FLAGS, true);
  if (v.help) return 'help' as const;
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' for chatbox ${command}`);
  if (v.redis !== undefined) {
    throw new UsageError('a Redis store is backed up by Redis itself (BGSAVE, or copies of its AOF): see docs/deploying.md');
  }
  const unwanted = command === 'backup' ? 'from' : 'out';
  if (v[unwanted] !== undefined) throw new UsageError(`chatbox ${command} takes no --${unwanted}`);
  return { db: resolve(flagOrEnv(v.db, 'CHATBOX_DB') ?? DEFAULTS.db), out: v.out, from: v.from, force: v.force ?? false };
}

/** `chatbox backup --db FILE --out BACKUP [--force]`. */
export async function backupCommand(argv: string[]): Promise<number> {
  const opts = parse(argv, 'backup');
  if (opts === 'help') {
    process.stdout.write(BACKUP_HELP);
    return 0;
  }
  if (opts.out === undefined) throw new UsageError('chatbox backup needs --out BACKUP');
  const out = resolve(opts.out);
  if (out === opts.db) throw new UsageError('--out must be another file than --db');
  if (!existsSync(opts.db)) throw fatal(`database ${opts.db} does not exist`);
  checkDestination(out, opts.force, '--out', 'backup');

  const source = openChecked(opts.db, 'database');
  let contents: Contents;
  try {
    contents = await copyVerified(source.db, out, source.contents.schemaVersion);
  } finally {
    source.db.close();
  }
  process.stdout.write(`backup of ${opts.db} written to ${out}: ${describe(contents)}\n`);
  return 0;
}

/** `chatbox restore --from BACKUP --db FILE [--force]`. */
export async function restoreCommand(argv: string[]): Promise<number> {
  const opts = parse(argv, 'restore');
  if (opts === 'help') {
    process.stdout.write(BACKUP_HELP);
    return 0;
  }
  if (opts.from === undefined) throw new UsageError('chatbox restore needs --from BACKUP');
  const from = resolve(opts.from);
  if (from === opts.db) throw new UsageError('--from must be another file than --db');
  if (!existsSync(from)) throw fatal(`backup ${from} does not exist`);
  checkDestination(opts.db, opts.force, '--db', 'database');

  const backup = openChecked(from, 'backup');
  let contents: Contents;
  try {
    // The restored file keeps the owner of the one it replaces (the server's user, when root restores).
    const owner = existsSync(opts.db) ? statSync(opts.db) : null;
    if (owner) refuseIfInUse(opts.db);
    contents = await copyVerified(backup.db, opts.db, backup.contents.schemaVersion, (tmp) => {
      if (owner) keepOwner(tmp, owner.uid, owner.gid);
      // A write-ahead log left beside the old file would be replayed into the new one.
      for (const suffix of ['-wal', '-shm', '-journal']) rmSync(opts.db + suffix, { force: true });
    });
  } finally {
    backup.db.close();
  }
  process.stdout.write(`restored ${from} into ${opts.db}: ${describe(contents)}\n`);
  return 0;
}

function describe(c: Contents): string {
  return `schema version ${c.schemaVersion}, ${c.users} users, ${c.messages} messages`;
}

/** The destination's directory exists, and the file itself is only replaced with --force. */
function checkDestination(file: string, force: boolean, flag: string, what: string): void {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fatal(`directory ${dir} (of ${flag}) does not exist`);
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw fatal(`${flag} ${file} is a directory`);
    if (!force) throw fatal(`${what} ${file} already exists; pass --force to replace it`);
  }
}

/** Opens an existing file and checks that it is a ChatBox database this chatbox understands. */
function openChecked(file: string, what: string): { db: Database.Database; contents: Contents } {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 5000 });
  } catch (err) {
    throw fatal(`cannot open ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return { db, contents: inspect(db, file) };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Schema version and row counts; one-line errors for anything that is not a ChatBox database. */
function inspect(db: Database.Database, file: string): Contents {
  let version: number;
  let tables: Set<string>;
  try {
    version = Number(db.pragma('user_version', { simple: true }));
    tables = new Set(db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all());
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (code === 'SQLITE_NOTADB') throw fatal(`${file} is not a ChatBox database (not an SQLite file)`);
    throw fatal(`cannot read ${file}: ${(err as Error).message}`);
  }
  const missing = ['users', 'sessions', 'messages'].filter((t) => !tables.has(t));
  if (version < 1 || missing.length > 0) throw fatal(`${file} is not a ChatBox database (no ${missing.join(', ') || 'schema version'})`);
  if (version > MIGRATIONS.length) {
    throw fatal(`${file} has schema version ${version}, newer than this chatbox understands (${MIGRATIONS.length}); upgrade chatbox`);
  }
  const check = db.pragma('quick_check', { simple: true });
  if (check !== 'ok') throw fatal(`${file} is damaged: ${String(check)}`);
  const count = (table: string): number => db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get()!;
  return { schemaVersion: version, users: count('users'), messages: count('messages') };
}

/**
 * Copies `source` to `dest` through a private temporary file beside it: backed up in
 * one step (a copy in steps would start over whenever the server commits), made a
 * single self-contained file, checked, synced, then renamed into place.
 */
async function copyVerified(
  source: Database.Database,
  dest: string,
  schemaVersion: number,
  beforeRename?: (tmp: string) => void,
): Promise<Contents> {
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.tmp`);
  const cleanUp = (): void => {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  };
  try {
    closeSync(openSync(tmp, 'wx', 0o600));
    await source.backup(tmp, { progress: () => 0x7fffffff });
    const copy = new Database(tmp, { fileMustExist: true });
    let contents: Contents;
    try {
      copy.pragma('journal_mode = DELETE');
      contents = inspect(copy, tmp);
    } finally {
      copy.close();
    }
    if (contents.schemaVersion !== schemaVersion) throw fatal(`the copy has schema version ${contents.schemaVersion}, not ${schemaVersion}`);
    syncFile(tmp);
    beforeRename?.(tmp);
    renameSync(tmp, dest);
    syncFile(dirname(dest));
    return contents;
  } catch (err) {
    cleanUp();
    if ((err as { expected?: boolean }).expected) throw err;
    throw fatal(`cannot write ${dest}: ${(err as Error).message}`);
  }
}

/** Gives `file` this owner where it has another one and this process may change it (root). */
function keepOwner(file: string, uid: number, gid: number): void {
  const st = statSync(file);
  if (st.uid === uid && st.gid === gid) return;
  try {
    chownSync(file, uid, gid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    process.stderr.write(`chatbox: note: the restored file belongs to you, not to the owner of the one it replaced (uid ${uid})\n`);
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses to replace a database another process has open. Leaving write-ahead
 * logging needs every other connection closed, so it fails while a server runs;
 * the file is about to be replaced anyway.
 */
function refuseIfInUse(file: string): void {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: IN_USE_WAIT_MS });
  } catch (err) {
    throw fatal(`cannot open database ${file}: ${(err as Error).message}`);
  }
  try {
    const mode = String(db.pragma('journal_mode = DELETE', { simple: true })).toLowerCase();
    if (mode !== 'delete') throw fatal(`database ${file} is in use by another process (a running server?); stop it first`);
  } catch (err) {
    if ((err as { expected?: boolean }).expected) throw err;
    const code = String((err as { code?: unknown }).code ?? '');
    // Not a database at all: nothing of SQLite's can be using it, and --force replaces it.
    if (code === 'SQLITE_NOTADB') return;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw fatal(`database ${file} is in use by another process (a running server?); stop it first`);
    }
    throw fatal(`cannot check database ${file}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
