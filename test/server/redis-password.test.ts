// The Redis password given apart from the URL (which `ps` shows): from
// CHATBOX_REDIS_PASSWORD or a password file, for the server and for `chatbox user`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { CHATBOX_BIN, makeTempDir, removeDir, startServer } from '../helpers/server.js';

const PASSWORD = 'Redis-Rahasia-42';

describe('Redis password apart from the URL', { skip: redisSkip() }, () => {
  let redis: RedisServer;
  const dir = makeTempDir();
  before(async () => {
    redis = await startRedis({ args: ['--requirepass', PASSWORD] });
  });
  after(async () => {
    await redis?.stop();
    removeDir(dir);
  });

  it('the server logs in to Redis with CHATBOX_REDIS_PASSWORD, and never shows it', async () => {
    const server = await startServer({ redis: redis.url, env: { CHATBOX_REDIS_PASSWORD: PASSWORD } });
    try {
      assert.ok(!server.proc.spawnargs.join(' ').includes(PASSWORD), 'not on the command line');
      const c = await ChatClient.connect({ port: server.port });
      assert.ok(await c.auth('messi', 'surabaya'));
      c.destroy();
    } finally {
      await server.stop();
    }
    assert.ok(!server.stderr().includes(PASSWORD), 'not in the log');
  });

  it('--redis-password-file works for the server and for chatbox user; without a password it is one line', async () => {
    const file = join(dir, 'redis.pw');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    const server = await startServer({ redis: redis.url, args: ['--redis-password-file', file] });
    await server.stop();
    const env = { ...process.env, CHATBOX_DB: '', CHATBOX_REDIS: '', CHATBOX_REDIS_PASSWORD: '' };
    const list = spawnSync(process.execPath, [CHATBOX_BIN, 'user', 'list', '--redis', redis.url, '--redis-password-file', file], { encoding: 'utf8', env });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /messi/);
    const viaEnv = spawnSync(process.execPath, [CHATBOX_BIN, 'user', 'list', '--redis', redis.url], { encoding: 'utf8', env: { ...env, CHATBOX_REDIS_PASSWORD: PASSWORD } });
    assert.equal(viaEnv.status, 0, viaEnv.stderr);
    const none = spawnSync(process.execPath, [CHATBOX_BIN, 'serve', '--port', '0', '--redis', redis.url], { encoding: 'utf8', env, timeout: 20_000 });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^chatbox: cannot reach Redis at 127\.0\.0\.1:\d+: /);
    assert.equal(none.stderr.trim().split('\n').length, 1);
  });
});
