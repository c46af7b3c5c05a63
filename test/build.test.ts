// The build: once built, nothing is compiled again until a source changes (so
// `npm start`, `npm run chat` and `npm test` start at once), and npm's prepare
// step neither fails nor builds where TypeScript is not installed
// (`npm ci --omit=dev`).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { makeTempDir, removeDir } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the build', () => {
  it('has nothing to compile once built: the sources and the tests are two up-to-date projects', () => {
    const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    // --dry: only say what would be built, so that this test never writes to dist/.
    const r = spawnSync(process.execPath, [tsc, '--build', '--dry', '--verbose'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const project of ['tsconfig.src.json', 'tsconfig.test.json']) {
      assert.match(r.stdout, new RegExp(`Project '${project.replace('.', '\\.')}' is up to date`), `${project}:\n${r.stdout}`);
    }
    assert.doesNotMatch(r.stdout, /A non-dry build would/, 'nothing would be rebuilt');
  });

  it("npm's prepare step passes and builds nothing without TypeScript; packing refuses", () => {
    const dir = makeTempDir('chatbox-prepare-');
    try {
      mkdirSync(join(dir, 'scripts'));
      for (const f of ['package.json', 'tsconfig.src.json', 'scripts/build-package.mjs']) copyFileSync(join(ROOT, f), join(dir, f));
      const prepare = spawnSync(process.execPath, ['scripts/build-package.mjs'], { cwd: dir, encoding: 'utf8' });
      assert.equal(prepare.status, 0, prepare.stderr);
      assert.match(prepare.stderr, /TypeScript is not installed .*dist\/ was not built/);
      const pack = spawnSync(process.execPath, ['scripts/build-package.mjs', '--pack'], { cwd: dir, encoding: 'utf8' });
      assert.equal(pack.status, 1);
      assert.match(pack.stderr, /packing needs the dev dependencies/);
    } finally {
      removeDir(dir);
    }
  });
});
