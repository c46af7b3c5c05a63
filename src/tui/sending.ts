// Our own messages on their way, for both terminal clients: shown (or
// printed) at once, sent on the link's connection when it is up, queued in
// the outbox while it is down and sent in order on reconnect, each once.
// Each change is reported as a send action; a message the server accepted
// carries the server's copy (its id and time) when the server can say which
// one it is, so the view matches it by id, never by text.

import { ChatError, type ChatClient } from '../client.js';
import { Errors, trimBlanks, type Message } from '../protocol.js';
import { Outbox, type Outgoing } from './outbox.js';
import type { Action } from './state.js';

/** Why a message sent on a connection that then closed is not sent again. */
export const MAYBE_ARRIVED = 'connection lost before the server confirmed it (it may have arrived)';

/** What sending needs from the link around it. */
export interface SendingHooks {
  dispatch(a: Action): void;
  /** The connection and token, when logged in and connected. */
  main(): { client: ChatClient; token: string } | null;
  /** The server forgot the session (log in again). */
  sessionLost(): void;
  /** Our username when the server's copy of each message sent is to be looked up (it has `history`), else null. */
  lookUpAs?(): string | null;
  /** A message was accepted (`err` undefined) or refused or lost on its way. */
  settled?(out: Outgoing, err?: unknown): void;
}

/** Ids of our messages already matched, so two of the same text are never taken for one. */
const CLAIMS_KEPT = 1000;

/** Sends, retries and the offline queue. */
export class Sending {
  private seq = 0;
  readonly outbox: Outbox;
  private readonly claimed = new Set<number>();

  constructor(
    private readonly hooks: SendingHooks,
    queueMaxAgeMs: number,
  ) {
    this.outbox = new Outbox(queueMaxAgeMs, (a) => hooks.dispatch(a));
  }

  /**
   * Shows the message and sends it now (`online`: after what waits in the
   * queue) or once connected; returns its local key. `input` is what was
   * typed (null: not typed in the compose box).
   */
  send(peer: string, text: string, input: string | null | undefined, online: boolean): string {
    const key = `l${++this.seq}`;
    const from = input === null ? {} : { fromCompose: true, input: input ?? text };
    this.hooks.dispatch({ type: 'send/start', peer, key, text, ts: Date.now(), queued: !online, ...from });
    this.go({ peer, key, text, queuedAt: Date.now() }, online);
    return key;
  }

  /** Sends a failed message again. */
  retry(peer: string, key: string, text: string, online: boolean): void {
    this.hooks.dispatch({ type: 'send/status', peer, key, status: online ? 'sending' : 'queued' });
    this.go({ peer, key, text, queuedAt: Date.now() }, online);
  }

  private go(out: Outgoing, online: boolean): void {
    if (!online) return this.outbox.add(out);
    // Never ahead of what was typed before it.
    if (this.outbox.size > 0) this.flush();
    this.deliver(out);
  }

  /** Sends what waited in the queue, oldest first (what waited too long is given up). */
  flush(): void {
    this.outbox.expire(Date.now());
    for (const out of this.outbox.drain()) {
      this.hooks.dispatch({ type: 'send/status', peer: out.peer, key: out.key, status: 'sending' });
      this.deliver(out);
    }
  }

  private deliver(out: Outgoing): void {
    const main = this.hooks.main();
    if (!main) return this.outbox.queue(out);
    const sent = main.client.send(main.token, out.peer, out.text);
    // Asked right behind the send on the same connection, which the server answers in order:
    // the newest of our messages to the peer is the one just stored.
    const me = this.hooks.lookUpAs?.() ?? null;
    const copy = me === null ? Promise.resolve(null) : main.client.history(main.token, out.peer, undefined, 20).catch(() => null);
    sent.then(
      async () => {
        const message = me === null ? undefined : this.claim(await copy, me, out.text);
        this.hooks.dispatch({ type: 'send/status', peer: out.peer, key: out.key, status: 'sent', ...(message ? { message } : {}) });
        this.hooks.settled?.(out);
      },
      (err: unknown) => {
        if (err instanceof ChatError && err.code === Errors.noSession) {
          // Not accepted, so safe to send again once logged in.
          this.outbox.queue(out);
          this.hooks.sessionLost();
          return;
        }
        const error = err instanceof ChatError ? err.code : MAYBE_ARRIVED;
        this.hooks.dispatch({ type: 'send/status', peer: out.peer, key: out.key, status: 'failed', error });
        this.hooks.settled?.(out, err);
      },
    );
  }

  /** The newest message of ours with this text in `page` not matched before, now matched. */
  private claim(page: Message[] | null, me: string, text: string): Message | undefined {
    if (!Array.isArray(page)) return undefined;
    // As the server stores it: one line, blanks around it removed.
    const stored = trimBlanks(text.replace(/\r?\n/g, ' '));
    for (let i = page.length - 1; i >= 0; i--) {
      const m = page[i];
      if (!m || m.sender !== me || m.msg !== stored || typeof m.id !== 'number' || this.claimed.has(m.id)) continue;
      this.claimed.add(m.id);
      if (this.claimed.size > CLAIMS_KEPT) this.claimed.delete(this.claimed.values().next().value!);
      return m;
    }
    return undefined;
  }
}
