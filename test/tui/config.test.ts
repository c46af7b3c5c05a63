// The full-screen client's config file: where it is looked for, what it may
// hold, every mistake as one line naming the file and the setting, and the
// order flag > CHATBOX_* > file > default.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { ConfigError, configPath, loadConfig, parseConfig, parseServer } from '../../src/tui/config-file.js';
import { helpLayout } from '../../src/tui/help-layout.js';
import { rebind } from '../../src/tui/key-config.js';
import { CHAT_BINDINGS, EDIT_BINDINGS, chatActionFor, editActionFor, setActiveBindings, statusHints } from '../../src/tui/keys.js';
import { parseChatOptions, type ChatOptions } from '../../src/tui/options.js';
import { DEFAULT_THEME, THEMES } from '../../src/tui/theme.js';
import { CHATBOX_BIN } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'chatbox-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: unknown): string {
  const p = join(dir, `c${++fileCount}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

test('the file is looked for in $XDG_CONFIG_HOME, else ~/.config; a relative XDG_CONFIG_HOME is ignored', () => {
  assert.equal(configPath({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' }), '/x/conf/chatbox/config.json');
  assert.equal(configPath({ HOME: '/home/u' }), '/home/u/.config/chatbox/config.json');
  assert.equal(configPath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/u' }), '/home/u/.config/chatbox/config.json');
  assert.equal(configPath({}), null);
});

test('server is host, host:port, [v6]:port or an object', () => {
  assert.deepEqual(parseServer('chat.example.org'), { host: 'chat.example.org' });
  assert.deepEqual(parseServer('chat.example.org:4100'), { host: 'chat.example.org', port: 4100 });
  assert.deepEqual(parseServer('[::1]:4100'), { host: '::1', port: 4100 });
  assert.deepEqual(parseServer('::1'), { host: '::1' });
  assert.throws(() => parseServer('chat:0'), /port must be 1-65535, got "0"/);
  assert.throws(() => parseServer('chat:http'), /port must be 1-65535/);
  assert.throws(() => parseServer(':4100'), /needs a host/);
  assert.deepEqual(parseConfig('{"server": {"host": "10.0.0.2", "port": 4100}}', 'f'), { file: 'f', host: '10.0.0.2', port: 4100 });
  assert.deepEqual(parseConfig('{"server": {"port": "4100"}}', 'f'), { file: 'f', port: 4100 });
});

test('a good file gives server, user, theme and keys', () => {
  const c = parseConfig(JSON.stringify({ server: 'chat.example.org:4100', user: 'messi', theme: 'high-contrast', keys: { help: 'f2', nextUser: ['ctrl+j', 'alt+down'] } }), 'f');
  assert.equal(c.host, 'chat.example.org');
  assert.equal(c.port, 4100);
  assert.equal(c.user, 'messi');
  assert.equal(c.theme, 'high-contrast');
  assert.deepEqual(c.keys!.chat.find((b) => b.action === 'help')!.keys, ['f2']);
  assert.deepEqual(c.keys!.chat.find((b) => b.action === 'nextUser')!.keys, ['ctrl+j', 'alt+down']);
  // ctrl+j was the second key of newline: taken from it, newline keeps alt+enter.
  assert.deepEqual(c.keys!.edit.find((b) => b.action === 'newline')!.keys, ['alt+enter']);
  assert.deepEqual(parseConfig('{}', 'f'), { file: 'f' });
});

// Each mistake: the file's text, and the one line it gives (after "<file>: ").
const MISTAKES: Array<[string, string, RegExp]> = [
  ['bad JSON', '{"user": "messi",}', /^not valid JSON: /],
  ['not an object', '["messi"]', /^must hold one JSON object/],
  ['unknown setting', '{"colour": "blue"}', /^colour: unknown setting \(known: server, user, theme, keys\)$/],
  ['a password', '{"user": "messi", "password": "surabaya"}', /^password: a password does not belong in a file; use CHATBOX_PASSWORD or the login form$/],
  ['bad user', '{"user": "lionel messi"}', /^user: must be 1-32 characters/],
  ['unknown theme', '{"theme": "neon"}', /^theme: must be one of default, high-contrast, got "neon"$/],
  ['theme not a string', '{"theme": 3}', /^theme: must be one of/],
  ['bad port', '{"server": "chat:99999"}', /^server: port must be 1-65535, got "99999"$/],
  ['unknown server setting', '{"server": {"hots": "chat"}}', /^server: unknown setting "hots" \(known: host, port\)$/],
  ['server not text', '{"server": 4100}', /^server: must be "host:port"/],
  ['keys not an object', '{"keys": ["f2"]}', /^keys: must be an object/],
  ['unknown action', '{"keys": {"fly": "f2"}}', /^keys\.fly: unknown action \(known: nextUser, /],
  ['unknown key name', '{"keys": {"help": "f13"}}', /^keys\.help: unknown key name "f13"$/],
  ['misspelt modifier', '{"keys": {"help": "contrl+h"}}', /^keys\.help: unknown key name "contrl\+h"$/],
  ['a typed character', '{"keys": {"help": "?"}}', /^keys\.help: "\?" is a typed character; bind it with a modifier/],
  ['no keys', '{"keys": {"help": []}}', /^keys\.help: needs at least one key$/],
  ['not key names', '{"keys": {"help": [1]}}', /^keys\.help: must be a key name or a list of key names$/],
  ['one key for two actions', '{"keys": {"help": "f2", "quit": "f2"}}', /^keys\.quit: "f2" is also given to help$/],
  ['an action left without keys', '{"keys": {"help": "ctrl+k"}}', /^keys\.help: takes "ctrl\+k", the only key of switcher; give switcher a key too$/],
  ['a prototype name', '{"keys": {"__proto__": "f2"}}', /^keys\.__proto__: unknown action/],
];

for (const [what, text, line] of MISTAKES) {
  test(`a mistake in the file is one line naming it: ${what}`, () => {
    const p = file(text);
    assert.throws(
      () => loadConfig(p),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(err.message.startsWith(`${p}: `), err.message);
        assert.match(err.message.slice(p.length + 2), line);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
  });
}

test('a missing default file is no file; a missing --config file is an error', () => {
  const empty = mkdtempSync(join(dir, 'xdg-'));
  assert.deepEqual(loadConfig(undefined, { XDG_CONFIG_HOME: empty }), { file: null });
  assert.throws(() => loadConfig(join(empty, 'nope.json')), new ConfigError(`cannot read config file ${join(empty, 'nope.json')}: no such file`));
  assert.throws(() => loadConfig(empty), /: is a directory$/);
  mkdirSync(join(empty, 'chatbox'));
  writeFileSync(join(empty, 'chatbox', 'config.json'), '{"user": "messi"}');
  assert.deepEqual(loadConfig(undefined, { XDG_CONFIG_HOME: empty }), { file: join(empty, 'chatbox', 'config.json'), user: 'messi' });
});

test('a rebound key does its new action, the help and the status line say so, the old key is free', () => {
  const keys = rebind(new Map([['help', ['f2']], ['quit', ['ctrl+q']]]));
  setActiveBindings(keys.chat, keys.edit);
  try {
    assert.equal(chatActionFor({ name: 'f2' }, true), 'help');
    assert.equal(chatActionFor({ name: 'f1' }, true), undefined);
    assert.equal(chatActionFor({ name: 'ctrl+q' }, true), 'quit');
    assert.equal(chatActionFor({ name: 'ctrl+c' }, true), undefined);
    assert.equal(editActionFor({ name: 'ctrl+a' }), 'home', 'the rest is untouched');
    assert.equal(statusHints()[0], 'F2 keys · ^K go to · ^N/^P switch · PgUp/PgDn scroll · ^Q quit');
    const text = helpLayout(200, 60).columns.flat().map((l) => l.text).join('\n');
    assert.match(text, /F2 +show or hide help/);
    assert.match(text, /Ctrl\+Q +log out and quit/);
    assert.doesNotMatch(text, /F1|Ctrl\+C/);
  } finally {
    setActiveBindings(CHAT_BINDINGS, EDIT_BINDINGS);
  }
  assert.equal(chatActionFor({ name: 'f1' }, true), 'help');
});

// parseChatOptions reads process.env: each test sets what it needs and this puts it back.
const SAVED = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in SAVED)) delete process.env[k];
  Object.assign(process.env, SAVED);
});

function optionsWith(env: Record<string, string | undefined>, argv: string[] = []): ChatOptions {
  for (const k of ['CHATBOX_HOST', 'CHATBOX_PORT', 'CHATBOX_USER', 'CHATBOX_PASSWORD', 'CHATBOX_TLS', 'NO_COLOR', 'XDG_CONFIG_HOME']) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  const o = parseChatOptions(argv);
  assert.notEqual(o, 'help');
  return o as ChatOptions;
}

test('settings come from the flag, else CHATBOX_*, else the file, else the default', () => {
  const xdg = mkdtempSync(join(dir, 'xdg-'));
  mkdirSync(join(xdg, 'chatbox'));
  writeFileSync(join(xdg, 'chatbox', 'config.json'), JSON.stringify({ server: 'file.example:4100', user: 'fileuser', theme: 'high-contrast' }));
  const home = { XDG_CONFIG_HOME: xdg };

  let o = optionsWith(home);
  assert.deepEqual(o.connect, { host: 'file.example', port: 4100 });
  assert.equal(o.user, 'fileuser');
  assert.equal(o.theme, THEMES.get('high-contrast'));

  o = optionsWith({ ...home, CHATBOX_HOST: 'env.example', CHATBOX_USER: 'envuser' });
  assert.deepEqual(o.connect, { host: 'env.example', port: 4100 }, 'the port still from the file');
  assert.equal(o.user, 'envuser');

  o = optionsWith({ ...home, CHATBOX_HOST: 'env.example', CHATBOX_PORT: '4200', CHATBOX_USER: 'envuser' }, ['--host', 'flag.example', '--port', '4300', '--user', 'flaguser', '--theme', 'default']);
  assert.deepEqual(o.connect, { host: 'flag.example', port: 4300 });
  assert.equal(o.user, 'flaguser');
  assert.equal(o.theme, DEFAULT_THEME);

  // --config points elsewhere; without any file, the defaults.
  o = optionsWith(home, ['--config', file({ server: { host: 'other.example' } })]);
  assert.deepEqual(o.connect, { host: 'other.example', port: 8889 });
  assert.equal(o.user, undefined);
  o = optionsWith({ XDG_CONFIG_HOME: mkdtempSync(join(dir, 'xdg-')) });
  assert.deepEqual(o.connect, { host: '127.0.0.1', port: 8889 });
  assert.equal(o.theme, DEFAULT_THEME);
});

test('NO_COLOR takes every colour out of the chosen theme', () => {
  const o = optionsWith({ XDG_CONFIG_HOME: dir, NO_COLOR: '1' }, ['--theme', 'high-contrast']);
  assert.deepEqual(o.theme, { name: 'high-contrast', statusInverse: true });
  assert.throws(() => optionsWith({ XDG_CONFIG_HOME: dir }, ['--theme', 'neon']), /--theme must be one of default, high-contrast, got 'neon'/);
});

test('chatbox with a bad config file says so in one line and exits 2, before touching the screen', () => {
  const p = file({ user: 'messi', password: 'surabaya' });
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: dir };
  for (const k of ['CHATBOX_HOST', 'CHATBOX_PORT', 'CHATBOX_USER', 'CHATBOX_PASSWORD']) delete env[k];
  const run = spawnSync(process.execPath, [CHATBOX_BIN, '--config', p], { env, encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 2);
  assert.equal(run.stderr, `chatbox: ${p}: password: a password does not belong in a file; use CHATBOX_PASSWORD or the login form\n`);
  assert.equal(run.stdout, '', 'no alternate screen, nothing drawn');
  assert.doesNotMatch(run.stderr, /surabaya/);
  const missing = spawnSync(process.execPath, [CHATBOX_BIN, '--config', join(dir, 'missing.json')], { env, encoding: 'utf8', timeout: 20_000 });
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, `chatbox: cannot read config file ${join(dir, 'missing.json')}: no such file\n`);
});
