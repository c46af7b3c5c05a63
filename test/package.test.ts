// The package as people get it. `npm pack` gives a tarball of bin/, the compiled
// dist/src, the systemd unit, README, LICENSE, CHANGELOG and a shrinkwrap, and
// nothing else; installed from it without dev dependencies, its chatbox adds a
// user, serves and lets that user log in; and the SQLite steps of
// docs/deploying.md run start to finish against it, systemd excepted.
//
// npm fetches dependencies from its cache where it can (--prefer-offline). The
// native module of better-sqlite3 would be compiled from source (about two
// minutes here): the tests hand npm the one this checkout already built, as a
// local prebuild of the same version (prebuild-install's local-prebuilds option).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, RawClient, removeDir, TEST_SCRYPT } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NPM_OK = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;
/** The environment of every command: no CHATBOX_* settings from the caller. */
const ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHATBOX_')));

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs a command to its end without blocking the event loop. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

function ok(r: Run, what: string): void {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.out}\n${r.err}`);
}

/** A directory holding this checkout's compiled better-sqlite3 as a prebuild tarball, if it has one. */
function localPrebuilds(dir: string): string | null {
  const pkgFile = createRequire(join(ROOT, 'package.json')).resolve('better-sqlite3/package.json');
  const pkgDir = dirname(pkgFile);
  if (!existsSync(join(pkgDir, 'build/Release/better_sqlite3.node'))) return null;
  const { version } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
  mkdirSync(dir);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const r = spawnSync('tar', ['-czf', join(dir, name), '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  return r.status === 0 ? dir : null;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

describe('the package', { skip: !NPM_OK && 'npm is not available' }, () => {
  let work: string;
  let tarball: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    work = makeTempDir('chatbox-package-');
    const prebuilds = localPrebuilds(join(work, 'prebuilds'));
    env = { ...ENV, ...(prebuilds ? { npm_config_better_sqlite3_local_prebuilds: prebuilds } : {}) };
    const r = await run('npm', ['pack', '--pack-destination', work, '--silent']);
    ok(r, 'npm pack');
    tarball = join(work, `chatbox-${VERSION}.tgz`);
    assert.ok(existsSync(tarball), `npm pack wrote ${tarball}`);
  });
  after(() => removeDir(work));

  it('holds the command, the compiled sources and the papers, and nothing else', () => {
    const files = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of ['bin/chatbox', 'dist/src/cli.js', 'dist/src/server/main.js', 'dist/src/server/backup.js', 'dist/src/tui/main.js', 'deploy/chatbox.service', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'npm-shrinkwrap.json', 'scripts/build-package.mjs']) {
      assert.ok(files.includes(f), `the tarball holds ${f}`);
    }
    const extra = files.filter((f) => !/^(bin\/chatbox|dist\/src\/.+\.js|scripts\/build-package\.mjs|deploy\/chatbox\.service|README\.md|LICENSE|CHANGELOG\.md|package\.json|npm-shrinkwrap\.json)$/.test(f));
    assert.deepEqual(extra, [], 'no tests, benchmarks, sources, maps, CI files or build state');
    assert.ok(!existsSync(join(ROOT, 'npm-shrinkwrap.json')), 'the shrinkwrap is made for the tarball only');
    const pkg = JSON.parse(spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
    assert.equal(pkg.private, undefined, 'publishable');
    assert.equal(pkg.license, 'MIT');
    assert.match(spawnSync('tar', ['-xzOf', tarball, 'package/LICENSE'], { encoding: 'utf8' }).stdout, /MIT License[\s\S]*ChatBox developers/);
    assert.match(spawnSync('tar', ['-xzOf', tarball, 'package/CHANGELOG.md'], { encoding: 'utf8' }).stdout, new RegExp(`## ${VERSION.replace(/\./g, '\\.')}`));
  });

  it('installs without dev dependencies, and its chatbox adds a user, serves and logs that user in', { timeout: 180_000 }, async () => {
    const prefix = join(work, 'prefix');
    const r = await run('npm', ['install', '-g', '--prefix', prefix, tarball, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { env, cwd: work });
    ok(r, 'npm install -g');
    const installed = join(prefix, 'lib/node_modules/chatbox');
    assert.ok(!existsSync(join(installed, 'node_modules/typescript')), 'no dev dependencies');
    const bin = join(prefix, 'bin/chatbox');

    const version = await run(bin, ['--version'], { cwd: work });
    ok(version, 'chatbox --version');
    assert.equal(version.out, `chatbox ${VERSION}\n`);

    const db = join(work, 'data', 'chat.db');
    mkdirSync(dirname(db));
    const add = await run(bin, ['user', 'add', 'ayu', '--name', 'Ayu Lestari', '--country', 'Indonesia', '--password-stdin', '--db', db, '--create', ...TEST_SCRYPT], {
      cwd: work,
      input: 'Installed-Pa55\n',
    });
    ok(add, 'chatbox user add');

    const server = spawn(bin, ['serve', '--port', '0', '--db', db, ...TEST_SCRYPT], { cwd: work, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line in 20 s:\n${log}`)), 20_000);
        server.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /listening on \S+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        void exited.then((code) => reject(new Error(`chatbox serve exited with ${code}:\n${log}`)));
      });
      const c = await RawClient.connect(port);
      const reply = await c.ask('auth ayu Installed-Pa55');
      assert.equal(reply.status, 'OK', JSON.stringify(reply));
      assert.match(String(reply.tokenid), /^[0-9a-f-]{36}$/);
      assert.deepEqual(await c.ask(`logout ${String(reply.tokenid)}`), { status: 'OK' });
      c.close();
    } finally {
      server.kill('SIGTERM');
    }
    assert.equal(await exited, 0, log);
  });

  it('installs without dev dependencies inside the unpacked tarball too', { timeout: 180_000 }, async () => {
    const dir = join(work, 'unpacked');
    mkdirSync(dir);
    ok(await run('tar', ['-xzf', tarball, '-C', dir]), 'tar -x');
    const pkg = join(dir, 'package');
    ok(await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { env, cwd: pkg }), 'npm install --omit=dev');
    const version = await run(process.execPath, [join(pkg, 'bin/chatbox'), '--version'], { cwd: pkg });
    ok(version, 'chatbox --version');
    assert.equal(version.out, `chatbox ${VERSION}\n`);
  });

  it("follows docs/deploying.md's SQLite steps start to finish", { timeout: 180_000 }, async () => {
    const doc = readFileSync(join(ROOT, 'docs/deploying.md'), 'utf8');
    const blocks = [...doc.matchAll(/<!-- checked: sqlite -->\n```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    assert.ok(blocks.length >= 5, `the guide's checked blocks, found ${blocks.length}`);
    const steps = blocks.join('\n');
    assert.ok(steps.includes(`./chatbox-${VERSION}.tgz`), `the guide installs chatbox-${VERSION}.tgz`);
    for (const line of steps.split('\n').filter((l) => /\bchatbox (user|serve|backup|restore)\b/.test(l))) {
      assert.match(line, /--db \/var\/lib\/chatbox\/chatbox\.db\b|--config \/etc\/chatbox\/chatbox\.json\b/, `every command names the same database: ${line}`);
    }

    const root = join(work, 'machine');
    mkdirSync(root);
    copyFileSync(tarball, join(root, `chatbox-${VERSION}.tgz`));
    // Two free ports, neither holding the other's stand-in digits (so one move cannot undo the other).
    let port = await freePort();
    let metricsPort = await freePort();
    while (/8889|9464/.test(`${port} ${metricsPort}`) || port === metricsPort) [port, metricsPort] = [await freePort(), await freePort()];
    // The machine's paths move into the temp dir; the port is a free one; nothing listens beyond loopback.
    const moves: Array<[string, string]> = [
      ['/usr/local', `${root}/usr/local`],
      ['/var/lib/chatbox', `${root}/var/lib/chatbox`],
      ['/var/backups', `${root}/var/backups`],
      ['/etc/systemd', `${root}/etc/systemd`],
      ['/etc/chatbox', `${root}/etc/chatbox`],
      ['8889', String(port)],
      ['9464', String(metricsPort)],
      ['0.0.0.0', '127.0.0.1'],
    ];
    const move = (s: string): string => moves.reduce((acc, [from, to]) => acc.split(from).join(to), s);
    const sed = moves.map(([from, to]) => `-e 's|${from.replace(/\./g, '\\.')}|${to}|g'`).join(' ');

    // systemd, played by shell functions that run the installed unit's ExecStart in its StateDirectory,
    // with the drop-ins of chatbox.service.d/ applied in name order: their ExecStart= (an empty one
    // clears the unit's) and Environment=NAME=VALUE lines. The unit comes from the package, so its
    // paths are moved here; the drop-ins come from the guide's steps, already moved.
    const prelude = `set -euo pipefail
export PATH='${root}/usr/local/bin':"$PATH"
UNIT='${root}/etc/systemd/system/chatbox.service'
SERVER_PID=
sudo() { "$@"; }
npm() { if [ "$1" = install ]; then shift; command npm install --prefer-offline --no-audit --no-fund "$@"; else command npm "$@"; fi; }
unit_settings() { sed ${sed} "$UNIT"; for f in "$UNIT".d/*.conf; do if [ -e "$f" ]; then cat "$f"; fi; done; }
start_chatbox() {
  local cmd dir envs
  cmd=$(unit_settings | sed -n 's/^ExecStart=//p' | tail -n 1)
  envs=$(unit_settings | sed -n 's/^Environment=//p')
  dir=$(sed -n 's/^StateDirectory=//p' "$UNIT")
  install -d -m 0700 '${root}/var/lib/'"$dir"
  (cd '${root}/var/lib/'"$dir" && while IFS= read -r e; do if [ -n "$e" ]; then export "$e"; fi; done <<<"$envs" && exec $cmd) >'${root}/server.out' 2>>'${root}/server.log' &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    grep -q '^listening on' '${root}/server.out' && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "chatbox serve exited:" >&2; cat '${root}/server.log' >&2; return 1; }
    sleep 0.1
  done
  echo 'chatbox serve did not start' >&2; return 1
}
stop_chatbox() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=; }
# ExecReload=/bin/kill -HUP $MAINPID; then waits (up to 10 s) for the server to log the outcome.
reload_chatbox() {
  local before
  before=$(grep -c ' reload' '${root}/server.log' || true)
  kill -HUP "$SERVER_PID"
  for _ in $(seq 1 100); do
    [ "$(grep -c ' reload' '${root}/server.log' || true)" -gt "$before" ] && return 0
    sleep 0.1
  done
}
systemctl() {
  case "$*" in
    daemon-reload) ;;
    'enable --now chatbox'|'start chatbox') start_chatbox ;;
    'stop chatbox') stop_chatbox ;;
    'restart chatbox') stop_chatbox; start_chatbox ;;
    'reload chatbox') reload_chatbox ;;
    *) echo "systemctl $* is not played here" >&2; return 1 ;;
  esac
}
journalctl() { cat '${root}/server.log'; }
trap 'if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; fi' EXIT
cd '${root}'
`;
    const script = join(work, 'deploying.sh');
    writeFileSync(script, prelude + move(steps) + '\n');
    const password = 'Deploy-Pa55word';
    const r = await run('bash', [script], { cwd: root, env, input: `${password}\n`, timeoutMs: 170_000 });
    ok(r, "docs/deploying.md's steps");

    assert.match(r.out, new RegExp(`^chatbox ${VERSION.replace(/\./g, '\\.')}$`, 'm'), 'the installed version');
    assert.equal(r.out.match(/^username messi logged in, token [0-9a-f-]{36}$/gm)?.length, 2, `logged in before the backup and after the restore:\n${r.out}`);
    assert.equal(r.out.match(/^Logged out$/gm)?.length, 2);
    assert.match(r.out, /^backup of \S+ written to \S+: schema version 4, 1 users, 0 messages$/m);
    assert.match(r.out, /^restored \S+ into \S+: schema version 4, 1 users, 0 messages$/m);
    // Configure, reload, watch: the server started from the file serves /healthz and /metrics on the
    // file's metrics address, user finds the same database through the file, and a reload takes the
    // file's new log level.
    const log = readFileSync(join(root, 'server.log'), 'utf8');
    assert.match(log, new RegExp(`^\\S+ info metrics listening host=127\\.0\\.0\\.1 port=${metricsPort} paths=/metrics,/healthz$`, 'm'), log);
    assert.match(r.out, /^ok$/m, 'GET /healthz');
    assert.match(r.out, /^chatbox_connections_open \d+$/m, 'a metric from GET /metrics');
    assert.match(r.out, /^USERNAME +NAMA +NEGARA\nmessi +Lionel Messi +Argentina$/m, 'chatbox user list --config');
    assert.match(r.out, /^\S+ info reloaded signal=SIGHUP log_level=debug tls=off$/m, `the reload in the journal:\n${r.out}`);
    const backups = readdirSync(join(root, 'var/backups/chatbox'));
    assert.equal(backups.length, 1);
    assert.equal(statSync(join(root, 'var/backups/chatbox', backups[0]!)).mode & 0o777, 0o600);
    assert.equal(statSync(join(root, 'var/lib/chatbox/chatbox.db')).mode & 0o777, 0o600);
    assert.ok(!existsSync(join(root, 'chatbox.db')), 'no account landed in a ./chatbox.db');
    assert.ok(!r.out.includes(password) && !readFileSync(join(root, 'server.log'), 'utf8').includes(password), 'the password is never shown');

    // Where systemd's tools are installed, the unit the guide installed passes their check too.
    if (spawnSync('systemd-analyze', ['--version']).status === 0) {
      const unit = join(work, 'chatbox.service');
      writeFileSync(unit, move(readFileSync(join(root, 'etc/systemd/system/chatbox.service'), 'utf8')));
      const v = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
      assert.equal(v.stderr.trim(), '', 'no unknown or misspelt settings');
    }
  });
});
