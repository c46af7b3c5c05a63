// Our own messages on their way: shown at once, sent on the session's
// connection when it is up, queued in the outbox while it is down and sent
// in order on reconnect. Each change is reported as a send action.

import { ChatError, type ChatClient } from '../client.js';
import { Errors } from '../protocol.js';
import { Outbox, type Outgoing } from './outbox.js';
import type { Action } from './state.js';

/** What sending needs from the session. */
export interface SendingHooks {
  dispatch(a: Action): void;
  /** The connection and token, when logged in and connected. */
  main(): { client: ChatClient; token: string } | null;
  /** The server forgot the session (log in again). */
  sessionLost(): void;
}

/** Sends, retries and the offline queue. */
export class Sending {
  private seq = 0;
  readonly outbox: Outbox;

  constructor(
    private readonly hooks: SendingHooks,
    queueMaxAgeMs: number,
  ) {
    this.outbox = new Outbox(queueMaxAgeMs, (a) => hooks.dispatch(a));
  }

  /** Shows the message and sends it now (`online`) or once connected; returns its local key. */
  send(peer: string, text: string, input: string | null | undefined, online: boolean): string {
    const key = `l${++this.seq}`;
    const from = input === null ? {} : { fromCompose: true, input: input ?? text };
    this.hooks.dispatch({ type: 'send/start', peer, key, text, ts: Date.now(), queued: !online, ...from });
    const out = { peer, key, text, queuedAt: Date.now() };
    if (online) this.deliver(out);
    else this.outbox.add(out);
    return key;
  }

  /** Sends a failed message again. */
  retry(peer: string, key: string, text: string, online: boolean): void {
    const out = { peer, key, text, queuedAt: Date.now() };
    this.hooks.dispatch({ type: 'send/status', peer, key, status: online ? 'sending' : 'queued' });
    if (online) this.deliver(out);
    else this.outbox.add(out);
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
    main.client.send(main.token, out.peer, out.text).then(
      () => this.hooks.dispatch({ type: 'send/status', peer: out.peer, key: out.key, status: 'sent' }),
      (err: unknown) => {
        if (err instanceof ChatError && err.code === Errors.noSession) {
          // Not accepted, so safe to send again once logged in.
          this.outbox.queue(out);
          this.hooks.sessionLost();
          return;
        }
        const error = err instanceof ChatError ? err.code : 'connection lost before the server confirmed it (it may have arrived)';
        this.hooks.dispatch({ type: 'send/status', peer: out.peer, key: out.key, status: 'failed', error });
      },
    );
  }
}
