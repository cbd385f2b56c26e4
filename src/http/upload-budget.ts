/**
 * The bytes of upload bodies the gateway holds at once. An upload is read whole before it is
 * sent on (to send it again to another account if the first fails), so the gateway bounds
 * what uploads under way hold: at most `memory` bytes in all, and at most half of it for one
 * key, so that one client's uploads never crowd out everyone else's. An upload as large as
 * the limit for one always fits when nothing else is held.
 *
 * @example
 * const budget = new UploadBudget(256 * 2 ** 20, 64 * 2 ** 20);
 * const release = budget.take('key-1', 10_000_000); // → a function, or undefined when full
 * release?.();
 */
export class UploadBudget {
  private held = 0;
  private readonly byKey = new Map<string, number>();
  private readonly perKey: number;
  private readonly total: number;

  constructor(memory: number, limit: number) {
    this.total = Math.max(memory, limit);
    this.perKey = Math.max(Math.floor(memory / 2), limit);
  }

  /** Holds `bytes` for a key: the function that gives them back (once), or undefined when they would pass a bound. */
  take(keyId: string, bytes: number): (() => void) | undefined {
    const mine = this.byKey.get(keyId) ?? 0;
    if (this.held + bytes > this.total || mine + bytes > this.perKey) return undefined;
    this.held += bytes;
    this.byKey.set(keyId, mine + bytes);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.held -= bytes;
      const left = (this.byKey.get(keyId) ?? bytes) - bytes;
      if (left > 0) this.byKey.set(keyId, left);
      else this.byKey.delete(keyId);
    };
  }

  /** Bytes held now, in all. */
  get inUse(): number {
    return this.held;
  }
}
