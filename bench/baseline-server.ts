// The floor of any Node server on this machine: a bare TCP server with the
// protocol's framing (the same LineDecoder) that answers every request line
// with one fixed small reply. No store, no parsing, no limits.
//
// node dist/bench/baseline-server.js [--port N] [--host H]
// Prints `listening on HOST:PORT` once ready; stops on SIGTERM/SIGINT.

import net from 'node:net';
import { LineDecoder, REPLY_TERMINATOR } from '../src/protocol.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

// --pad N makes the reply N bytes longer: to see what reply size alone costs.
const pad = Number(flag('--pad', '0'));
const REPLY = Buffer.from(`{"status": "OK", "message": "Message Sent${' '.repeat(pad)}"}` + REPLY_TERMINATOR);

const sockets = new Set<net.Socket>();
const server = net.createServer((socket) => {
  sockets.add(socket);
  socket.setNoDelay(true);
  const decoder = new LineDecoder();
  socket.on('data', (chunk: Buffer) => {
    const { lines, overflow } = decoder.push(chunk);
    if (overflow) {
      socket.destroy();
      return;
    }
    // One write per chunk: pipelined lines get their replies together.
    if (lines.length === 1) socket.write(REPLY);
    else if (lines.length > 1) socket.write(Buffer.concat(lines.map(() => REPLY)));
  });
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
});

server.listen({ host: flag('--host', '127.0.0.1'), port: Number(flag('--port', '0')), backlog: 4096 }, () => {
  const addr = server.address() as net.AddressInfo;
  process.stdout.write(`listening on ${addr.address}:${addr.port}\n`);
});

const stop = (): void => {
  server.close();
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
