// The message half of the SQLite store: inserts with group commit, inbox
// claims and acknowledgements, and conversation history. Inserts wait for the
// turn's commit, delivered marks for the next commit; claims and
// acknowledgements commit at once (sqlite-log.ts).

import type Database from 'better-sqlite3';
import type { Message } from '../../protocol.js';
import type { TurnLog, TurnParticipant } from './sqlite-log.js';
import type { SendResult } from './types.js';

// Selected in the protocol's field order: better-sqlite3 builds each row
// object with its keys in column order, so rows go out as they are.
const MESSAGE_COLUMNS = 'msg_from, msg_to, body AS msg, id, sender, recipient, ts';

interface HistoryParams {
  a: number;
  b: number;
  before: number;
  limit: number;
}

interface PendingSend {
  senderId: number;
  recipient: string;
  text: string;
  ts: string;
  resolve: (result: SendResult) => void;
  reject: (err: Error) => void;
}

/** What one send did, and the account it stored a message for. */
interface Stored {
  result: SendResult;
  to: number | null;
}

interface AccountRow {
  id: number;
  username: string;
  nama: string;
}

/** Message storage on one better-sqlite3 connection. */
export class SqliteMessages implements TurnParticipant {
  private pending: PendingSend[] = [];
  /** The batch written into the turn's transaction, waiting for its commit. */
  private staged: { batch: PendingSend[]; stored: Stored[] | null; failure: Error | null } | null = null;

  private readonly insert: Database.Statement<[string, string, number, number, string, string, string, string]>;
  private readonly accountById: Database.Statement<[number], AccountRow>;
  private readonly accountByName: Database.Statement<[string], AccountRow>;
  private readonly selectFree: Database.Statement<[number, number, number], Message>;
  private readonly anyFree: Database.Statement<[number, number], number>;
  private readonly anyUndelivered: Database.Statement<[number], number>;
  private readonly markClaimed: Database.Statement<[string, number, number]>;
  // Both settle statements take (claimId, recipient id).
  private readonly settleDelivered: Database.Statement<[string, number]>;
  private readonly settleFree: Database.Statement<[string, number]>;
  private readonly ackUpTo: Database.Statement<[number, number]>;
  private readonly selectAfter: Database.Statement<[number, number, number], Message>;
  private readonly selectHistory: Database.Statement<[HistoryParams], Message>;
  private readonly sendBatch: (batch: PendingSend[]) => Stored[];
  private readonly claim: (recipient: number, claimId: string, limit: number, now: number, leaseUntil: number) => Message[];
  private readonly ack: (recipient: number, ackId: number, limit: number) => Message[];

  /** `onStored` hears the recipient ids of every batch of messages once it is committed. */
  constructor(
    db: Database.Database,
    private readonly log: TurnLog,
    private readonly onStored: (recipients: number[]) => void,
  ) {
    log.join(this);
    this.insert = db.prepare(
      `INSERT INTO messages (sender, recipient, sender_id, recipient_id, msg_from, msg_to, body, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.accountById = db.prepare('SELECT id, username, nama FROM users WHERE id = ?');
    this.accountByName = db.prepare('SELECT id, username, nama FROM users WHERE username = ?');
    // Named: without statistics the planner prefers messages_by_recipient, which
    // walks every message the account ever received. "delivered = 0" spelled
    // out so the partial index may serve.
    this.selectFree = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages INDEXED BY messages_inbox
       WHERE recipient_id = ? AND delivered = 0 AND (claim_until IS NULL OR claim_until <= ?)
       ORDER BY id LIMIT ?`,
    );
    this.anyFree = db.prepare<[number, number], number>(
      `SELECT 1 FROM messages INDEXED BY messages_inbox
       WHERE recipient_id = ? AND delivered = 0 AND (claim_until IS NULL OR claim_until <= ?) LIMIT 1`,
    ).pluck();
    this.anyUndelivered = db
      .prepare<[number], number>('SELECT 1 FROM messages INDEXED BY messages_inbox WHERE recipient_id = ? AND delivered = 0 LIMIT 1')
      .pluck();
    this.markClaimed = db.prepare('UPDATE messages SET claim_id = ?, claim_until = ? WHERE id = ?');
    this.settleDelivered = db.prepare(
      `UPDATE messages INDEXED BY messages_by_claim SET delivered = 1, claim_id = NULL, claim_until = NULL
       WHERE claim_id = ? AND recipient_id = ? AND delivered = 0`,
    );
    this.settleFree = db.prepare(
      'UPDATE messages INDEXED BY messages_by_claim SET claim_id = NULL, claim_until = NULL WHERE claim_id = ? AND recipient_id = ?',
    );
    this.ackUpTo = db.prepare(
      `UPDATE messages INDEXED BY messages_inbox SET delivered = 1, claim_id = NULL, claim_until = NULL
       WHERE recipient_id = ? AND delivered = 0 AND id <= ?`,
    );
    this.selectAfter = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages INDEXED BY messages_inbox
       WHERE recipient_id = ? AND delivered = 0 AND id > ? ORDER BY id LIMIT ?`,
    );
    // The min/max expressions match the messages_by_pair index exactly.
    this.selectHistory = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE min(sender_id, recipient_id) = min(@a, @b) AND max(sender_id, recipient_id) = max(@a, @b) AND id < @before
       ORDER BY id DESC LIMIT @limit`,
    );

    // Each send resolves its recipient and checks its sender inside the transaction that
    // stores it: a user removed (and re-added) by another process is seen as it is now.
    this.sendBatch = db.transaction((batch: PendingSend[]) =>
      batch.map((p): Stored => {
        const to = this.accountByName.get(p.recipient);
        if (!to) return { result: 'no such recipient', to: null };
        const from = this.accountById.get(p.senderId);
        if (!from) return { result: 'no such sender', to: null };
        const { lastInsertRowid } = this.insert.run(from.username, to.username, from.id, to.id, from.nama, to.nama, p.text, p.ts);
        const message: Message = {
          msg_from: from.nama, msg_to: to.nama, msg: p.text, id: Number(lastInsertRowid),
          sender: from.username, recipient: to.username, ts: p.ts,
        };
        return { result: message, to: to.id };
      }),
    ).immediate;
    // IMMEDIATE: read-then-write under the write lock, so another process cannot
    // claim the same rows between the select and the update.
    this.claim = db.transaction((recipient: number, claimId: string, limit: number, now: number, leaseUntil: number) => {
      const rows = this.selectFree.all(recipient, now, limit);
      for (const row of rows) this.markClaimed.run(claimId, leaseUntil, row.id);
      return rows;
    }).immediate;
    this.ack = db.transaction((recipient: number, ackId: number, limit: number) => {
      this.ackUpTo.run(recipient, ackId);
      return this.selectAfter.all(recipient, ackId, limit);
    }).immediate;
  }

  /**
   * Queues a send for the turn's commit, which runs once the current turn of
   * the event loop has queued all it will; resolves after the commit.
   */
  send(senderId: number, recipient: string, text: string, now: number): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ senderId, recipient, text, ts: new Date(now).toISOString(), resolve, reject });
      this.log.schedule();
    });
  }

  get hasWork(): boolean {
    return this.pending.length > 0;
  }

  /** Inserts every queued send, ids in arrival order, inside the turn's transaction (a savepoint of it). */
  stage(): void {
    const batch = this.pending;
    this.pending = [];
    try {
      this.staged = { batch, stored: this.sendBatch(batch), failure: null };
    } catch (err) {
      this.staged = { batch, stored: null, failure: err as Error };
    }
  }

  /** Settles the staged sends' promises once the turn's commit is done. */
  settle(commitFailure: Error | null): void {
    const staged = this.staged;
    if (!staged) return;
    this.staged = null;
    const failure = staged.failure ?? commitFailure;
    // Rolled back: none of the batch is stored, so none may report success.
    if (failure || !staged.stored) {
      for (const p of staged.batch) p.reject(failure ?? new Error('messages not stored'));
      return;
    }
    const stored = staged.stored;
    this.onStored(stored.flatMap((s) => (s.to === null ? [] : [s.to])));
    for (let i = 0; i < staged.batch.length; i++) staged.batch[i]!.resolve(stored[i]!.result);
  }

  /** Commits every queued send now (on close). */
  flush(): void {
    this.log.commitNow();
  }

  claimInbox(recipient: number, claimId: string, limit: number, now: number, leaseUntil: number): Message[] {
    // Most polls find nothing: say so from a plain read, without taking the write lock
    // (queued marks only deliver: none would free a message).
    if (this.anyFree.get(recipient, now) === undefined) return [];
    return this.log.writeNow(() => this.claim(recipient, claimId, Math.max(0, limit), now, leaseUntil));
  }

  /** True when some message to `recipient` is not delivered yet (claimed or not). */
  hasUndelivered(recipient: number): boolean {
    return this.anyUndelivered.get(recipient) !== undefined;
  }

  /**
   * Delivered: queued for the next commit; until then the messages stay claimed
   * under the lease, so no one else takes them, and a crash before delivers them
   * again. Freed (the reply was not written, which is rare): committed at once,
   * so the next poll finds them.
   */
  settleClaim(recipient: number, claimId: string, delivered: boolean): void {
    // A message whose lease ran out and that another claim took since carries that
    // claim's id now, so this settles only what is still ours.
    if (delivered) this.log.queue(() => this.settleDelivered.run(claimId, recipient));
    else this.log.writeNow(() => this.settleFree.run(claimId, recipient));
  }

  ackInbox(recipient: number, ackId: number, limit: number): Message[] {
    // What is acknowledged never comes back: committed before the reply.
    return this.log.writeNow(() => this.ack(recipient, ackId, Math.max(0, limit)));
  }

  history(a: number, b: number, beforeId: number | null, limit: number): Message[] {
    const rows = this.selectHistory.all({ a, b, before: beforeId ?? Number.MAX_SAFE_INTEGER, limit: Math.max(0, limit) });
    return rows.reverse();
  }
}
