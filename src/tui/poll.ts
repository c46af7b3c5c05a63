// One poll of the server: `online`, the acknowledged inbox and (sometimes)
// the directory, pipelined on one connection and all settled before it
// returns, so polls never overlap. Also: a history page, short reasons for
// the status line, and the wait between reconnect attempts.

import { ChatError, ConnectionError, type ChatClient, type Inbox } from '../client.js';
import { Errors, type DirectoryEntry, type Message, type OnlineEntry } from '../protocol.js';
import type { Action } from './state.js';

/** What the server supports beyond the original protocol (learned by asking). */
export interface ServerSupport {
  ack: boolean;
  users: boolean;
  history: boolean;
  /** Live sync (`sync`, `read`, versioned `online`); polling `online`/`inbox` without it. */
  sync: boolean;
}

/** The poll's result as a reducer action, and the highest message id it brought. */
export interface PollResult {
  action: Extract<Action, { type: 'poll' }>;
  highestId: number;
}

/**
 * Polls once. Throws the first error other than `Protocol Tidak Benar` to a
 * `users` or acknowledged `inbox` (an original server knows neither: `support`
 * is updated so the next poll does without).
 */
export async function pollOnce(client: ChatClient, token: string, ackId: number, support: ServerSupport, wantUsers: boolean, now: number): Promise<PollResult> {
  const [online, inbox, users] = await Promise.allSettled([
    client.online(token),
    support.ack ? client.inbox(token, ackId) : client.inbox(token),
    wantUsers ? client.users(token) : Promise.resolve(undefined),
  ]);
  for (const r of [online, inbox, users]) {
    if (r.status === 'rejected' && !(r.reason instanceof ChatError && r.reason.code === Errors.badProtocol)) throw r.reason;
  }
  if (online.status === 'rejected') throw online.reason;
  if (users.status === 'rejected') support.users = false;
  if (inbox.status === 'rejected') support.ack = false;
  const action: PollResult['action'] = { type: 'poll', online: online.value as OnlineEntry[], now };
  let highestId = 0;
  if (inbox.status === 'fulfilled') {
    action.inbox = inbox.value as Inbox;
    for (const list of Object.values(action.inbox)) {
      if (!Array.isArray(list)) continue;
      for (const m of list) if (typeof m.id === 'number' && Number.isSafeInteger(m.id) && m.id > highestId) highestId = m.id;
    }
  }
  if (users.status === 'fulfilled' && users.value) action.users = users.value as DirectoryEntry[];
  return { action, highestId };
}

/** A short reason for the status line. */
export function shortReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT') return 'timed out';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ECONNRESET') return 'connection reset';
  if (err instanceof ChatError) return err.code;
  if (err instanceof ConnectionError && /closed/.test(err.message)) return 'connection lost';
  return err instanceof Error ? err.message : String(err);
}

/** A history page as the session hands it on: the page, none to be had, or why it failed. */
export type HistoryResult = { messages: Message[]; complete: boolean } | { failed: 'sessionLost' | 'other' };

/**
 * One page of history with `peer`. An original server has no history and a
 * user that does not exist has none either: both come back as an empty,
 * complete page (`support` learns the first).
 */
export async function historyPage(client: ChatClient, token: string, peer: string, beforeId: number | undefined, page: number, support: ServerSupport): Promise<HistoryResult> {
  try {
    const messages = await client.history(token, peer, beforeId, page);
    return { messages, complete: messages.length < page };
  } catch (err) {
    if (err instanceof ChatError && (err.code === Errors.badProtocol || err.code === Errors.noDestination)) {
      if (err.code === Errors.badProtocol) support.history = false;
      return { messages: [], complete: true };
    }
    return { failed: err instanceof ChatError && err.code === Errors.noSession ? 'sessionLost' : 'other' };
  }
}
