/**
 * The gateway's choice in a pool where 99% of the accounts cool down for the model: the
 * order that keeps cooling accounts out (as built) against one that yields them and has
 * the caller skip them (as the gateway did before), per request, for the first eligible
 * account and for a whole walk (a request for which every eligible account failed, and a
 * 429 when all cool). Prints µs per walk; never fails on a time.
 *
 *   npx tsx test/bench/gateway-cooling.ts
 */
import { GatewayOrder } from '../../src/commands/gateway-order.ts';

/** µs per call of `walk`, after a warm-up. */
function time(walk: () => void): number {
  for (let i = 0; i < 50; i++) walk();
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) walk();
  return ((performance.now() - t0) / 500) * 1000;
}

console.log('| accounts | first eligible, skipping in the walk (µs) | first eligible, cooling out of the order (µs) | whole walk, skipping (µs) | whole walk, out of the order (µs) |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const n of [1_000, 10_000, 100_000]) {
  const ids = Array.from({ length: n }, (_, i) => `acct-${String(i).padStart(6, '0')}`);
  // One account in a hundred serves; the others cool for an hour.
  const coolsUntil = new Map(ids.map((id, i) => [id, i % 100 === 0 ? 0 : Date.now() + 3_600_000]));
  const cools = (id: string, now: number) => coolsUntil.get(id)! > now;
  const skipping = new GatewayOrder('round_robin', () => [0, 0]);
  const out = new GatewayOrder('round_robin', (id, now) => (cools(id, now) ? { until: coolsUntil.get(id)! } : [0, 0]));
  for (const id of ids) {
    skipping.touch(id);
    out.touch(id);
  }
  const first = (order: GatewayOrder, skip: boolean) => () => {
    const now = Date.now();
    for (const id of order.walk({ after: 'acct-000501', now })) if (!skip || !cools(id, now)) break;
  };
  const whole = (order: GatewayOrder, skip: boolean) => () => {
    const now = Date.now();
    let eligible = 0;
    for (const id of order.walk({ after: 'acct-000500', now })) if (!skip || !cools(id, now)) eligible++;
    if (eligible !== Math.ceil(n / 100)) throw new Error(`${eligible} eligible`);
  };
  const cells = [time(first(skipping, true)), time(first(out, false)), time(whole(skipping, true)), time(whole(out, false))];
  console.log(`| ${n} | ${cells.map((c) => c.toFixed(1)).join(' | ')} |`);
}
