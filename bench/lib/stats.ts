// Latency histograms that merge across worker processes, and the small
// statistics the report needs (median of runs, percentiles of samples).

const SUB = 64;
const BUCKETS = 2048;

/** Bucket of a value in microseconds: exact below 128, then 64 buckets per power of two (~1.6 % wide). */
function bucketOf(us: number): number {
  const v = Math.max(0, Math.floor(us));
  if (v < 2 * SUB) return v;
  const e = 31 - Math.clz32(v) - 6;
  return Math.min(BUCKETS - 1, 2 * SUB + (e - 1) * SUB + ((v >>> e) - SUB));
}

/** Middle of a bucket's range, in microseconds. */
function valueOf(bucket: number): number {
  if (bucket < 2 * SUB) return bucket;
  const e = Math.floor((bucket - 2 * SUB) / SUB) + 1;
  const sub = ((bucket - 2 * SUB) % SUB) + SUB;
  return (sub << e) + (1 << (e - 1));
}

/** A mergeable latency histogram in microseconds, with the exact maximum. */
export class Histogram {
  readonly counts: number[] = new Array<number>(BUCKETS).fill(0);
  count = 0;
  max = 0;

  record(us: number): void {
    this.counts[bucketOf(us)]!++;
    this.count++;
    if (us > this.max) this.max = us;
  }

  merge(other: HistogramData): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The value below which fraction `q` of the samples fall, in microseconds. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }

  /** A plain object that crosses the IPC channel (counts trimmed of trailing zeros). */
  toData(): HistogramData {
    let last = BUCKETS;
    while (last > 0 && this.counts[last - 1] === 0) last--;
    return { counts: this.counts.slice(0, last), count: this.count, max: this.max };
  }

  static from(data: HistogramData): Histogram {
    const h = new Histogram();
    h.merge(data);
    return h;
  }
}

/** A histogram as sent between processes. */
export interface HistogramData {
  counts: number[];
  count: number;
  max: number;
}

/** Latency figures of one run, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const ms = (us: number): number => Math.round(us) / 1000;

export function summarize(h: Histogram): LatencySummary {
  return { p50: ms(h.quantile(0.5)), p90: ms(h.quantile(0.9)), p99: ms(h.quantile(0.99)), max: ms(h.max) };
}

/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Exact quantile of raw samples (small sample sets: the TUI keystrokes). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Rounds for the report: 3 significant figures, at most 3 decimals. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (v === 0) return 0;
  const digits = Math.max(0, Math.min(3, 2 - Math.floor(Math.log10(Math.abs(v)))));
  return Number(v.toFixed(digits));
}
