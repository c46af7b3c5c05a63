// Peers with a small TCP receive buffer and an Ethernet-sized segment, which
// Node cannot set on a socket: Python opens them. On loopback a peer's kernel
// would otherwise take megabytes of replies it never reads, and a slow reader's
// progress would show only in steps of megabytes.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Why the Python peers cannot run here, or false. */
export function pythonSkip(): string | false {
  const r = spawnSync('python3', ['-c', 'import socket; socket.TCP_MAXSEG'], { stdio: 'ignore' });
  return r.status === 0 ? false : 'python3 is not installed';
}

const COMMON = `
import json, selectors, socket, sys, time
def peer(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1460)
    s.connect(('127.0.0.1', port))
    return s
`;

/**
 * Sends `requests` pipelined on one connection (TLS when given a CA file), then
 * every `everyMs` reads up to `stepBytes` (0: never reads) for `forMs`; reports
 * what it read and whether the server closed the connection.
 */
const SLOW_READER = `${COMMON}
import ssl
port, requests, step, every, dur = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000, float(sys.argv[5]) / 1000
s = peer(port)
if len(sys.argv) > 6:
    s = ssl.create_default_context(cafile=sys.argv[6]).wrap_socket(s, server_hostname='127.0.0.1')
s.sendall(requests.encode())
start = time.time(); total = 0; closed = False
s.settimeout(0.2)
while not closed and time.time() - start < dur:
    time.sleep(every)
    got = 0
    while got < step:
        try:
            d = s.recv(step - got)
        except socket.timeout:
            break
        except (ConnectionResetError, ssl.SSLError):
            d = b''
        if not d:
            closed = True
            break
        got += len(d)
    total += got
print(json.dumps({'read': total, 'closed': closed, 'ms': int((time.time() - start) * 1000)}), flush=True)
`;

/** What a slow reader saw. */
export interface SlowReaderReport {
  read: number;
  closed: boolean;
  ms: number;
}

/** Runs one slow reader to the end; over TLS when given the path of a CA to trust. */
export function slowReader(
  port: number,
  requests: string,
  stepBytes: number,
  everyMs: number,
  forMs: number,
  caPath?: string,
): Promise<SlowReaderReport> {
  const args = [String(port), requests, String(stepBytes), String(everyMs), String(forMs), ...(caPath ? [caPath] : [])];
  const child = spawn('python3', ['-c', SLOW_READER, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as SlowReaderReport) : reject(new Error(`slow reader exited with ${code}`))));
  });
}

/**
 * `count` connections, each sending `requests` pipelined and reading nothing until
 * told to; then each reads until it has `replies` replies (or the server closes it).
 */
const NON_READERS = `${COMMON}
port, count, requests, replies = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
socks = []
for i in range(count):
    s = peer(port)
    s.sendall(requests.encode())
    socks.append(s)
print(json.dumps({'ready': True}), flush=True)
sys.stdin.readline()
sel = selectors.DefaultSelector()
state = {}
for s in socks:
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    state[s] = [0, b'']
open_ = len(socks)
deadline = time.time() + 60
while open_ and time.time() < deadline:
    for key, _ in sel.select(1):
        s = key.fileobj
        try:
            d = s.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            continue
        except ConnectionResetError:
            d = b''
        st = state[s]
        if d:
            buf = st[1] + d
            st[0] += buf.count(b'\\r\\n\\r\\n')
            st[1] = buf[-3:]
        if not d or st[0] >= replies:
            sel.unregister(s)
            open_ -= 1
print(json.dumps({'replies': [state[s][0] for s in socks]}), flush=True)
`;

/** Connections that pipeline requests and read nothing until `read()`. */
export class NonReaders {
  private out = '';
  private waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Opens them all and sends the requests; resolves once every connection is open and has sent. */
  static async start(port: number, count: number, requests: string, replies: number): Promise<NonReaders> {
    const child = spawn('python3', ['-c', NON_READERS, String(port), String(count), requests, String(replies)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const peers = new NonReaders(child);
    await peers.line('ready');
    return peers;
  }

  /** Starts reading; resolves with how many replies each connection got. */
  async read(): Promise<number[]> {
    this.child.stdin!.write('read\n');
    return ((await this.line('replies')) as { replies: number[] }).replies;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private async line(key: string): Promise<Record<string, unknown>> {
    for (;;) {
      for (const l of this.out.split('\n')) {
        if (!l) continue;
        const m = JSON.parse(l) as Record<string, unknown>;
        if (key in m) return m;
      }
      if (this.child.exitCode !== null) throw new Error(`python peers exited with ${this.child.exitCode}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
