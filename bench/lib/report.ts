// What a case reports, how its figures become medians and ratios, and the
// files it leaves: bench/results/<case>.json and the summary table.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './stats.js';

/** Where results are committed (the source tree, not dist/); BENCH_RESULTS_DIR puts a side run elsewhere. */
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR || fileURLToPath(new URL('../../../bench/results/', import.meta.url));

/** The figures of one run: metric name to value. */
export type Figures = Record<string, number>;

/** A target a metric is held to. */
export interface Target {
  /** Human form, e.g. "≥ 0.6× baseline". */
  text: string;
  /** Whether the value meets it. */
  met: (value: number) => boolean;
}

/** One row of the summary table. */
export interface MetricRow {
  metric: string;
  unit: string;
  baseline: number | null;
  chatbox: number;
  /** chatbox / baseline, when the comparison means something. */
  ratio: number | null;
  target: string | null;
  met: boolean | null;
}

/** A finished case. */
export interface CaseReport {
  name: string;
  title: string;
  parameters: Record<string, unknown>;
  runs: { baseline: Figures[]; chatbox: Figures[] };
  rows: MetricRow[];
  notes: string[];
}

/** Medians of every metric over runs. */
export function medians(runs: Figures[]): Figures {
  const out: Figures = {};
  for (const key of Object.keys(runs[0] ?? {})) out[key] = round(median(runs.map((r) => r[key]!)));
  return out;
}

/**
 * A summary row from the medians. `target` applies to `value` (which defaults
 * to the chatbox median; pass the ratio for a relative target).
 */
export function row(
  metric: string,
  unit: string,
  base: Figures | null,
  box: Figures,
  key: string,
  opts: { ratio?: boolean; target?: Target; value?: number } = {},
): MetricRow {
  const b = base ? (base[key] ?? null) : null;
  const c = box[key]!;
  const ratio = opts.ratio && b ? round(c / b) : null;
  const value = opts.value ?? c;
  return {
    metric,
    unit,
    baseline: b,
    chatbox: c,
    ratio,
    target: opts.target?.text ?? null,
    met: opts.target ? opts.target.met(value) : null,
  };
}

/** The machine the figures come from. */
export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map(round),
  };
}

/** Writes bench/results/<case>.json. */
export function writeCaseResult(report: CaseReport, extra: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const body = {
    case: report.name,
    title: report.title,
    ...extra,
    parameters: report.parameters,
    medians: { baseline: medians(report.runs.baseline), chatbox: medians(report.runs.chatbox) },
    summary: report.rows,
    runs: report.runs,
    notes: report.notes,
    machine: machineInfo(),
  };
  writeFileSync(join(RESULTS_DIR, `${report.name}.json`), JSON.stringify(body, null, 2) + '\n');
}

const fmt = (v: number | null): string => (v === null ? '–' : String(round(v)));

/** A case's result file as the summary reads it back. */
interface StoredCase {
  title: string;
  startedAt: string;
  quick: boolean;
  summary: MetricRow[];
}

/** Case names in the order the table lists them. */
export type CaseOrder = readonly string[];

/** The markdown summary table of the given cases' stored results. */
export function summaryTable(cases: StoredCase[]): string {
  const lines = [
    '| case | metric | baseline | chatbox | ratio | target | met |',
    '|---|---|---:|---:|---:|---|:---:|',
  ];
  for (const r of cases) {
    for (const m of r.summary) {
      const unit = m.unit ? ` (${m.unit})` : '';
      const met = m.met === null ? '' : m.met ? 'yes' : '**no**';
      lines.push(`| ${r.title} | ${m.metric}${unit} | ${fmt(m.baseline)} | ${fmt(m.chatbox)} | ${fmt(m.ratio)} | ${m.target ?? ''} | ${met} |`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Rebuilds bench/results/summary.md from every case's stored result (a run
 * of some cases keeps the others' last figures) and returns it.
 */
export function writeSummary(order: CaseOrder): string {
  const stored: StoredCase[] = [];
  const files = new Set(readdirSync(RESULTS_DIR));
  for (const name of order) {
    if (!files.has(`${name}.json`)) continue;
    stored.push(JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as StoredCase);
  }
  const m = machineInfo();
  const when = stored.map((c) => `${c.title}: ${c.startedAt}${c.quick ? ' (quick)' : ''}`).join('; ');
  const text =
    `Medians over alternating baseline/chatbox runs on ${m.cpus} × ${String(m.cpuModel)}, ` +
    `Node ${String(m.node)}, load generators on the same machine.\n\n` +
    summaryTable(stored) +
    `\nRun at: ${when}.\n`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'summary.md'), text);
  return text;
}
