// The message half of the SQLite store: inserts with group commit, inbox
// claims and acknowledgements, and conversation history.

import type Database from 'better-sqlite3';
import type { Message, UserProfile } from '../../protocol.js';
import { noteCommit } from './sqlite-cache.js';

// Selected in the protocol's field order: better-sqlite3 builds each row
// object with its keys in column order, so rows go out as they are.
const MESSAGE_COLUMNS = 'msg_from, msg_to, body AS msg, id, sender, recipient, ts';

interface HistoryParams {
  a: string;
  b: string;
  before: number;
  limit: number;
}

interface PendingInsert {
  sender: UserProfile;
  recipient: UserProfile;
  text: string;
  ts: string;
  resolve: (message: Message) => void;
  reject: (err: Error) => void;
}

/** Message storage on one better-sqlite3 connection. */
export class SqliteMessages {
  private pending: PendingInsert[] = [];
  private flushScheduled = false;

  private readonly insert: Database.Statement<[string, string, string, string, string, string]>;
  private readonly selectFree: Database.Statement<[string, number, number], Message>;
  private readonly anyFree: Database.Statement<[string, number], number>;
  private readonly anyUndelivered: Database.Statement<[string], number>;
  private readonly markClaimed: Database.Statement<[string, number, number]>;
  // Both settle statements take (claimId, recipient).
  private readonly settleDelivered: Database.Statement<[string, string]>;
  private readonly settleFree: Database.Statement<[string, string]>;
  private readonly ackUpTo: Database.Statement<[string, number]>;
  private readonly selectAfter: Database.Statement<[string, number, number], Message>;
  private readonly selectHistory: Database.Statement<[HistoryParams], Message>;
  private readonly insertBatch: (batch: PendingInsert[]) => Message[];
  private readonly claim: (recipient: string, claimId: string, limit: number, now: number, leaseUntil: number) => Message[];
  private readonly ack: (recipient: string, ackId: number, limit: number) => Message[];

  /** `onStored` hears the recipients of every batch of messages once it is committed. */
  constructor(
    db: Database.Database,
    private readonly onStored: (recipients: string[]) => void = () => {},
  ) {
    this.insert = db.prepare(
      'INSERT INTO messages (sender, recipient, msg_from, msg_to, body, ts) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // "delivered = 0" spelled out so the partial inbox index applies.
    this.selectFree = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE recipient = ? AND delivered = 0 AND (claim_until IS NULL OR claim_until <= ?)
       ORDER BY id LIMIT ?`,
    );
    this.anyFree = db.prepare<[string, number], number>(
      `SELECT 1 FROM messages
       WHERE recipient = ? AND delivered = 0 AND (claim_until IS NULL OR claim_until <= ?) LIMIT 1`,
    ).pluck();
    this.anyUndelivered = db
      .prepare<[string], number>('SELECT 1 FROM messages WHERE recipient = ? AND delivered = 0 LIMIT 1')
      .pluck();
    this.markClaimed = db.prepare('UPDATE messages SET claim_id = ?, claim_until = ? WHERE id = ?');
    this.settleDelivered = db.prepare(
      `UPDATE messages SET delivered = 1, claim_id = NULL, claim_until = NULL
       WHERE claim_id = ? AND recipient = ? AND delivered = 0`,
    );
    this.settleFree = db.prepare(
      'UPDATE messages SET claim_id = NULL, claim_until = NULL WHERE claim_id = ? AND recipient = ?',
    );
    this.ackUpTo = db.prepare(
      `UPDATE messages SET delivered = 1, claim_id = NULL, claim_until = NULL
       WHERE recipient = ? AND delivered = 0 AND id <= ?`,
    );
    this.selectAfter = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE recipient = ? AND delivered = 0 AND id > ? ORDER BY id LIMIT ?`,
    );
    // The min/max expressions match the messages_by_pair index exactly.
    this.selectHistory = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE min(sender, recipient) = min(@a, @b) AND max(sender, recipient) = max(@a, @b) AND id < @before
       ORDER BY id DESC LIMIT @limit`,
    );

    this.insertBatch = db.transaction((batch: PendingInsert[]) =>
      batch.map((p) => {
        const { sender: from, recipient: to } = p;
        const { lastInsertRowid } = this.insert.run(from.username, to.username, from.nama, to.nama, p.text, p.ts);
        return toMessage(p, Number(lastInsertRowid));
      }),
    ).immediate;
    // IMMEDIATE: read-then-write under the write lock, so another process cannot
    // claim the same rows between the select and the update.
    this.claim = db.transaction((recipient: string, claimId: string, limit: number, now: number, leaseUntil: number) => {
      const rows = this.selectFree.all(recipient, now, limit);
      for (const row of rows) this.markClaimed.run(claimId, leaseUntil, row.id);
      return rows;
    }).immediate;
    this.ack = db.transaction((recipient: string, ackId: number, limit: number) => {
      this.ackUpTo.run(recipient, ackId);
      return this.selectAfter.all(recipient, ackId, limit);
    }).immediate;
  }

  /**
   * Queues a message for the next group commit, which runs once the current
   * turn of the event loop has queued all it will; resolves after the commit.
   */
  add(sender: UserProfile, recipient: UserProfile, text: string, now: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sender, recipient, text, ts: new Date(now).toISOString(), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued message in one transaction, ids in arrival order, then settles their promises. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let stored: Message[];
    try {
      stored = this.insertBatch(batch);
    } catch (err) {
      // The transaction rolled back: none of the batch is stored, so none may report success.
      for (const p of batch) p.reject(err as Error);
      return;
    }
    noteCommit();
    this.onStored(batch.map((p) => p.recipient.username));
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(stored[i]!);
  }

  claimInbox(recipient: string, claimId: string, limit: number, now: number, leaseUntil: number): Message[] {
    // Most polls find nothing: say so from a plain read, without taking the write lock.
    if (this.anyFree.get(recipient, now) === undefined) return [];
    const rows = this.claim(recipient, claimId, Math.max(0, limit), now, leaseUntil);
    noteCommit();
    return rows;
  }

  /** True when some message to `recipient` is not delivered yet (claimed or not). */
  hasUndelivered(recipient: string): boolean {
    return this.anyUndelivered.get(recipient) !== undefined;
  }

  settleClaim(recipient: string, claimId: string, delivered: boolean): void {
    // A message whose lease ran out and that another claim took since carries that
    // claim's id now, so this settles only what is still ours.
    (delivered ? this.settleDelivered : this.settleFree).run(claimId, recipient);
    noteCommit();
  }

  ackInbox(recipient: string, ackId: number, limit: number): Message[] {
    const rows = this.ack(recipient, ackId, Math.max(0, limit));
    noteCommit();
    return rows;
  }

  history(a: string, b: string, beforeId: number | null, limit: number): Message[] {
    const rows = this.selectHistory.all({ a, b, before: beforeId ?? Number.MAX_SAFE_INTEGER, limit: Math.max(0, limit) });
    return rows.reverse();
  }
}

function toMessage(p: PendingInsert, id: number): Message {
  return {
    msg_from: p.sender.nama,
    msg_to: p.recipient.nama,
    msg: p.text,
    id,
    sender: p.sender.username,
    recipient: p.recipient.username,
    ts: p.ts,
  };
}
