// A real TCP proxy between a store (or a server node) and redis-server, for
// tests that lose Redis replies: it forwards bytes both ways untouched and,
// when asked, lets one chosen request reach Redis, swallows the answer and
// cuts both sides of that link, as a dropped network link does.

import { createHash } from 'node:crypto';
import net from 'node:net';

/**
 * What identifies a call of a Lua script on the wire: ioredis sends its SHA-1
 * (EVALSHA), or the whole source (EVAL) the first time on each connection.
 */
export function scriptMarkers(lua: string): string[] {
  return [createHash('sha1').update(lua).digest('hex'), lua];
}

function matches(chunk: Buffer, markers: readonly string[]): boolean {
  if (markers.length === 0) return true;
  const text = chunk.toString('utf8').toLowerCase();
  return markers.some((m) => text.includes(m));
}

/** One client connection and its upstream to Redis. */
interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** Set once a chosen request went through: nothing more goes back to the client. */
  swallowing: boolean;
}

/** A cut waiting for its request. */
interface Armed {
  markers: string[];
  replyWaitMs: number;
  resolve: (cut: boolean) => void;
  timer: NodeJS.Timeout;
}

/** A proxy on 127.0.0.1, port 0, in front of one redis-server. */
export class RedisLinkProxy {
  private readonly server: net.Server;
  private readonly links = new Set<Link>();
  private armed: Armed | null = null;
  /** Links cut so far by cutAfterNext. */
  cuts = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  /** The proxy's address as a redis:// URL. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /**
   * The next chunk a client sends that contains one of `markers`
   * (case-insensitive; none given matches any chunk) is forwarded to Redis;
   * then whatever Redis answers is dropped, and both sides of that link are
   * closed as soon as an answer starts to arrive (with nothing else in
   * flight, proof that the request ran), or after `replyWaitMs`. Resolves
   * true once cut, false when no request matched within `armedMs`.
   */
  cutAfterNext(markers: readonly string[] = [], opts: { armedMs?: number; replyWaitMs?: number } = {}): Promise<boolean> {
    this.disarm();
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        if (this.armed?.timer === timer) this.armed = null;
        resolve(false);
      }, opts.armedMs ?? 2000);
      this.armed = {
        markers: markers.map((m) => m.toLowerCase()),
        replyWaitMs: opts.replyWaitMs ?? 500,
        timer,
        resolve: (cut) => {
          clearTimeout(timer);
          resolve(cut);
        },
      };
    });
  }

  private disarm(): void {
    const a = this.armed;
    this.armed = null;
    a?.resolve(false);
  }

  private onClient(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target);
    const link: Link = { client, upstream, swallowing: false };
    this.links.add(link);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (link.swallowing) return;
      upstream.write(chunk);
      const a = this.armed;
      if (a && matches(chunk, a.markers)) {
        this.armed = null;
        link.swallowing = true;
        const done = (): void => {
          clearTimeout(fallback);
          upstream.off('data', onAnswer);
          cut();
          this.cuts++;
          a.resolve(true);
        };
        // The answer arriving proves Redis ran the request; it never reaches the client.
        const onAnswer = (): void => done();
        const fallback = setTimeout(done, a.replyWaitMs);
        upstream.on('data', onAnswer);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!link.swallowing && !client.destroyed) client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        this.links.delete(link);
        cut();
      });
    }
  }

  /** While true, new links are closed as soon as they open (Redis is unreachable). */
  refusing = false;

  /** Cuts every link at once, answers in flight included. */
  cutAll(): void {
    for (const l of this.links) {
      l.client.destroy();
      l.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    this.disarm();
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
