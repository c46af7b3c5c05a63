// The newest message the client has seen, kept to tell, after the server
// forgot our session, whether it still has the messages we saw or came back
// with a new database (whose message ids start over from 1).

import { ConnectionError, type ChatClient } from '../client.js';
import type { Message } from '../protocol.js';

/** The newest message seen, by id, and the conversation it belongs to. */
export class MessageAnchor {
  private newest: { peer: string; id: number; ts: unknown } | null = null;

  /** Takes note of messages exchanged with `peer` (an inbox group or a history page). */
  remember(peer: string, messages: readonly Message[]): void {
    for (const m of Array.isArray(messages) ? messages : []) {
      if (typeof m.id === 'number' && Number.isSafeInteger(m.id) && m.id > (this.newest?.id ?? 0)) {
        this.newest = { peer, id: m.id, ts: m.ts };
      }
    }
  }

  /** Forgets everything seen (the server's ids start over). */
  clear(): void {
    this.newest = null;
  }

  /**
   * Whether the server still has the newest message seen, as it was (true
   * when nothing was seen). Asks for that one message by history; any answer
   * but the message itself counts as gone. Connection failures are thrown.
   */
  async stillThere(client: ChatClient, token: string): Promise<boolean> {
    const a = this.newest;
    if (!a) return true;
    try {
      const page = await client.history(token, a.peer, a.id + 1, 1);
      return page.length === 1 && page[0]!.id === a.id && page[0]!.ts === a.ts;
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
      return false;
    }
  }
}
