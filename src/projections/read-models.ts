import { auditProjection } from './audit.ts';
import { accountsProjection } from './accounts.ts';
import { poolsProjection } from './pools.ts';
import { attemptsProjection, identitiesProjection, jobsProjection } from './registration.ts';
import { sessionsProjection } from './sessions.ts';
import { usageProjection } from './usage.ts';
import { apiKeysProjection, usersProjection } from './users.ts';
import { gatewayUsageProjection } from './gateway-usage.ts';

/** Every read model Roster keeps; one runner follows the log for all of them. */
export const readModels = [accountsProjection, sessionsProjection, poolsProjection, identitiesProjection, jobsProjection, attemptsProjection, usageProjection, auditProjection, usersProjection, apiKeysProjection, gatewayUsageProjection];
