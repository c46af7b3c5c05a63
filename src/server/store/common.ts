// What both stores share: how a token is kept, how often a session's use is
// written, and the protocol's field order of a message object.

import { createHash } from 'node:crypto';
import type { Message } from '../../protocol.js';
import type { SessionPolicy } from './types.js';

/** Sessions are kept by the SHA-256 of their token: a copy of the data holds no usable session. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A session's use moves its times by at least this much before it is written (ms). */
const SESSION_WRITE_SLACK_MS = 1000;

/**
 * How far a session's times may lag before a use is written: 1 s, or a tenth of
 * a short lifetime or presence window, so a session in steady use never expires.
 */
export function sessionWriteSlack(policy: SessionPolicy): number {
  return Math.min(SESSION_WRITE_SLACK_MS, Math.floor(Math.min(policy.idleLifetimeMs, policy.presenceWindowMs) / 10));
}

/** A message object with its fields in the protocol's order, whatever order `m` has them in. */
export function messageInWireOrder(m: Message): Message {
  return { msg_from: m.msg_from, msg_to: m.msg_to, msg: m.msg, id: m.id, sender: m.sender, recipient: m.recipient, ts: m.ts };
}
