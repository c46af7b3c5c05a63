// Retention on SQLite: the oldest messages go in small batches, each its own
// transaction, through ordinary DELETEs on the messages table (so triggers on
// it, such as a search index's, follow).

import type Database from 'better-sqlite3';

const statements = new WeakMap<Database.Database, Database.Statement>();

/**
 * Deletes, among the `limit` oldest messages by id, those stored before
 * `cutoffTs`. Reading only that many rows of the primary key keeps a batch
 * small even when nothing is old enough; ids grow with time, so the old
 * messages are the first ones.
 */
export function deleteOldMessages(db: Database.Database, cutoffTs: string, limit: number): number {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare('DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY id LIMIT ?) AND ts < ?');
    statements.set(db, stmt);
  }
  const run = stmt;
  return db.transaction(() => run.run(limit, cutoffTs).changes)();
}
