// `chatbox cli`: the original ChatBox "Input CLI". A `Command <token>`
// prompt takes `auth <user> <pass>`, `send <user> <message>`, `inbox`,
// `online`, `logout` and prints what the original client printed. Lines are
// handled one at a time, in order, so it also runs scripts from a pipe
// (without prompts). Ctrl+C or the end of input logs out. Every string from
// the server is made harmless before it is printed. It shares the full-screen
// client's Link: at a terminal, a message sent while the server cannot be
// reached is queued and sent once the connection is back.

import { clearScreenDown, createInterface, cursorTo, moveCursor, type Interface } from 'node:readline';
import { fatal, parseFlags } from '../args.js';
import { LINE_MODE_USAGE, LineModeSession } from './line-session.js';
import { CONNECT_FLAGS, connectOptionsFrom } from './options.js';

export { LineModeSession, type RunResult } from './line-session.js';

/** Entry point of `chatbox cli`. */
export async function lineModeCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...CONNECT_FLAGS, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(LINE_MODE_USAGE);
    return 0;
  }
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  let rl: Interface | null = null;
  // While a command runs its output follows it; otherwise a line about a queued message goes above the prompt.
  let busy = false;
  const notify = (line: string): void => {
    if (busy || !rl) return void process.stdout.write(line + '\n');
    const rows = rl.getCursorPos().rows;
    moveCursor(process.stdout, 0, -rows);
    cursorTo(process.stdout, 0);
    clearScreenDown(process.stdout);
    // The prompt is drawn again below the line, with what was typed so far.
    process.stdout.write(line + '\n' + '\n'.repeat(rows));
    rl.setPrompt(`Command ${session.token}\n↳ `);
    rl.prompt(true);
  };
  const session = new LineModeSession(connectOptionsFrom(values), interactive ? notify : null);
  try {
    await session.open();
  } catch (err) {
    throw fatal(err instanceof Error ? err.message : String(err));
  }
  const lines = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  rl = interactive ? lines : null;
  const prompt = (): void => {
    if (!interactive) return;
    lines.setPrompt(`Command ${session.token}\n↳ `);
    lines.prompt();
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= session.close();
    return stopping;
  };
  const onInterrupt = (): void => {
    if (interactive) process.stdout.write('\n');
    void stop().then(() => {
      lines.close();
      process.exit(0);
    });
  };
  lines.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  prompt();
  let status = 0;
  // One line at a time, in order: the next is read only when this one is answered.
  for await (const line of lines) {
    busy = true;
    const result = await session.run(line);
    busy = false;
    if ('lost' in result) {
      // A script must not carry on as if its commands had worked; a person can try again.
      if (!interactive) {
        process.stderr.write(`chatbox: ${result.lost}; stopping\n`);
        status = 1;
        break;
      }
      process.stdout.write(`Error, ${result.lost}; the next command tries again\n`);
    } else if (result.print !== null) process.stdout.write(result.print + '\n');
    prompt();
  }
  await stop();
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
  // The rest of the input is not read: let the writer see the pipe close instead of waiting on us.
  if (status !== 0) process.stdin.destroy();
  return status;
}
