import type pg from 'pg';

/** Spend against budgets, per scope (`key:{id}`, `user:{id}`) and period (`2026-12-03`, `2026-12`). */
export const budgetsSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS budget_spend (
  scope text NOT NULL,
  period text NOT NULL,
  reserved numeric NOT NULL DEFAULT 0,
  spent numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, period)
);
`;

/**
 * Budgets that hold under concurrency: a request reserves what it may spend before it
 * runs, in one statement that refuses when spent plus reserved would pass the limit, and
 * settles with what it spent after. A node that dies between the two holds its
 * reservation until the period ends (at most one request's reservation per death).
 *
 * @example
 * if (await budgets.reserve('key:k1', '2026-12', 1, 10)) {
 *   await budgets.settle('key:k1', '2026-12', 1, spent);
 * }
 */
export class Budgets {
  constructor(private readonly pool: pg.Pool) {}

  /** Reserves `amount` if spent + reserved + amount stays within `limit`; answers whether it did. */
  async reserve(scope: string, period: string, amount: number, limit: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO budget_spend AS b (scope, period, reserved) SELECT $1, $2, $3::numeric WHERE $3::numeric <= $4::numeric
       ON CONFLICT (scope, period) DO UPDATE SET reserved = b.reserved + EXCLUDED.reserved
       WHERE b.spent + b.reserved + EXCLUDED.reserved <= $4::numeric`,
      [scope, period, amount, limit],
    );
    return rowCount === 1;
  }

  /** Turns a reservation of `reserved` into `spent` actually spent (0 gives it all back). */
  async settle(scope: string, period: string, reserved: number, spent: number): Promise<void> {
    await this.pool.query(
      'UPDATE budget_spend SET reserved = greatest(0, reserved - $3::numeric), spent = spent + $4::numeric WHERE scope = $1 AND period = $2',
      [scope, period, reserved, spent],
    );
  }

  /** Adds `amount` spent without a reservation (tokens counted after the request that used them), whatever the limit. */
  async charge(scope: string, period: string, amount: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO budget_spend AS b (scope, period, spent) VALUES ($1, $2, $3::numeric)
       ON CONFLICT (scope, period) DO UPDATE SET spent = b.spent + EXCLUDED.spent`,
      [scope, period, amount],
    );
  }

  /** What a scope has spent and holds reserved in a period. */
  async usage(scope: string, period: string): Promise<{ spent: number; reserved: number }> {
    const { rows } = await this.pool.query<{ spent: string; reserved: string }>('SELECT spent, reserved FROM budget_spend WHERE scope = $1 AND period = $2', [scope, period]);
    return { spent: Number(rows[0]?.spent ?? 0), reserved: Number(rows[0]?.reserved ?? 0) };
  }
}
