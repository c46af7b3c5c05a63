// The option table: flags, CHATBOX_* variables and the config file, in that
// order of precedence; every mistake names its source; help and README follow the table.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/args.js';
import { DEFAULTS, loadServerConfig, SERVE_HELP, type ServerConfig } from '../../src/server/config.js';
import { optionsMarkdown } from '../../src/server/option-sources.js';
import { envName, OPTIONS } from '../../src/server/options.js';
import { makeTempDir, removeDir } from '../helpers/server.js';

const load = (argv: string[], env: NodeJS.ProcessEnv = {}): ServerConfig => {
  const c = loadServerConfig(argv, env);
  assert.notEqual(c, 'help');
  return c as ServerConfig;
};
const fails = (argv: string[], env: NodeJS.ProcessEnv, message: RegExp): void => {
  assert.throws(() => loadServerConfig(argv, env), (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'));
};

describe('server options', () => {
  const dir = makeTempDir();
  after(() => removeDir(dir));
  const file = (name: string, data: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
    return path;
  };

  it('flag > environment > file > default', () => {
    const cfg = file('order.json', { port: 1111, host: '10.0.0.1', 'log-level': 'warn', 'idle-timeout': '5m' });
    const c = load(['--config', cfg, '--port', '3333'], { CHATBOX_PORT: '2222', CHATBOX_HOST: '10.0.0.2' });
    assert.equal(c.port, 3333);
    assert.equal(c.host, '10.0.0.2');
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.idleTimeoutMs, 300_000);
    assert.equal(c.db, DEFAULTS.db);
    assert.equal(c.configFile, cfg);
    // CHATBOX_CONFIG names the file too; an empty variable counts as unset.
    assert.equal(load([], { CHATBOX_CONFIG: cfg, CHATBOX_PORT: '' }).port, 1111);
    const tls = load(['--config', file('tls.json', { 'tls-key': 'k.pem' })], { CHATBOX_TLS_CERT: 'c.pem' });
    assert.deepEqual([tls.tlsCert, tls.tlsKey], ['c.pem', 'k.pem']);
    assert.equal(load(['--demo']).demo, true);
    assert.equal(load([], { CHATBOX_DEMO: 'yes' }).demo, true);
    assert.equal(load(['--config', file('demo.json', { demo: true })]).demo, true);
  });

  it('every option has a flag (or is a secret), a variable and a file key', () => {
    for (const o of OPTIONS) {
      // (The TLS pair goes together: mixed sources below.)
      if (o.arg === undefined || o.name === 'config' || o.hidden || o.name.startsWith('tls-')) continue;
      const sample = o.name === 'redis-password-file' ? file('pw', 'sekret\n') : (o.shown ?? sampleFor(o.name));
      const viaEnv = loadServerConfig([], { [envName(o)]: sample });
      const viaFile = loadServerConfig(['--config', file(`${o.name}.json`, { [o.name]: sample })], {});
      assert.deepEqual({ ...(viaEnv as ServerConfig), configFile: null }, { ...(viaFile as ServerConfig), configFile: null }, o.name);
      if (!o.noFlag) assert.deepEqual(loadServerConfig([`--${o.name}`, sample], {}), viaEnv, o.name);
    }
  });

  it('the defaults help shows are the defaults', () => {
    for (const o of OPTIONS) {
      if (o.shown === undefined) continue;
      assert.deepEqual(load([`--${o.name}`, o.shown]), load([]), `--${o.name} ${o.shown} is the default`);
    }
  });

  it('a bad value names where it came from', () => {
    fails([], { CHATBOX_PORT: 'abc' }, /^CHATBOX_PORT must be a whole number, got 'abc'$/);
    fails(['--port', 'abc'], {}, /^--port must be a whole number/);
    const bad = file('bad.json', { 'session-lifetime': 'forever' });
    fails(['--config', bad], {}, new RegExp(`^session-lifetime in ${bad} must be a duration`));
    fails(['--config', file('bool.json', { port: true })], {}, /port in .*bool\.json must be a value/);
    fails([], { CHATBOX_DEMO: 'perhaps' }, /^CHATBOX_DEMO must be true or false/);
    fails([], { CHATBOX_METRICS: 'abc' }, /^CHATBOX_METRICS must be HOST:PORT or a port, got 'abc'$/);
    fails(['--retention-days', '0'], {}, /^--retention-days must be between 1 and 100000/);
    assert.deepEqual(load(['--metrics', '9464']).metrics, { host: '127.0.0.1', port: 9464 }, 'a bare port binds 127.0.0.1');
    assert.deepEqual(load([], { CHATBOX_METRICS: '0.0.0.0:9464' }).metrics, { host: '0.0.0.0', port: 9464 });
    assert.equal(load([]).metrics, null, 'off by default');
    assert.equal(load([]).retentionDays, null, 'messages kept for ever by default');
    fails([], { CHATBOX_TLS_CERT: 'c.pem' }, /--tls-cert and --tls-key go together \(only CHATBOX_TLS_CERT is set\)/);
  });

  it('the config file: unknown keys, bad JSON, not an object, missing', () => {
    fails(['--config', file('unknown.json', { prot: 8889 })], {}, /unknown\.json: unknown option "prot"/);
    fails(['--config', file('proto.json', '{"__proto__": {"port": 1}}')], {}, /unknown option "__proto__"/);
    fails(['--config', file('config.json', { config: 'x' })], {}, /unknown option "config"/);
    fails(['--config', file('broken.json', '{"port": ')], {}, /broken\.json is not valid JSON/);
    fails(['--config', file('array.json', [1])], {}, /must hold a JSON object/);
    fails(['--config', join(dir, 'missing.json')], {}, /cannot read config file .*missing\.json: no such file/);
  });

  it('the Redis password comes from the environment or a file, never the command line', () => {
    assert.equal(load([], { CHATBOX_REDIS_PASSWORD: 's3cret' }).redisPassword, 's3cret');
    assert.equal(load(['--redis-password-file', file('redis.pw', 'fromfile\nignored\n')]).redisPassword, 'fromfile');
    fails(['--redis-password', 'x'], {}, /Unknown option '--redis-password'/);
    fails(['--redis-password-file', file('pw2', 'a')], { CHATBOX_REDIS_PASSWORD: 'b' }, /give the Redis password once/);
    fails(['--redis-password-file', join(dir, 'nope')], {}, /cannot read --redis-password-file .*nope: no such file/);
  });

  it('help and the README list every option with its variable', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(optionsMarkdown()), 'README holds the table optionsMarkdown() makes (paste it in again)');
    for (const o of OPTIONS) {
      if (o.hidden) continue;
      assert.ok(SERVE_HELP.includes(envName(o)), envName(o));
      if (!o.noFlag) assert.ok(SERVE_HELP.includes(`--${o.name}`), o.name);
    }
  });
});

function sampleFor(name: string): string {
  const samples: Record<string, string> = {
    redis: 'redis://127.0.0.1:6379',
    'redis-password': 'sekret',
    'tls-cert': 'c.pem',
    'tls-key': 'k.pem',
    'unsafe-scrypt-cost': '10',
    metrics: '127.0.0.1:9464',
    'retention-days': '30',
  };
  return samples[name] ?? 'x';
}
