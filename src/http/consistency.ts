import type { Position } from '../store/port.ts';
import type { Services } from './app.ts';

/**
 * Read your own writes: waits, bounded, until the read models reach the position a command
 * answered (nothing to wait for without one); 400 at once for a position past the log's head.
 *
 * @example
 * await readModelsAt(s, req.query.position);
 */
export function readModelsAt(s: Pick<Services, 'db' | 'store' | 'readModels'>, position: Position | undefined): Promise<void> {
  return s.readModels.reach(s.db, position, () => s.store.headPosition());
}
