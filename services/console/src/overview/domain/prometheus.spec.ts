import { parsePrometheus, pointOf, throughput } from './prometheus.js';

const SCRAPE = `# HELP cie_kafka_consumer_lag Messages behind
# TYPE cie_kafka_consumer_lag gauge
cie_kafka_consumer_lag{group="exchange",topic="credit.courts.events.v1",partition="0"} 3
cie_kafka_consumer_lag{group="exchange",topic="credit.courts.events.v1",partition="1"} 4
cie_exchange_events_processed_total{sector="courts",outcome="stored"} 10
cie_exchange_events_processed_total{sector="tax",outcome="dead_lettered"} 2
cie_dead_letters_total{topic="credit.courts.events.v1",reason="undecodable"} 1
cie_dead_letters_total{topic="credit.tax.events.v1",reason="undecodable"} 2
cie_dead_letters_total{topic="credit.tax.events.v1",reason="invalid_field"} 5
process_cpu_seconds_total 1.5e+0
`;

describe('the overview reads the exchange metrics', () => {
  it('parses labels, escapes and numbers of the Prometheus text format', () => {
    const [sample] = parsePrometheus('x{a="q\\"uote",b="2"} 7\n');
    expect(sample).toEqual({ name: 'x', labels: { a: 'q"uote', b: '2' }, value: 7 });
    expect(parsePrometheus(SCRAPE).find((s) => s.name === 'process_cpu_seconds_total')?.value).toBe(1.5);
  });

  it('sums lag over partitions, processed events over sectors, and dead letters by reason code', () => {
    expect(pointOf(0, SCRAPE)).toEqual({
      at: 0,
      lag: 7,
      processed: 12,
      deadLettersByReason: { undecodable: 3, invalid_field: 5 },
    });
  });

  it('gives throughput as the counter rate, counting from zero after a restart', () => {
    // Given three scrapes 5 s apart, the exchange restarted before the third
    const points = [
      { at: 0, lag: 0, processed: 100, deadLettersByReason: {} },
      { at: 5000, lag: 0, processed: 150, deadLettersByReason: {} },
      { at: 10000, lag: 0, processed: 20, deadLettersByReason: {} },
    ];
    // Then the rates are 10/s and 4/s
    expect(throughput(points)).toEqual([
      { at: 5000, value: 10 },
      { at: 10000, value: 4 },
    ]);
  });
});
