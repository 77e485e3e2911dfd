import { Counter, Histogram, Registry } from 'prom-client';
import { BoundCounter, BoundHistogram } from './bound-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [
  [{ method: 'GET', route: '/a "quoted"\\path', status_code: '200' }, [0.0005, 0.001, 0.05, 3]],
  [{ method: 'POST', route: '/b', status_code: '401' }, [0.2]],
] as const;

describe('BoundHistogram', () => {
  it("writes the same text as prom-client's Histogram for the same observations", async () => {
    const theirs = new Registry();
    const histogram = new Histogram({
      name: 'request_seconds',
      help: 'Help with "quotes" and \\ backslash.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const ours = new Registry();
    const bound = new BoundHistogram(
      'request_seconds',
      'Help with "quotes" and \\ backslash.',
      BUCKETS,
      ours,
    );
    for (const [labels, values] of OBSERVED) {
      const series = bound.bind(labels);
      for (const value of values) {
        histogram.observe(labels, value);
        series.observe(value);
      }
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain(
      'request_seconds_bucket{le="0.001",method="GET",route="/a \\"quoted\\"\\\\path",status_code="200"} 2',
    );
  });
});

describe('BoundCounter', () => {
  it('shows a bound series at zero, and its increments once scraped', async () => {
    const registry = new Registry();
    const bound: BoundCounter<'result'> = new BoundCounter(
      new Counter({
        name: 'lookups_total',
        help: 'Lookups.',
        labelNames: ['result'],
        registers: [registry],
        collect: () => bound.flush(),
      }),
    );
    const hit = bound.bind({ result: 'hit' });
    bound.bind({ result: 'miss' });
    expect(await registry.metrics()).toContain('lookups_total{result="hit"} 0');
    hit.inc();
    hit.inc();
    expect(await registry.metrics()).toContain('lookups_total{result="hit"} 2');
    hit.inc();
    const text = await registry.metrics();
    expect(text).toContain('lookups_total{result="hit"} 3');
    expect(text).toContain('lookups_total{result="miss"} 0');
  });
});
