// The session behind `chatbox cli`: one command line at a time, run on the
// Link the full-screen client uses too, printed as the original ChatBox
// client printed it (every string from the server made harmless). At a
// terminal, a message sent while the server cannot be reached is queued and
// sent once the connection is back; a line says what became of it.

import { ChatError, ConnectionError, type ChatClient, type ConnectOptions } from '../client.js';
import { toWireJson, trimBlanks } from '../protocol.js';
import { CONNECT_USAGE } from './options.js';
import { Link } from './link.js';
import { escapeJsonForTerminal, sanitizeLine } from './sanitize.js';
import { MAYBE_ARRIVED } from './sending.js';
import type { Action } from './state.js';

/** How long a message sent while the server cannot be reached may wait for it. */
const QUEUE_MAX_AGE_MS = 10 * 60_000;

/** What `chatbox cli --help` and its `help` command print. */
export const LINE_MODE_USAGE = `Usage: chatbox cli [options]

The line-mode client of the original ChatBox. Commands:
  auth <username> <password>   log in
  send <username> <message>    send a message (at a terminal, one sent while the
                               server cannot be reached waits and goes out, once,
                               when the connection is back)
  inbox                        messages waiting for you (JSON)
  online                       who is online (JSON)
  users                        everyone, with online flags (JSON)
  history <username> [n]       the last n messages with someone (JSON)
  logout                       log out
Ctrl+C or the end of input logs out. With a pipe, no prompt is shown.

Options:
${CONNECT_USAGE}
  -h, --help       show this help
`;

const COMMANDS = 'auth, send, inbox, online, users, history, logout, help';

/** JSON of a server value, printable on a terminal (every control escaped). */
function json(value: unknown): string {
  return escapeJsonForTerminal(toWireJson(value));
}

function errorLine(err: unknown): string {
  if (err instanceof ChatError) return `Error, ${sanitizeLine(err.code)}`;
  return `Error, ${sanitizeLine(err instanceof Error ? err.message : String(err))}`;
}

/** What one command line came to: a line to print (or nothing), or the connection failing under it. */
export type RunResult = { print: string | null } | { lost: string };

/** How a `send` waited for ends: accepted, queued until the connection is back, refused, or lost on its way. */
type SendEnd = { sent: true } | { queued: true } | { error: string } | { lost: ConnectionError };

/**
 * One line-mode session on the Link the full-screen client uses too: a
 * connection (reopened when lost), the token and, when `notify` is given (a
 * person at a terminal), the send queue: a message sent while the server
 * cannot be reached waits and goes out once the connection is back, each
 * once, in order, and `notify` prints what became of it.
 */
export class LineModeSession {
  private readonly link: Link;
  /** Whether the server has answered anything on this connection. */
  private answered = false;
  /** Whether the command being run got a connection (so a failure is a connection lost, not refused). */
  private reached = false;
  /** The `send` waiting for its end, by local key. */
  private readonly waiting = new Map<string, (end: SendEnd) => void>();

  constructor(
    private readonly connect: ConnectOptions,
    private readonly notify: ((line: string) => void) | null = null,
  ) {
    this.link = new Link(
      { connect, requestTimeoutMs: 30_000, queueMaxAgeMs: QUEUE_MAX_AGE_MS },
      {
        dispatch: (a) => this.onSendAction(a),
        settled: (out, err) => {
          if (err instanceof ConnectionError) this.end(out.key, { lost: err });
        },
      },
    );
  }

  private get rc(): Link['rc'] {
    return this.link.rc;
  }

  /** Messages waiting for the connection. */
  get queued(): number {
    return this.link.sending.outbox.size;
  }

  /** The token of this session ('' when logged out). */
  get token(): string {
    return this.rc.token ?? '';
  }

  /** Opens the connection now, so a wrong address fails before the first command. */
  async open(): Promise<void> {
    await this.conn();
  }

  private async conn(): Promise<ChatClient> {
    const before = this.rc.client;
    const client = await this.rc.connection();
    if (client !== before) this.answered = false;
    this.reached = true;
    return client;
  }

  private end(key: string, end: SendEnd): void {
    const resolve = this.waiting.get(key);
    if (!resolve) return;
    this.waiting.delete(key);
    resolve(end);
  }

  /** What became of a message: the `send` waiting for it ends, or, for one that was queued, a line says it. */
  private onSendAction(a: Action): void {
    if (a.type !== 'send/status') return;
    if (this.waiting.has(a.key)) {
      if (a.status === 'sent') this.end(a.key, { sent: true });
      // A message lost on its way ends through `settled`, with the connection's error.
      else if (a.status === 'failed' && a.error !== MAYBE_ARRIVED) this.end(a.key, { error: a.error ?? 'failed' });
      // Interactive: the prompt comes back; a script waits for the message to go out.
      else if (a.status === 'queued' && this.notify) this.end(a.key, { queued: true });
      return;
    }
    if (a.status === 'sent') this.notify?.(`message sent to ${sanitizeLine(a.peer)}`);
    else if (a.status === 'failed') {
      const error = sanitizeLine(a.error ?? 'failed');
      this.notify?.(`Error, message to ${sanitizeLine(a.peer)}${a.error === MAYBE_ARRIVED ? ':' : ' not sent:'} ${error}`);
    }
  }

  /** `send`: now, or (interactive) queued while the server cannot be reached. */
  private async send(peer: string, message: string): Promise<string> {
    let online = true;
    try {
      await this.conn();
      // Sends what was queued before, so this one follows it.
      await this.link.ready();
    } catch (err) {
      if (!(err instanceof ConnectionError) || !this.notify) throw err;
      online = false;
      this.link.failed(err);
    }
    const key = this.link.send(peer, message, null);
    const who = sanitizeLine(peer);
    const end: SendEnd = online ? await new Promise<SendEnd>((resolve) => this.waiting.set(key, resolve)) : { queued: true };
    if ('sent' in end) return `message sent to ${who}`;
    if ('queued' in end) {
      // Online, it was queued because the session or the connection ended under it.
      const why = online ? 'the session or the connection ended' : 'the server cannot be reached';
      return `message to ${who} queued: ${why}; it is sent once the connection is back`;
    }
    if ('lost' in end) throw end.lost;
    return `Error, ${sanitizeLine(end.error)}`;
  }

  /** Runs one command line: what to print, or why the connection failed under it. */
  async run(line: string): Promise<RunResult> {
    const trimmed = trimBlanks(line);
    if (trimmed === '') return { print: null };
    const [cmd = '', ...args] = trimmed.split(/[ \t]+/);
    this.reached = false;
    try {
      const print = await this.dispatch(cmd, args, trimmed);
      this.answered = true;
      return { print };
    } catch (err) {
      if (!(err instanceof ConnectionError)) {
        if (err instanceof ChatError) this.answered = true;
        return { print: errorLine(err) };
      }
      this.rc.drop();
      return { lost: sanitizeLine(this.reached ? this.describeLoss(err, cmd) : err.message) };
    }
  }

  /** One line on a connection that ended while `cmd` waited for its answer. */
  private describeLoss(err: ConnectionError, cmd: string): string {
    const where = this.rc.server;
    let why = err.code === 'ECONNRESET' ? 'reset' : err.code === 'ETIMEDOUT' ? 'no reply' : 'closed by the server';
    // A plain connection to a TLS server is closed before its first answer.
    if (why === 'closed by the server' && !this.answered && !this.connect.tls) why += ' before any answer; if it serves TLS, add --tls';
    const maybe = cmd === 'send' ? '; the message may or may not have arrived' : '';
    return `connection to ${where} lost during '${cmd}' (${why})${maybe}`;
  }

  private needToken(): string | null {
    return this.token ? null : 'Error, not authorized (auth <username> <password> first)';
  }

  private async dispatch(cmd: string, args: string[], line: string): Promise<string | null> {
    switch (cmd) {
      case 'auth': {
        if (args.length !== 2) return 'Error, usage: auth <username> <password>';
        await this.conn();
        // Every `auth` asks the server: a new token each time, as the original client did.
        const token = await this.rc.login(args[0]!, args[1]!, true);
        return `username ${sanitizeLine(args[0]!)} logged in, token ${sanitizeLine(token)}`;
      }
      case 'send': {
        if (args.length < 2) return 'Error, usage: send <username> <message>';
        const missing = this.needToken();
        if (missing) return missing;
        // The message is the rest of the line after the username, as typed.
        const afterCmd = trimBlanks(line.slice(cmd.length));
        return this.send(args[0]!, trimBlanks(afterCmd.slice(args[0]!.length)));
      }
      case 'inbox': {
        const missing = this.needToken();
        if (missing) return missing;
        return json(await (await this.conn()).inbox(this.token));
      }
      case 'online': {
        const missing = this.needToken();
        if (missing) return missing;
        return json(await (await this.conn()).online(this.token));
      }
      case 'users': {
        const missing = this.needToken();
        if (missing) return missing;
        return json(await (await this.conn()).users(this.token));
      }
      case 'history': {
        if (args.length < 1 || args.length > 2 || (args[1] !== undefined && !/^[0-9]+$/.test(args[1]))) {
          return 'Error, usage: history <username> [count]';
        }
        const missing = this.needToken();
        if (missing) return missing;
        const limit = args[1] === undefined ? undefined : Number(args[1]);
        return json(await (await this.conn()).history(this.token, args[0]!, undefined, limit));
      }
      case 'logout': {
        const missing = this.needToken();
        if (missing) return missing;
        await (await this.conn()).logout(this.token);
        this.rc.forgetSession();
        this.link.sending.outbox.failAll('logged out');
        return 'Logged out';
      }
      case 'help':
        return LINE_MODE_USAGE.trimEnd();
      default:
        return `Error, unknown command '${sanitizeLine(cmd)}' (commands: ${COMMANDS})`;
    }
  }

  /** Gives up what is still queued (saying so), logs out if logged in (errors ignored) and closes the connection. */
  async close(): Promise<void> {
    this.link.sending.outbox.failAll('the client quit first');
    await this.link.logout(30_000);
  }
}

