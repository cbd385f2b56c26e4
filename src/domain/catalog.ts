/**
 * Every event Roster records, by stream kind: the store's codec checks and upcasts them
 * (store/codec.ts).
 */
import { accountEvents, type AccountEvent } from './account.ts';
import { eventSet } from './events.ts';
import { identitiesEvents, type IdentitiesEvent } from './identities.ts';
import { operationEvents, type OperationEvent } from './operations.ts';
import { jobEvents, type JobEvent } from './job.ts';
import { poolEvents, type PoolEvent } from './pool.ts';
import { userEvents, type UserEvent } from './user.ts';
import { apiKeyEvents, type ApiKeyEvent } from './api-key.ts';
import { gatewayEvents, type GatewayEvent } from './gateway.ts';
import { routeEvents, type RouteEvent } from './gateway-routes.ts';

export const rosterEvents = eventSet(
  ...accountEvents.definitions, ...poolEvents.definitions, ...jobEvents.definitions, ...identitiesEvents.definitions, ...operationEvents.definitions,
  ...userEvents.definitions, ...apiKeyEvents.definitions, ...gatewayEvents.definitions,
  ...routeEvents.definitions,
);
/** Any event of Roster's log. */
export type RosterEvent = AccountEvent | PoolEvent | JobEvent | IdentitiesEvent | OperationEvent | UserEvent | ApiKeyEvent | GatewayEvent | RouteEvent;
