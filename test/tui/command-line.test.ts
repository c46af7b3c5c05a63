// `chatbox` (the full-screen chat) on the command line: help, bad options,
// and a clear refusal when there is no terminal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CHATBOX_BIN } from '../helpers/server.js';

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CHATBOX_BIN, ...args], {
    input: '',
    encoding: 'utf8',
    env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_USER: '', CHATBOX_PASSWORD: '', ...env },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help prints the usage and exits 0', () => {
  for (const args of [['--help'], ['chat', '--help'], ['chat', '-h']]) {
    const r = run(args);
    assert.equal(r.code, 0, args.join(' '));
    if (args[0] === 'chat') assert.match(r.stdout, /Usage: chatbox \[chat\] \[options\]/);
  }
  // --interval is the polling fallback's; with live sync it does not pace messages.
  const interval = run(['chat', '--help']).stdout.match(/--interval MS([^]*?)\n {2}--/)![1]!.replace(/\s+/g, ' ');
  assert.match(interval, /without live sync is polled for messages and who is online this often, in ms \(default 1000\)/);
  assert.match(interval, /with live sync, messages come at once/);
  const cli = run(['cli', '--help']);
  assert.equal(cli.code, 0);
  assert.match(cli.stdout, /send <username> <message>/);
  assert.match(cli.stdout.replace(/\s+/g, ' '), /one sent while the server cannot be reached waits and goes out, once, when the connection is back/);
});

test('without a terminal it says so in one line and exits 1', () => {
  const r = run(['--port', '1']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'chatbox: the full-screen chat needs a terminal (stdin and stdout must be a TTY); for scripts use `chatbox cli`\n');
});

const bad: Array<[string[], Record<string, string>, RegExp]> = [
  [['chat', '--port', 'abc'], {}, /--port must be a whole number, got 'abc'/],
  [['chat', '--port', '70000'], {}, /--port must be between 1 and 65535/],
  [['chat', '--interval', '5'], {}, /--interval must be between 50 and 60000/],
  [['chat', '--user', 'bad name'], {}, /--user must be 1-32 characters/],
  [['chat', '--frobnicate'], {}, /Unknown option '--frobnicate'/],
  [['chat'], { CHATBOX_PORT: 'x' }, /--port must be a whole number, got 'x'/],
  [['cli', '--port', '0'], {}, /--port must be between 1 and 65535/],
];

for (const [args, env, message] of bad) {
  test(`a bad option is one line and exit 2: ${args.join(' ')} ${Object.keys(env).join(' ')}`, () => {
    const r = run(args, env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    assert.ok(r.stderr.split('\n').length <= 3, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
}
