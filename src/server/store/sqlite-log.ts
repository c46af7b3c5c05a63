// The SQLite store's writes, gathered so that a turn of the event loop costs
// as few commits as it can without a reply ever running ahead of its commit.
//
// - Sends are queued and inserted together, once the turn has queued all it
//   will (group commit); their promises settle after the commit.
// - Writes whose caller needs no answer (the delivered mark of an inbox reply,
//   queued by the socket's write callback) wait for the next commit of any
//   kind: the turn's group commit, or the next write that must commit now.
// - Writes that answer their caller (an inbox claim, a login, an
//   acknowledgement) commit at once, carrying everything queued before them
//   in the same transaction.
//
// No transaction stays open while other code runs, so another store on the
// file (the admin CLI, in this process or another) waits only for one commit.
// A queued mark lost to a crash delivers its messages again: at least once,
// never lost, since no `Message Sent` goes out before its commit.

import type Database from 'better-sqlite3';

/** Work that joins a commit: staged inside the transaction, told the outcome after it. */
export interface TurnParticipant {
  /** Has work for the coming commit. */
  readonly hasWork: boolean;
  /** Writes its work inside the open transaction. Never throws: a failure undoes its own work only, and it keeps the reason. */
  stage(): void;
  /** The commit is done: `failure` null when it is durable, else why nothing of it was stored. */
  settle(failure: Error | null): void;
}

/** Gathers a better-sqlite3 connection's writes into few commits. */
export class TurnLog {
  private scheduled = false;
  private queued: (() => void)[] = [];
  /** Told the outcome of the commit that carries the queued writes they wait on. */
  private waiters: ((failure: Error | null) => void)[] = [];
  private readonly participants: TurnParticipant[] = [];
  private readonly beginStmt: Database.Statement;
  private readonly commitStmt: Database.Statement;
  private readonly rollbackStmt: Database.Statement;
  private readonly nested: <T>(fn: () => T) => T;
  private readonly onScheduled = (): void => {
    this.scheduled = false;
    this.commitNow();
  };

  constructor(
    private readonly db: Database.Database,
    /** Hears every commit (for the other stores of this process). */
    private readonly noteCommit: () => void,
    /** Hears a commit that failed: what is kept in memory of its writes is stale. */
    private readonly rolledBack: () => void,
  ) {
    this.beginStmt = db.prepare('BEGIN IMMEDIATE');
    this.commitStmt = db.prepare('COMMIT');
    this.rollbackStmt = db.prepare('ROLLBACK');
    // Inside the open transaction: a savepoint, so a failing write undoes only itself.
    const tx = db.transaction((fn: () => unknown) => fn());
    this.nested = tx as <T>(fn: () => T) => T;
  }

  join(p: TurnParticipant): void {
    this.participants.push(p);
  }

  /** Commits the queued writes now, if there are any: before a read of the file they change. */
  commitQueued(): void {
    if (this.queued.length > 0) this.commitNow();
  }

  /** Queues a write for the next commit, at the latest the turn's. */
  queue(write: () => void): void {
    this.queued.push(write);
    this.schedule();
  }

  /** Queues a write for the next commit, at the latest the turn's; resolves to its result once that is durable. */
  durable<T>(write: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      let failure: unknown = null;
      let result: T;
      this.queue(() => {
        try {
          result = write();
        } catch (err) {
          failure = err;
          throw err;
        }
      });
      this.waiters.push((commitFailure) => {
        const err = failure ?? commitFailure;
        if (err) reject(err as Error);
        else resolve(result);
      });
    });
  }

  /** Makes sure this turn ends with a commit (a participant has staged work). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.onScheduled);
  }

  /**
   * Runs `write` and commits it now, in one transaction with everything queued
   * and staged so far (in that order). If `write` throws, only it is undone:
   * the rest commits, and the error is thrown after.
   */
  writeNow<T>(write: () => T): T {
    const staging = this.participants.filter((p) => p.hasWork);
    const queued = this.queued;
    const waiters = this.waiters;
    this.queued = [];
    this.waiters = [];
    try {
      this.beginStmt.run();
    } catch (err) {
      // The lock was not had (another process held it past the busy timeout): nothing was written.
      for (const w of waiters) w(err as Error);
      throw err;
    }
    for (const q of queued) {
      try {
        this.nested(q);
      } catch {
        // A queued mark that fails leaves its messages to be delivered again.
      }
    }
    for (const p of staging) p.stage();
    let result: T | undefined;
    let writeError: unknown = null;
    try {
      result = this.nested(write);
    } catch (err) {
      writeError = err;
    }
    let failure: Error | null = null;
    try {
      this.commitStmt.run();
    } catch (err) {
      failure = err as Error;
      if (this.db.inTransaction) this.rollbackStmt.run();
    }
    if (failure) this.rolledBack();
    else this.noteCommit();
    for (const p of staging) p.settle(failure);
    for (const w of waiters) w(failure);
    if (writeError) throw writeError;
    if (failure) throw failure;
    return result as T;
  }

  /** Commits everything queued and staged, now: at the end of a turn, and on close. */
  commitNow(): void {
    if (this.queued.length === 0 && !this.participants.some((p) => p.hasWork)) return;
    try {
      this.writeNow(() => undefined);
    } catch {
      // Told to the participants (sends are rejected); queued marks are delivered again.
    }
  }
}
