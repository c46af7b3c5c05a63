// The full-screen client's modules import each other in one direction: no
// cycles (the model is a leaf the reducer parts share).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../src/tui/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)) {
    const base = normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '');
    for (const ext of ['.ts', '.tsx']) if (existsSync(base + ext)) out.push(base + ext);
  }
  return out;
}

test('src/tui has no import cycles', () => {
  const graph = new Map(sources(ROOT).map((f) => [f, importsOf(f)]));
  const done = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    for (const dep of graph.get(file) ?? []) {
      const at = path.indexOf(dep);
      if (at !== -1) cycles.push([...path.slice(at), dep].map((f) => f.slice(ROOT.length)).join(' -> '));
      else if (!done.has(dep)) visit(dep, [...path, dep]);
    }
    done.add(file);
  };
  for (const f of graph.keys()) if (!done.has(f)) visit(f, [f]);
  assert.ok(graph.size > 20, `found ${graph.size} modules`);
  assert.deepEqual(cycles, []);
});

test('parsing the options loads no React: React picks its build from NODE_ENV, which main sets after parsing', () => {
  const seen = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const dep of importsOf(file)) walk(dep);
  };
  // main.tsx loads the screen code (run.tsx) with a dynamic import, after NODE_ENV is set.
  walk(join(ROOT, 'main.tsx'));
  assert.ok(seen.has(join(ROOT, 'options.ts')) && seen.has(join(ROOT, 'config-file.ts')) && seen.has(join(ROOT, 'theme.ts')));
  const withReact = [...seen].filter((f) => /^import[^'"]*from '(react|ink)'/m.test(readFileSync(f, 'utf8')));
  assert.deepEqual(withReact.map((f) => f.slice(ROOT.length)), []);
});
