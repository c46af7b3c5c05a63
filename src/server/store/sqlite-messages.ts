// The message half of the SQLite store: inserts with group commit, inbox
// drains and acknowledgements, and conversation history. Inserts and
// acknowledgements wait for the turn's commit, delivered marks for the next
// commit (sqlite-log.ts); drains are answered from memory (sqlite-inbox.ts).

import type Database from 'better-sqlite3';
import type { Message } from '../../protocol.js';
import { InboxMemory } from './sqlite-inbox.js';
import type { TurnLog, TurnParticipant } from './sqlite-log.js';
import type { SendResult } from './types.js';

// Selected in the protocol's field order: better-sqlite3 builds each row
// object with its keys in column order, so rows go out as they are.
const MESSAGE_COLUMNS = 'msg_from, msg_to, body AS msg, id, sender, recipient, ts';

/** Accounts remembered at most; past it they are read again. */
const MAX_ACCOUNTS = 100_000;

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
  private readonly selectInbox: Database.Statement<[number, number, number], Message>;
  private readonly markDelivered: Database.Statement<[number]>;
  private readonly ackUpTo: Database.Statement<[number, number]>;
  private readonly selectHistory: Database.Statement<[HistoryParams], Message>;
  private readonly sendBatch: (batch: PendingSend[]) => Stored[];
  /** Undelivered messages and drains under way, in memory (sqlite-inbox.ts). */
  private readonly inboxes: InboxMemory;
  private readonly dataVersion: Database.Statement<[], number>;
  /**
   * Accounts as last read, by name and by id, while no other connection has
   * committed (checked inside each send transaction, under the write lock) and
   * this store changed no account (forget()).
   */
  private readonly byName = new Map<string, AccountRow>();
  private readonly byId = new Map<number, AccountRow>();
  private accountsVersion = NaN;

  constructor(
    db: Database.Database,
    private readonly log: TurnLog,
  ) {
    log.join(this);
    this.insert = db.prepare(
      `INSERT INTO messages (sender, recipient, sender_id, recipient_id, msg_from, msg_to, body, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.accountById = db.prepare('SELECT id, username, nama FROM users WHERE id = ?');
    this.accountByName = db.prepare('SELECT id, username, nama FROM users WHERE username = ?');
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    // Named: without statistics the planner prefers messages_by_recipient, which
    // walks every message the account ever received. "delivered = 0" spelled
    // out so the partial index may serve.
    this.selectInbox = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages INDEXED BY messages_inbox
       WHERE recipient_id = ? AND delivered = 0 AND id > ? ORDER BY id LIMIT ?`,
    );
    this.markDelivered = db.prepare('UPDATE messages SET delivered = 1, claim_id = NULL, claim_until = NULL WHERE id = ? AND delivered = 0');
    this.ackUpTo = db.prepare(
      `UPDATE messages INDEXED BY messages_inbox SET delivered = 1, claim_id = NULL, claim_until = NULL
       WHERE recipient_id = ? AND delivered = 0 AND id <= ?`,
    );
    // The min/max expressions match the messages_by_pair index exactly.
    this.selectHistory = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE min(sender_id, recipient_id) = min(@a, @b) AND max(sender_id, recipient_id) = max(@a, @b) AND id < @before
       ORDER BY id DESC LIMIT @limit`,
    );

    // Each send resolves its recipient and checks its sender inside the transaction that
    // stores it: a user removed (and re-added) by another process is seen as it is now.
    this.sendBatch = db.transaction((batch: PendingSend[]) => {
      const version = this.dataVersion.get()!;
      if (version !== this.accountsVersion) {
        this.forgetAccounts();
        this.accountsVersion = version;
      }
      return batch.map((p): Stored => {
        const to = this.account(p.recipient);
        if (!to) return { result: 'no such recipient', to: null };
        const from = this.account(p.senderId);
        if (!from) return { result: 'no such sender', to: null };
        const { lastInsertRowid } = this.insert.run(from.username, to.username, from.id, to.id, from.nama, to.nama, p.text, p.ts);
        const message: Message = {
          msg_from: from.nama, msg_to: to.nama, msg: p.text, id: Number(lastInsertRowid),
          sender: from.username, recipient: to.username, ts: p.ts,
        };
        return { result: message, to: to.id };
      });
    }).immediate;
    this.inboxes = new InboxMemory((recipient, afterId, limit) => {
      // Marks and acknowledgements not committed yet would read as undelivered.
      log.commitQueued();
      return this.selectInbox.all(recipient, afterId, limit);
    });
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
    const added: { recipient: number; message: Message }[] = [];
    for (const s of stored) if (s.to !== null) added.push({ recipient: s.to, message: s.result as Message });
    this.inboxes.stored(added);
    for (let i = 0; i < staged.batch.length; i++) staged.batch[i]!.resolve(stored[i]!.result);
  }

  /** Commits every queued send now (on close). */
  flush(): void {
    this.log.commitNow();
  }

  /** Claims in memory only: a crash frees them, and their messages are delivered again. */
  claimInbox(recipient: number, claimId: string, limit: number, now: number, leaseUntil: number): Message[] {
    return this.inboxes.claim(recipient, claimId, Math.max(0, limit), now, leaseUntil);
  }

  /**
   * Delivered: the messages leave the inbox, and their marks go with the next
   * commit; a crash before it delivers them again. Freed (the reply was not
   * written, which is rare): the next drain takes them.
   */
  settleClaim(claimId: string, delivered: boolean): void {
    const ids = this.inboxes.settle(claimId, delivered);
    if (ids.length > 0) this.log.queue(() => {
      for (const id of ids) this.markDelivered.run(id);
    });
  }

  /** What is acknowledged never comes back: committed (with the turn's other writes) before the promise resolves. */
  async ackInbox(recipient: number, ackId: number, limit: number): Promise<Message[]> {
    // Queued first: an inbox read from the file for the peek commits it before reading.
    const done = this.log.durable(() => this.ackUpTo.run(recipient, ackId));
    this.inboxes.acknowledge(recipient, ackId);
    const rest = this.inboxes.peek(recipient, ackId, Math.max(0, limit));
    await done;
    return rest;
  }

  /** Forgets what was read of inboxes (one, or all): another writer changed them. */
  forgetInboxes(recipient?: number): void {
    if (recipient === undefined) this.inboxes.dropAll();
    else this.inboxes.drop(recipient);
  }

  /** Forgets every account and inbox read: another writer, or this store, changed accounts. */
  forget(): void {
    this.forgetInboxes();
    this.forgetAccounts();
  }

  private forgetAccounts(): void {
    this.byName.clear();
    this.byId.clear();
  }

  /** The account with this name or id as the file has it now (inside a send transaction). */
  private account(key: string | number): AccountRow | undefined {
    let row = typeof key === 'string' ? this.byName.get(key) : this.byId.get(key);
    if (row) return row;
    row = typeof key === 'string' ? this.accountByName.get(key) : this.accountById.get(key);
    if (!row) return undefined;
    if (this.byId.size >= MAX_ACCOUNTS) this.forgetAccounts();
    this.byName.set(row.username, row);
    this.byId.set(row.id, row);
    return row;
  }

  history(a: number, b: number, beforeId: number | null, limit: number): Message[] {
    const rows = this.selectHistory.all({ a, b, before: beforeId ?? Number.MAX_SAFE_INTEGER, limit: Math.max(0, limit) });
    return rows.reverse();
  }
}
