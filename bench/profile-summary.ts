// Prints where a V8 CPU profile spent its time: the top functions by self
// time and by total (inclusive) time. For profiles of the server under load:
//
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node dist/bench/run.js mixed --quick
//   node dist/bench/profile-summary.js /tmp/prof/CPU.*.cpuprofile [top]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

function summarize(path: string, top: number): void {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per node from the sample deltas (more exact than hit counts).
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  }
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  for (const [id, us] of self) {
    selfBy.set(label(byId.get(id)!), (selfBy.get(label(byId.get(id)!)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      totalBy.set(l, (totalBy.get(l) ?? 0) + us);
    }
  }
  const all = p.endTime - p.startTime;
  const idle = [...selfBy].filter(([l]) => l.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
  const pct = (us: number): string => ((100 * us) / all).toFixed(1).padStart(5) + '%';
  process.stdout.write(`${path}\n  ${(all / 1e6).toFixed(1)} s profiled, ${pct(all - idle)} busy\n  self:\n`);
  for (const [l, us] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${l}\n`);
  process.stdout.write('  total:\n');
  for (const [l, us] of [...totalBy].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${l}\n`);
}

// Piped into `head`: stop quietly when the reader goes.
process.stdout.on('error', () => process.exit(0));
const args = process.argv.slice(2);
const top = /^\d+$/.test(args.at(-1) ?? '') ? Number(args.pop()) : 25;
if (args.length === 0) {
  process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile... [top]\n');
  process.exit(2);
}
for (const f of args) summarize(f, top);
