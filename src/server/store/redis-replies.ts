// Turning what the Redis store's scripts and client answer into what the
// Store interface returns: accounts, message bodies, and the one-line error
// for a Redis that is away.

import type { Message, UserProfile } from '../../protocol.js';
import { messageInWireOrder } from './common.js';
import { answerLost } from './redis-connect.js';

/** A script's reply as ioredis hands it over. */
export type Reply = string | number | null | Reply[];

/** ioredis's ways of saying Redis is away, as one short line (the original kept as `cause`). */
export function unavailable(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  let why: string | null = null;
  if (err.name === 'MaxRetriesPerRequestError') why = 'no connection';
  else if (err.message === 'Command timed out') why = 'command timed out';
  else if (answerLost(err)) why = 'connection closed';
  return why === null ? err : new Error(`Redis is unavailable: ${why}`, { cause: err });
}

/** Accounts from a script's flat [id, account JSON, ...] reply. */
export function accounts(flat: string[]): { id: number; profile: UserProfile }[] {
  const out: { id: number; profile: UserProfile }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [username, nama, negara] = JSON.parse(flat[i + 1]!) as [string, string, string];
    out.push({ id: Number(flat[i]), profile: { username, nama, negara } });
  }
  return out;
}

/** Message bodies from a script, as Message objects in the protocol's field order. */
export function parseBodies(reply: Reply): Message[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((body) => messageInWireOrder(JSON.parse(String(body)) as Message));
}
