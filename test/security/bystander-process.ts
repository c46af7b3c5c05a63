// The bystander of the attack tests, run as a child process (see support.ts):
// logs in, then uses the server one request at a time until told to stop,
// and sends back how many requests it made, which failed and the slowest.

import { ChatClient } from '../../src/client.js';

interface Start {
  port: number;
  user: string;
  localAddress: string;
  ca?: string;
}

const send = (m: unknown): void => void process.send!(m);

process.once('message', (start: Start) => {
  void run(start);
});

async function run(start: Start): Promise<void> {
  let client: ChatClient;
  let token: string;
  try {
    client = await ChatClient.connect({
      port: start.port,
      localAddress: start.localAddress,
      requestTimeoutMs: 20_000,
      ...(start.ca ? { tls: true, ca: start.ca } : {}),
    });
    token = await client.auth(start.user, 'surabaya');
  } catch (err) {
    send({ error: (err as Error).message });
    process.exit(1);
  }
  let running = true;
  process.on('message', (m) => {
    if (m === 'stop') running = false;
  });
  send({ ready: true });
  const report = { requests: 0, failures: [] as string[], maxMs: 0 };
  for (let i = 0; running; i++) {
    const started = performance.now();
    try {
      if (i % 3 === 0) await client.online(token);
      else if (i % 3 === 1) await client.send(token, start.user, `note ${i}`);
      else await client.inbox(token);
      report.requests++;
      report.maxMs = Math.max(report.maxMs, performance.now() - started);
    } catch (err) {
      report.failures.push((err as Error).message);
      if (!client.connected) break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  // Wait for the stop even if the connection broke, so the report comes when asked for.
  while (running) await new Promise((r) => setTimeout(r, 20));
  client.destroy();
  send(report);
  process.disconnect();
}
