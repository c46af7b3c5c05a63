// What the kernel still holds of a connection's replies, on Linux: the bytes
// sent that the peer has not acknowledged, from /proc/net/tcp and tcp6.
//
// A peer that reads slowly frees room in the kernel's send buffer only a little
// at a time, and the kernel lets the server write again only once about a third
// of that buffer (up to megabytes) is free: seen from the process, a slow reader
// can make no progress for minutes. The acknowledged bytes show it.

import { readFileSync } from 'node:fs';
import net from 'node:net';

/** The longest one reading of the tables serves every connection that asks. */
const MAX_CACHE_MS = 1000;

let table: Map<string, number> | null = null;
let readAt = 0;
let unavailable = process.platform !== 'linux';

/**
 * Bytes the kernel has sent on this TCP connection that its peer has not yet
 * acknowledged, or null where that cannot be known (not Linux, closed, unknown
 * address form). The tables are read again when the last reading is older than
 * `maxAgeMs` (at most a second).
 */
export function unackedBytes(socket: net.Socket, maxAgeMs: number): number | null {
  if (unavailable) return null;
  const key = connectionKey(socket);
  if (!key) return null;
  const now = Date.now();
  if (!table || now - readAt > Math.min(maxAgeMs, MAX_CACHE_MS)) {
    table = readTables();
    readAt = now;
    if (!table) return null;
  }
  return table.get(key) ?? null;
}

function readTables(): Map<string, number> | null {
  const out = new Map<string, number>();
  let found = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    found = true;
    for (const line of text.split('\n')) {
      // "  0: 0100007F:22B9 0100007F:D4C2 01 00000000:00000000 ..."
      const f = line.trim().split(/\s+/);
      if (f.length < 5 || !f[0]!.endsWith(':')) continue;
      const tx = parseInt(f[4]!.split(':')[0]!, 16);
      if (Number.isFinite(tx)) out.set(`${f[1]} ${f[2]}`, tx);
    }
  }
  if (!found) unavailable = true;
  return found ? out : null;
}

/** The connection's addresses as the tables write them: addresses in host byte order, ports big-endian. */
function connectionKey(socket: net.Socket): string | null {
  const local = procAddress(socket.localAddress, socket.localPort);
  const remote = procAddress(socket.remoteAddress, socket.remotePort);
  return local && remote ? `${local} ${remote}` : null;
}

function procAddress(address: string | undefined, port: number | undefined): string | null {
  if (!address || port === undefined) return null;
  const bytes = net.isIPv4(address) ? ipv4Bytes(address) : net.isIPv6(address) ? ipv6Bytes(address) : null;
  if (!bytes) return null;
  let hex = '';
  // Each 32-bit word of the address is written as a little-endian number.
  for (let w = 0; w < bytes.length; w += 4) {
    for (let b = 3; b >= 0; b--) hex += bytes[w + b]!.toString(16).padStart(2, '0');
  }
  return `${hex.toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv6Bytes(address: string): number[] | null {
  let s = address.split('%')[0]!;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    tail.push(...ipv4Bytes(dotted[1]!));
    s = s.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  const bytes = groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}
