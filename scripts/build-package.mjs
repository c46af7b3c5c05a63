// Compiles src/ to dist/src, what the installed package runs.
//
//   node scripts/build-package.mjs           (npm's prepare) builds when TypeScript
//       is installed; without it (`npm ci --omit=dev`) says so and leaves dist/ alone.
//       In an unpacked tarball (no sources, dist/src shipped) it does nothing.
//   node scripts/build-package.mjs --pack    (npm's prepack) must build, and drops compiled
//       files whose source is gone, so a tarball never ships a stale module. It also
//       writes npm-shrinkwrap.json from package-lock.json, so that installing the tarball
//       gets exactly the dependency versions tested here (postpack removes it again).
// `tsc --build` is incremental: when nothing changed it only compares timestamps.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pack = process.argv.includes('--pack');

if (process.argv.includes('--postpack')) {
  rmSync(join(root, 'npm-shrinkwrap.json'), { force: true });
  process.exit(0);
}

// The installed package ships dist/src but no sources: nothing to build there.
if (!existsSync(join(root, 'tsconfig.src.json'))) {
  if (pack) {
    console.error('chatbox: packing needs the sources (tsconfig.src.json, src/)');
    process.exit(1);
  }
  process.exit(0);
}

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  if (pack) {
    console.error('chatbox: packing needs the dev dependencies (TypeScript): run `npm install` first');
    process.exit(1);
  }
  if (!existsSync(join(root, 'dist/src/cli.js'))) {
    console.error('chatbox: TypeScript is not installed (--omit=dev?), so dist/ was not built; `npm install` with dev dependencies builds it');
  }
  process.exit(0);
}

if (pack) pruneStale(join(root, 'dist/src'));
const r = spawnSync(process.execPath, [tsc, '--build', join(root, 'tsconfig.src.json')], { stdio: 'inherit' });
if (r.status === 0 && pack) copyFileSync(join(root, 'package-lock.json'), join(root, 'npm-shrinkwrap.json'));
process.exit(r.status ?? 1);

/** Removes compiled files under `dir` whose .ts/.tsx source no longer exists. */
function pruneStale(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      pruneStale(p);
      continue;
    }
    const base = relative(join(root, 'dist/src'), p).replace(/(\.d\.ts|\.js)(\.map)?$/, '');
    if (!existsSync(join(root, 'src', base + '.ts')) && !existsSync(join(root, 'src', base + '.tsx'))) rmSync(p);
  }
}
