// Runs the real full-screen chat (runChat, as `chatbox` does) and makes it
// fail the way a bug would, so a test can check what the person is left
// with. Test code only: `node crash-app.js <how> [chat options]`, where <how> is
//   uncaught    on SIGUSR2, an exception thrown outside React
//   rejection   on SIGUSR2, a promise rejected with nobody listening
//   render      a component throwing while it renders (the chat screen, once logged in)
// The process id goes to the file named by $CRASH_APP_PID_FILE.

import { writeFileSync } from 'node:fs';
import { runMain } from '../../src/args.js';
import { parseChatOptions } from '../../src/tui/options.js';
import { runChat } from '../../src/tui/run.js';
import { ChatSession } from '../../src/tui/session.js';

const [how, ...argv] = process.argv.slice(2);
const options = parseChatOptions(argv);
if (options === 'help') throw new Error('no help here');
const session = new ChatSession({ connect: options.connect, intervalMs: options.intervalMs });
if (options.user !== undefined && options.password !== undefined) session.login(options.user, options.password).catch(() => undefined);

if (how === 'uncaught') {
  process.on('SIGUSR2', () => {
    throw new Error('boom from a signal handler');
  });
} else if (how === 'rejection') {
  process.on('SIGUSR2', () => void Promise.reject(new Error('boom from a promise')));
} else if (how === 'render') {
  // The root component reads this setting when it draws the chat screen, after the login.
  Object.defineProperty(options, 'bell', {
    get: () => {
      throw new Error('boom while rendering');
    },
  });
} else {
  throw new Error(`unknown failure '${how}'`);
}

writeFileSync(process.env['CRASH_APP_PID_FILE'] ?? '/dev/null', String(process.pid));
// As `chatbox` runs it: runMain turns what runChat throws into one line and a status.
process.stdin.setRawMode(true);
await runMain(() => runChat(options, session));
process.stdin.setRawMode(false);
process.exit();
