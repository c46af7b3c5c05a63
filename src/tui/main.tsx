// `chatbox` / `chatbox chat`: checks the arguments and the terminal, then
// loads and runs the full-screen client.

import { fatal } from '../args.js';
import { ConfigError } from './config-file.js';
import { setActiveBindings } from './keys.js';
import { CHAT_USAGE, parseChatOptions, type ChatOptions } from './options.js';
import { ChatSession } from './session.js';

/** Entry point of the full-screen chat; resolves with the exit status. */
export async function chatCommand(argv: string[]): Promise<number> {
  let options: ChatOptions | 'help';
  try {
    options = parseChatOptions(argv);
  } catch (err) {
    // The file's own mistake, in one line naming it; `--help` would not help.
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`chatbox: ${err.message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(CHAT_USAGE);
    return 0;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw fatal('the full-screen chat needs a terminal (stdin and stdout must be a TTY); for scripts use `chatbox cli`');
  }
  if (options.keys) setActiveBindings(options.keys.chat, options.keys.edit);
  // Ink draws nothing when it believes it runs under CI; this is an interactive terminal.
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) if (name in process.env) process.env[name] = '0';
  // React's development build is several times slower per frame; this is the product, not a dev build.
  process.env['NODE_ENV'] ??= 'production';
  // Keys typed while the program loads must not be echoed by the terminal: a
  // password typed ahead would stay on the screen after the chat ends.
  process.stdin.setRawMode(true);
  const session = new ChatSession({ connect: options.connect, intervalMs: options.intervalMs });
  // With the password given, log in while the screen code loads; the form shows the outcome.
  if (options.user !== undefined && options.password !== undefined) session.login(options.user, options.password).catch(() => undefined);
  let code: number;
  try {
    const { runChat } = await import('./run.js');
    code = await runChat(options, session);
  } finally {
    try {
      process.stdin.setRawMode(false);
    } catch {
      // The terminal is gone (SIGHUP): there is no mode left to restore.
    }
  }
  // Whatever might still hold the event loop open must not keep a finished chat alive.
  setTimeout(() => process.exit(code), 1500).unref();
  return code;
}
