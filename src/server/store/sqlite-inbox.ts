// Each account's undelivered messages, held in memory by the server process
// that owns the SQLite file, with the claims of the drains under way. A drain
// is then answered without touching the file: the claim lives only here (a
// crash frees it, so its messages are delivered again: at least once), and
// only the delivered mark of a written reply goes to disk, with the next
// commit.
//
// The oldest WINDOW messages of an inbox are read from the file the first
// time it is drained; more are read as those run out. Messages stored later
// are added as their commit completes, while the whole inbox is in memory. A
// change by another process (seen through data_version), a retention pass or
// a read marker drops what was read, and the next drain reads it again;
// claims are kept through that, so a drain under way still settles.

import type { Message } from '../../protocol.js';

/** Messages read from the file at a time. */
const WINDOW = 2000;
/** Inboxes kept in memory at most; past it every one is read again when next drained. */
const MAX_INBOXES = 100_000;

/** A drain's hold on some messages until its reply is written or its lease runs out. */
interface Claim {
  readonly id: string;
  readonly recipient: number;
  readonly ids: readonly number[];
  readonly until: number;
}

interface Inbox {
  /** Undelivered messages in id order, or null when not read yet (or dropped). */
  items: Message[] | null;
  /** Every undelivered message of the account is in `items`. */
  complete: boolean;
  /** The highest id read from the file so far: the next read starts after it. */
  readTo: number;
  /** Message id to the claim holding it (a lapsed lease counts as free). */
  readonly claimed: Map<number, Claim>;
}

/**
 * Reads an account's undelivered messages with id > `afterId`, oldest first, at
 * most `limit`, as the file has them once every delivered mark and
 * acknowledgement made so far is committed.
 */
export type ReadInbox = (recipient: number, afterId: number, limit: number) => Message[];

/** The in-memory inboxes of one store. */
export class InboxMemory {
  private readonly inboxes = new Map<number, Inbox>();
  private readonly claims = new Map<string, Claim>();

  constructor(private readonly read: ReadInbox) {}

  /**
   * Takes up to `limit` of the oldest messages neither delivered nor held by an
   * unexpired claim, and holds them under `claimId` until `leaseUntil`.
   */
  claim(recipient: number, claimId: string, limit: number, now: number, leaseUntil: number): Message[] {
    const inbox = this.inbox(recipient);
    const taken: Message[] = [];
    let at = 0;
    while (taken.length < limit) {
      const items = inbox.items!;
      if (at === items.length) {
        if (inbox.complete || !this.readMore(recipient, inbox)) break;
        continue;
      }
      const m = items[at++]!;
      const holder = inbox.claimed.get(m.id);
      if (holder === undefined || holder.until <= now) taken.push(m);
    }
    if (taken.length === 0) return taken;
    const claim: Claim = { id: claimId, recipient, ids: taken.map((m) => m.id), until: leaseUntil };
    this.claims.set(claimId, claim);
    for (const id of claim.ids) inbox.claimed.set(id, claim);
    return taken;
  }

  /**
   * Ends a claim. Returns the ids it still held (a lapsed lease's messages may
   * have been taken by another claim since); when `delivered`, they leave the
   * inbox, and the caller marks them received on disk.
   */
  settle(claimId: string, delivered: boolean): number[] {
    const claim = this.claims.get(claimId);
    if (!claim) return [];
    this.claims.delete(claimId);
    const inbox = this.inboxes.get(claim.recipient);
    if (!inbox) return [];
    const ours = claim.ids.filter((id) => inbox.claimed.get(id) === claim);
    for (const id of ours) inbox.claimed.delete(id);
    if (delivered && ours.length > 0 && inbox.items) {
      const gone = new Set(ours);
      inbox.items = inbox.items.filter((m) => !gone.has(m.id));
    }
    if (inbox.items === null && inbox.claimed.size === 0) this.inboxes.delete(claim.recipient);
    return delivered ? ours : [];
  }

  /** Every message with id <= ackId is received: they leave the inbox (the caller marks them on disk). */
  acknowledge(recipient: number, ackId: number): void {
    const inbox = this.inboxes.get(recipient);
    if (!inbox) return;
    for (const [id, claim] of inbox.claimed) {
      if (id > ackId) continue;
      inbox.claimed.delete(id);
      // A claim left with nothing to settle is done.
      if (claim.ids.every((i) => i <= ackId)) this.claims.delete(claim.id);
    }
    if (inbox.items) inbox.items = inbox.items.filter((m) => m.id > ackId);
  }

  /** Up to `limit` of the oldest undelivered messages with id > afterId, claimed or not. */
  peek(recipient: number, afterId: number, limit: number): Message[] {
    const inbox = this.inbox(recipient);
    for (;;) {
      const after = inbox.items!.filter((m) => m.id > afterId);
      if (after.length >= limit || inbox.complete || !this.readMore(recipient, inbox)) return after.slice(0, limit);
    }
  }

  /** Messages just committed: added to the inboxes held whole (others read them from the file later). */
  stored(messages: readonly { recipient: number; message: Message }[]): void {
    for (const { recipient, message } of messages) {
      const inbox = this.inboxes.get(recipient);
      if (inbox?.items && inbox.complete) {
        inbox.items.push(message);
        inbox.readTo = message.id;
      }
    }
  }

  /** Forgets what was read of one inbox (its claims stay). */
  drop(recipient: number): void {
    const inbox = this.inboxes.get(recipient);
    if (!inbox) return;
    inbox.items = null;
    inbox.complete = false;
    inbox.readTo = 0;
    if (inbox.claimed.size === 0) this.inboxes.delete(recipient);
  }

  /** Forgets what was read of every inbox (its claims stay). */
  dropAll(): void {
    for (const recipient of [...this.inboxes.keys()]) this.drop(recipient);
  }

  private inbox(recipient: number): Inbox {
    let inbox = this.inboxes.get(recipient);
    if (!inbox) {
      if (this.inboxes.size >= MAX_INBOXES) this.dropAll();
      inbox = { items: null, complete: false, readTo: 0, claimed: new Map() };
      this.inboxes.set(recipient, inbox);
    }
    if (inbox.items === null) {
      inbox.items = [];
      this.readMore(recipient, inbox);
    }
    return inbox;
  }

  /** Reads the next window from the file; true when it found any. */
  private readMore(recipient: number, inbox: Inbox): boolean {
    const items = inbox.items!;
    const rows = this.read(recipient, inbox.readTo, WINDOW);
    for (const r of rows) items.push(r);
    if (rows.length > 0) inbox.readTo = rows[rows.length - 1]!.id;
    inbox.complete = rows.length < WINDOW;
    return rows.length > 0;
  }
}
