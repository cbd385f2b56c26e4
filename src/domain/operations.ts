/**
 * Operations (stream `operations-{poolId}`): what an operator asked of a pool through the
 * existing account-pool API, recorded before it is acted on (who asked, when).
 */
import { Type } from 'typebox';
import { defineEvent, eventSet, Instant, type EventsIn } from './events.ts';

export const RefreshRequested = defineEvent('RefreshRequested', Type.Object({
  poolId: Type.String(), email: Type.Optional(Type.String()), force: Type.Boolean(), at: Instant,
}));
export const ReplenishRequested = defineEvent('ReplenishRequested', Type.Object({
  poolId: Type.String(), count: Type.Optional(Type.Integer({ minimum: 1 })), at: Instant,
}));
/** The events of a pool's operations stream. */
export const operationEvents = eventSet(RefreshRequested, ReplenishRequested);
export type OperationEvent = EventsIn<typeof operationEvents>;
