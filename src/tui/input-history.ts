// The compose box's input history kept across runs: one file in the user's
// state directory ($XDG_STATE_HOME/chatbox/history, by default
// ~/.local/state/chatbox/history), one JSON string per line (so a multi-line
// message is one entry), the newest last, at most INPUT_HISTORY_MAX entries.
// It is private: the directory is 0700, the file 0600, and it is replaced
// whole (a temporary file renamed over it), so a crash never leaves half a
// file. Each save reads the file again first, so two chats running at once
// both keep what they sent. Only sent messages go in, never the login form.

import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { tuiLog } from './log.js';
import { INPUT_HISTORY_MAX } from './model.js';

/** Where the history file goes, or null when there is no home to put it in. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string | null {
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env['XDG_STATE_HOME'];
  const base = xdg && isAbsolute(xdg) ? xdg : env['HOME'] ? join(env['HOME'], '.local', 'state') : null;
  return base === null ? null : join(base, 'chatbox', 'history');
}

/** Entries of a history file's text, oldest first; lines that are not a JSON string are skipped. */
export function parseHistory(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'string' && v !== '') out.push(v);
    } catch {
      // A damaged line costs only itself.
    }
  }
  return out.slice(-INPUT_HISTORY_MAX);
}

/** The file's text for `entries` (the newest INPUT_HISTORY_MAX of them). */
export function formatHistory(entries: readonly string[]): string {
  return entries
    .slice(-INPUT_HISTORY_MAX)
    .map((e) => JSON.stringify(e) + '\n')
    .join('');
}

/** The history file of one user account on this machine. */
export class HistoryFile {
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(readonly path: string) {}

  /** The entries saved so far (empty when there is no file yet or it cannot be read). */
  load(): string[] {
    try {
      return parseHistory(readFileSync(this.path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') tuiLog(`input history not read: ${(err as Error).message}`);
      return [];
    }
  }

  /** Adds an entry (saves run one after another, in order); resolves once it is written or has failed (logged). */
  add(entry: string): Promise<void> {
    this.chain = this.chain.then(() => this.save(entry)).catch((err: unknown) => tuiLog(`input history not saved: ${(err as Error).message}`));
    return this.chain;
  }

  private async save(entry: string): Promise<void> {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Our own directory stays private even when it was made by something else.
    chmodSync(dir, 0o700);
    const entries = this.load();
    if (entries[entries.length - 1] !== entry) entries.push(entry);
    const tmp = `${this.path}.${process.pid}.${++this.seq}.tmp`;
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(formatHistory(entries));
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
