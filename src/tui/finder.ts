// Finding messages: a search on the server, and loading a conversation back
// to a found message so it shows in place with everything after it.

import { ChatError, type ChatClient } from '../client.js';
import { Errors, type Message } from '../protocol.js';
import { shortReason, type HistoryResult } from './poll.js';

/** What a search brought: messages, a server without search, or why it failed. */
export type SearchOutcome = { messages: Message[] } | { unsupported: true } | { failed: string };

/** One search (`sessionLost`: the server forgot the session). */
export async function searchOnce(client: ChatClient, token: string, words: string, limit: number): Promise<SearchOutcome | 'sessionLost'> {
  try {
    return { messages: await client.search(token, words, limit) };
  } catch (err) {
    if (err instanceof ChatError && err.code === Errors.badProtocol) return { unsupported: true };
    if (err instanceof ChatError && err.code === Errors.noSession) return 'sessionLost';
    return { failed: shortReason(err) };
  }
}

/** Most history pages read to reach a found message. */
const MAX_PAGES = 20;

/**
 * Reads history pages from the newest back (`fetch(before)`), handing each
 * to `onPage`, until one holds the message `id`, the history ends, or
 * MAX_PAGES were read. Paging from the newest leaves no gap between the
 * message and the messages after it. Whether the message was reached.
 */
export async function pagesBackTo(
  id: number,
  fetch: (before: number | undefined) => Promise<HistoryResult>,
  onPage: (page: { messages: Message[]; complete: boolean }) => void,
): Promise<boolean> {
  let before: number | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const r = await fetch(before);
    if ('failed' in r) return false;
    onPage(r);
    if (r.messages.some((m) => m.id === id)) return true;
    const oldest = r.messages[0]?.id;
    if (r.complete || typeof oldest !== 'number' || oldest < id) return false;
    before = oldest;
  }
  return false;
}
