import type { Counter, LabelValues, Metric, Registry } from 'prom-client';

/** The labels of one series, by label name. */
type Labels = Readonly<Record<string, string>>;

/** One series of a {@link BoundHistogram}: `observe` is a scan of the buckets and two additions. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i += 1;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/**
 * A Prometheus histogram whose label sets are bound once ({@link bind}): prom-client's `Histogram`
 * checks, hashes and looks its labels up on every `observe`, a bound `labels()` child included,
 * which cost about 2 µs a request here (CPU profile, docs/PERFORMANCE.md). Registered in a
 * prom-client `Registry`, which writes it out as it writes prom-client's own histograms.
 */
export class BoundHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // The registry asks a metric for no more than its name, help, type and `get()`.
    registry.registerMetric(this as unknown as Metric);
  }

  /** A new series with these labels: call once per label set and keep it. */
  bind(labels: Labels): HistogramSeries {
    const series = new HistogramSeries(labels, this.buckets);
    this.series.push(series);
    return series;
  }

  /** What prom-client's `Histogram.get()` returns for the same observations. */
  get() {
    const bucket = `${this.name}_bucket`;
    const values = this.series.flatMap(({ labels, counts, sum, count }) => {
      let cumulative = 0;
      return [
        ...this.buckets.map((le, i) => {
          cumulative += counts[i]!;
          return { labels: { le, ...labels }, value: cumulative, metricName: bucket };
        }),
        { labels: { le: '+Inf', ...labels }, value: count, metricName: bucket },
        { labels: { ...labels }, value: sum, metricName: `${this.name}_sum` },
        { labels: { ...labels }, value: count, metricName: `${this.name}_count` },
      ];
    });
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }
}

/** One series of a {@link BoundCounter}: `inc` adds to a number. */
export class CounterSeries<L extends string> {
  pending = 0;

  constructor(readonly labels: LabelValues<L>) {}

  inc(): void {
    this.pending += 1;
  }
}

/**
 * A prom-client `Counter` whose label sets are bound once ({@link bind}): increments add to a
 * number per series, handed to the counter when it is scraped. Create the counter with
 * `collect() { bound.flush() }`.
 */
export class BoundCounter<L extends string> {
  private readonly series: CounterSeries<L>[] = [];

  constructor(private readonly counter: Counter<L>) {}

  /** A series with these labels, at zero from now on (so that dashboards see it before it moves). */
  bind(labels: LabelValues<L>): CounterSeries<L> {
    this.counter.inc(labels, 0);
    const series = new CounterSeries(labels);
    this.series.push(series);
    return series;
  }

  /** Hands the pending increments to the counter (its `collect`, called before every scrape). */
  flush(): void {
    for (const series of this.series) {
      if (series.pending === 0) continue;
      this.counter.inc(series.labels, series.pending);
      series.pending = 0;
    }
  }
}
