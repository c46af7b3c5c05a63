// The sync half of the SQLite store (docs/storage.md, "Live sync"): an
// account's events after a cursor, read markers, conversation state, full-text
// search, and the presence version. One process writes the file's messages,
// so the events it stores are told to its listener right after they commit.
// Event ids: a read-marker change takes the next value of the messages'
// AUTOINCREMENT sequence, so it shares the id space with messages, and every
// id is taken under the write lock and seen in commit order.

import type Database from 'better-sqlite3';
import type { Message } from '../../protocol.js';
import type { TurnLog } from './sqlite-log.js';
import { LAST_ID, type SearchIndex } from './sqlite-search.js';
import type { ConversationState, SyncBatch, SyncListener, SyncStore } from './sync-types.js';

// The protocol's field order, as in sqlite-messages.ts.
const COLUMNS = 'msg_from, msg_to, body AS msg, id, sender, recipient, ts';

interface MarkerRow {
  username: string;
  marker: number;
}

interface ConversationRow {
  username: string;
  last_id: number;
  unread: number;
}

/** Sync, read markers and search on one better-sqlite3 connection. */
export class SqliteSync implements SyncStore {
  private listener: SyncListener | null = null;
  private presenceDigest: string | null = null;
  // Starts from the clock, so a version a client kept from before a restart is never taken for a current one.
  private version = Date.now();

  private readonly changesTx: (userId: number, sinceId: number, limit: number) => SyncBatch;
  private readonly markTx: (userId: number, peerId: number, id: number) => number;
  private readonly conversationsTx: (userId: number) => { byPeer: Map<string, ConversationState>; next: number };
  private readonly stmt;

  constructor(
    db: Database.Database,
    /** The store's writes: a marker change goes with the turn's commit. */
    private readonly log: TurnLog,
    private readonly index: SearchIndex,
    /** Hears that messages to this account were marked received by a read marker. */
    private readonly received: (userId: number) => void,
  ) {
    this.stmt = {
      lastId: db.prepare<[], number>(LAST_ID).pluck(),
      // Both directions, each from its own index, merged by id.
      after: db.prepare<{ me: number; since: number; limit: number }, Message>(
        `SELECT ${COLUMNS} FROM messages WHERE id IN (
           SELECT id FROM (SELECT id FROM messages WHERE sender_id = @me AND id > @since ORDER BY id LIMIT @limit)
           UNION
           SELECT id FROM (SELECT id FROM messages WHERE recipient_id = @me AND id > @since ORDER BY id LIMIT @limit)
         ) ORDER BY id LIMIT @limit`,
      ),
      markersAfter: db.prepare<{ me: number; since: number; upto: number }, MarkerRow>(
        `SELECT u.username, r.marker FROM read_markers r JOIN users u ON u.id = r.peer_id
         WHERE r.user_id = @me AND r.event_id > @since AND r.event_id <= @upto ORDER BY r.event_id`,
      ),
      maxMarkerEvent: db.prepare<{ me: number; since: number; upto: number }, number | null>(
        'SELECT max(event_id) FROM read_markers WHERE user_id = @me AND event_id > @since AND event_id <= @upto',
      ).pluck(),
      marker: db.prepare<[number, number], number>('SELECT marker FROM read_markers WHERE user_id = ? AND peer_id = ?').pluck(),
      // sqlite_sequence holds a row for messages once one was inserted; a new file may have none.
      seedSequence: db.prepare(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages')",
      ),
      takeId: db.prepare<[], number>("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'messages' RETURNING seq").pluck(),
      setMarker: db.prepare<[number, number, number, number]>(
        `INSERT INTO read_markers (user_id, peer_id, marker, event_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, peer_id) DO UPDATE SET marker = excluded.marker, event_id = excluded.event_id`,
      ),
      receiveUpTo: db.prepare<[number, number, number]>(
        `UPDATE messages INDEXED BY messages_inbox SET delivered = 1, claim_id = NULL, claim_until = NULL
         WHERE recipient_id = ? AND delivered = 0 AND id <= ? AND sender_id = ?`,
      ),
      conversations: db.prepare<{ me: number }, ConversationRow>(
        `SELECT u.username, max(c.id) AS last_id,
                sum(c.incoming AND c.id > coalesce(r.marker, 0)) AS unread
         FROM (SELECT recipient_id AS peer, id, 0 AS incoming FROM messages WHERE sender_id = @me
               UNION ALL
               SELECT sender_id AS peer, id, 1 AS incoming FROM messages WHERE recipient_id = @me AND sender_id IS NOT @me) c
         JOIN users u ON u.id = c.peer
         LEFT JOIN read_markers r ON r.user_id = @me AND r.peer_id = c.peer
         GROUP BY c.peer`,
      ),
      search: db.prepare<{ me: number; q: string; before: number; limit: number }, Message>(
        `SELECT m.msg_from, m.msg_to, m.body AS msg, m.id, m.sender, m.recipient, m.ts
         FROM messages_fts f JOIN messages m ON m.id = f.rowid
         WHERE messages_fts MATCH @q AND f.rowid < @before AND (m.sender_id = @me OR m.recipient_id = @me)
         ORDER BY f.rowid DESC LIMIT @limit`,
      ),
    };

    // One read transaction: the messages, the markers and the cursor from the same snapshot.
    this.changesTx = db.transaction((me: number, since: number, limit: number): SyncBatch => {
      const messages = this.stmt.after.all({ me, since, limit });
      const full = messages.length >= limit;
      // A full page ends at its last message: markers past it come with the next page.
      const upto = full ? messages[messages.length - 1]!.id : Number.MAX_SAFE_INTEGER;
      const read = new Map<string, number>();
      for (const r of this.stmt.markersAfter.all({ me, since, upto })) read.set(r.username, r.marker);
      const lastMessage = messages.length > 0 ? messages[messages.length - 1]!.id : 0;
      const lastMarker = this.stmt.maxMarkerEvent.get({ me, since, upto }) ?? 0;
      const next = messages.length > 0 || lastMarker > 0 ? Math.max(lastMessage, lastMarker) : this.stmt.lastId.get()!;
      return { messages, read, next };
    });

    this.markTx = db.transaction((me: number, peer: number, id: number): number => {
      const top = this.stmt.lastId.get()!;
      const want = Math.min(id, top);
      const current = this.stmt.marker.get(me, peer) ?? 0;
      if (want <= current) return 0;
      this.stmt.seedSequence.run();
      const event = this.stmt.takeId.get()!;
      this.stmt.setMarker.run(me, peer, want, event);
      this.stmt.receiveUpTo.run(me, want, peer);
      return event;
    }).immediate;

    this.conversationsTx = db.transaction((me: number) => {
      const byPeer = new Map<string, ConversationState>();
      for (const r of this.stmt.conversations.all({ me })) byPeer.set(r.username, { unread: r.unread, lastId: r.last_id });
      return { byPeer, next: this.stmt.lastId.get()! };
    });
  }

  /** Tells the listener that messages between these two were committed. */
  stored(sender: string, recipient: string): void {
    this.listener?.events(sender === recipient ? [sender] : [sender, recipient]);
  }

  async changes(userId: number, sinceId: number, limit: number): Promise<SyncBatch> {
    return this.changesTx(userId, sinceId, limit);
  }

  async setReadMarker(userId: number, username: string, peerId: number, id: number): Promise<number> {
    const event = await this.log.durable(() => this.markTx(userId, peerId, id));
    if (event > 0) {
      this.received(userId);
      this.listener?.events([username]);
    }
    return event;
  }

  async conversations(userId: number): Promise<{ byPeer: Map<string, ConversationState>; next: number }> {
    return this.conversationsTx(userId);
  }

  async search(userId: number, beforeId: number | null, limit: number, words: readonly string[]): Promise<Message[]> {
    if (words.length === 0) return [];
    this.index.catchUp();
    // Each word as an FTS5 string, so no query syntax reaches the index: every word must match.
    const q = words.map((w) => '"' + w.replaceAll('"', '""') + '"').join(' ');
    const rows = this.stmt.search.all({ me: userId, q, before: beforeId ?? Number.MAX_SAFE_INTEGER, limit });
    return rows.reverse();
  }

  async presenceVersion(digest: string): Promise<number> {
    if (digest !== this.presenceDigest) {
      if (this.presenceDigest !== null) {
        this.version++;
        this.listener?.presence(this.version);
      }
      this.presenceDigest = digest;
    }
    return this.version;
  }

  knownPresenceVersion(): number {
    return this.version;
  }

  async listen(listener: SyncListener): Promise<void> {
    this.listener = listener;
  }

  async close(): Promise<void> {
    this.listener = null;
  }
}
