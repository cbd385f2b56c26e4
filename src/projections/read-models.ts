import { accountsProjection } from './accounts.ts';
import { poolsProjection } from './pools.ts';
import { sessionsProjection } from './sessions.ts';

/** Every read model Roster keeps; one runner follows the log for all of them. */
export const readModels = [accountsProjection, sessionsProjection, poolsProjection];
