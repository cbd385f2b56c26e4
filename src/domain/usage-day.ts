/**
 * The usage day an instant falls in: the calendar date in `timeZone` of the instant moved
 * back by the rollover time, so that with rollover `04:00` the day `2026-11-21` runs from
 * 04:00 on the 21st to 04:00 on the 22nd, local time.
 *
 * @example
 * usageDay(Date.parse('2026-11-22T03:00:00Z'), 'UTC', '04:00') // → '2026-11-21'
 */
export function usageDay(now: number, timeZone: string, rollover: string): string {
  const [h, m] = rollover.split(':').map(Number) as [number, number];
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(local - (h * 60 + m) * 60_000).toISOString().slice(0, 10);
}

/**
 * The instant the next usage day begins (to the second): when daily limits reset.
 *
 * @example
 * nextUsageDay(Date.parse('2026-11-22T03:00:00Z'), 'UTC', '04:00') // → Date.parse('2026-11-22T04:00:00Z')
 */
export function nextUsageDay(now: number, timeZone: string, rollover: string): number {
  const today = usageDay(now, timeZone, rollover);
  // A day lasts at most 25 hours (a daylight-saving change); search for its end.
  let [lo, hi] = [now, now + 26 * 3600_000];
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (usageDay(mid, timeZone, rollover) === today) lo = mid;
    else hi = mid;
  }
  return hi;
}
