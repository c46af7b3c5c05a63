// A real TCP proxy between a client and a ChatBox server, for tests that
// need to watch the requests a client pipelines or lose a reply on the way:
// it counts requests still waiting for their reply, per command word, can
// cut a connection right after forwarding a chosen request, can rewrite
// request lines on their way, and can take the link down (every connection
// cut, new ones refused) and bring it back on the same port.

import net from 'node:net';

/** A proxy on 127.0.0.1, port 0, in front of `target`. */
export class TestProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Most requests of each command word ever waiting for replies at once on one connection. */
  readonly maxInFlight = new Map<string, number>();
  /** Every request line forwarded, in order. */
  readonly lines: string[] = [];
  /** When set, the next request line it matches is forwarded and then the connection is cut. */
  cutAfter: ((line: string) => boolean) | null = null;
  /** When set, each request line is replaced by what it returns before it is forwarded. */
  rewrite: ((line: string) => string) | null = null;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** The link goes down: every connection is cut and new ones are refused (nothing listens) until `up`. */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropAll();
    await closed;
  }

  /** The link is back, on the same port. */
  async up(): Promise<void> {
    await this.listen();
  }

  private onClient(client: net.Socket): void {
    const upstream = net.connect(this.target);
    this.sockets.add(client).add(upstream);
    const waiting: string[] = [];
    let fromClient = '';
    let fromServer = '';
    // Set once a chosen request has gone through: nothing more reaches the client, its reply included.
    let cutting = false;
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      fromClient += chunk.toString('latin1');
      let nl: number;
      while ((nl = fromClient.indexOf('\n')) !== -1) {
        let raw = fromClient.slice(0, nl + 1);
        fromClient = fromClient.slice(nl + 1);
        let line = Buffer.from(raw, 'latin1').toString('utf8').trimEnd();
        if (this.rewrite) {
          line = this.rewrite(line);
          raw = Buffer.from(line + '\r\n', 'utf8').toString('latin1');
        }
        const word = line.split(' ')[0] ?? '';
        waiting.push(word);
        const now = waiting.filter((w) => w === word).length;
        this.maxInFlight.set(word, Math.max(this.maxInFlight.get(word) ?? 0, now));
        this.lines.push(line);
        upstream.write(Buffer.from(raw, 'latin1'));
        if (this.cutAfter?.(line)) {
          this.cutAfter = null;
          cutting = true;
          // Let the request reach the server, then drop the connection before its reply.
          setTimeout(cut, 20);
          return;
        }
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer += chunk.toString('latin1');
      let end: number;
      while ((end = fromServer.indexOf('\r\n\r\n')) !== -1) {
        fromServer = fromServer.slice(end + 4);
        waiting.shift();
      }
      if (!client.destroyed && !cutting) client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        cut();
      });
    }
  }

  /** Cuts every connection going through the proxy. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
