// The search index's upkeep. Indexing a message inside the commit that stores
// it cost more than the rest of the insert (the index's pages are rewritten
// for each one), so messages are indexed in batches instead: every second in
// the background while some wait, and always up to the newest before a search
// is answered, so a search sees every message stored before it. Batches of a
// few thousand cost about a tenth of indexing one by one.

import type Database from 'better-sqlite3';
import type { TurnLog } from './sqlite-log.js';

/** The highest id the messages' sequence has handed out (to a message or a read-marker event); 0 on a new file. */
export const LAST_ID = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)";

/** Messages indexed per transaction: short enough not to hold the write lock for long. */
const BATCH = 5000;
/** How often waiting messages are indexed in the background (ms). */
const INTERVAL_MS = 1000;

/** Keeps messages_fts up to date with the messages table of one connection. */
export class SearchIndex {
  private readonly stmt;
  private readonly timer: NodeJS.Timeout;

  constructor(
    db: Database.Database,
    private readonly log: TurnLog,
  ) {
    this.stmt = {
      indexed: db.prepare<[], number>('SELECT indexed_upto FROM search_progress').pluck(),
      newest: db.prepare<[], number>(LAST_ID).pluck(),
      batchEnd: db.prepare<[number, number], { last: number | null; n: number }>(
        'SELECT max(id) AS last, count(*) AS n FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)',
      ),
      add: db.prepare<[number, number]>('INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE id > ? AND id <= ?'),
      advance: db.prepare<[number]>('UPDATE search_progress SET indexed_upto = ?'),
    };
    this.timer = setInterval(() => this.step(), INTERVAL_MS);
    this.timer.unref();
  }

  /** Indexes every message stored so far (before a search). */
  catchUp(): void {
    while (this.step()) {
      // Each batch is its own commit, so the write lock is let go between them.
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Indexes one batch; true when more may be waiting. */
  private step(): boolean {
    if (this.stmt.newest.get()! <= this.stmt.indexed.get()!) return false;
    // Read and advanced under the write lock: no batch is indexed twice, and ids only grow.
    return this.log.writeNow(() => {
      const from = this.stmt.indexed.get()!;
      const { last, n } = this.stmt.batchEnd.get(from, BATCH)!;
      // A short batch reaches the newest id: ids with no message (deleted, or taken
      // by read markers) are passed over for good.
      const upto = n === BATCH ? last! : this.stmt.newest.get()!;
      if (n > 0) this.stmt.add.run(from, upto);
      this.stmt.advance.run(upto);
      return n === BATCH;
    });
  }
}
