import { Type } from 'typebox';
import { importIdentities, parseIdentityLines } from '../commands/identities.ts';
import { controlJob, startJob } from '../commands/jobs.ts';
import { invalid } from '../domain/errors.ts';
import { getJob, listAttempts, listIdentities, listJobs, type JobRow } from '../projections/registration-queries.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import {
  answers, AttemptList, FlowsView, Id, IdentitiesImported, IdentityList, JobControlled, JobStarted, JobView, Offset, Position, ProviderList,
} from './schemas.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

function jobView(j: JobRow) {
  return {
    jobId: j.job_id, poolId: j.pool_id, providerId: j.provider_id, status: j.status, stalled: j.stalled, config: j.config,
    counts: { succeeded: j.succeeded, failed: j.failed, retrying: j.retrying, attempts: j.attempts },
    startedAt: iso(j.started_at), updatedAt: iso(j.updated_at), endedAt: iso(j.ended_at),
    supervisor: j.node_id ? { nodeId: j.node_id, heartbeatAt: iso(j.heartbeat_at) } : null,
  };
}

const PoolParams = Type.Object({ poolId: Id });
const JobParams = Type.Object({ jobId: Id });

const IdentitiesBody = Type.Object({
  identities: Type.Optional(Type.Array(Type.Object({
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    extra: Type.Optional(Type.Record(Type.String({ pattern: '^[\\s\\S]{0,100}$' }), Type.String({ maxLength: 4096 }), { additionalProperties: false, maxProperties: 100 })),
  }, { additionalProperties: false }), { maxItems: 10000 })),
  lines: Type.Optional(Type.String({ maxLength: 10_000_000, description: 'email:password, one per line' })),
}, { additionalProperties: false, minProperties: 1 });

const StartJobBody = Type.Object({
  jobId: Type.Optional(Id),
  concurrency: Type.Integer({ minimum: 1, maximum: 1024, description: 'flows at once (worker threads)' }),
  retries: Type.Integer({ minimum: 1, maximum: 5, description: 'attempts after the first, for retryable errors' }),
  backoffMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600_000 })),
  continuous: Type.Optional(Type.Boolean()),
  pollIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 86_400_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  stallAfterMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 86_400_000 })),
}, { additionalProperties: false });

/** Identities, registration jobs and their run logs, and the configured providers. */
export default function registrationRoutes(app: App, s: Services): void {
  const tags = ['registration'];

  app.get('/v1/providers', { schema: { tags, response: answers({ 200: ProviderList }) } }, async () =>
    s.providers.all().map((p) => ({ providerId: p.id, limits: p.limits, can: p.can })));

  app.get('/v1/flows', { schema: { tags, response: answers({ 200: FlowsView }) } }, async () => s.flows.status());

  app.post('/v1/pools/:poolId/identities', { bodyLimit: 10_000_000, schema: { tags, params: PoolParams, body: IdentitiesBody, response: answers({ 200: IdentitiesImported }) } }, async (req) => {
    await s.allocators.get(req.params.poolId);
    const b = req.body;
    const sources = [
      ...(b.identities ?? []).map((item, i) => ({ line: i + 1, item })),
      ...parseIdentityLines(b.lines ?? '').map((l) => ({ ...l, line: l.line + (b.identities?.length ?? 0) })),
    ];
    if (!sources.length) throw invalid([{ field: 'identities', message: 'no identity given' }]);
    const { lines, position } = await importIdentities(s, req.params.poolId, sources, req.ctx);
    const count = (r: string) => lines.filter((l) => l.result === r).length;
    return { imported: count('imported'), duplicates: count('duplicate'), invalid: count('invalid'), lines, position };
  });

  app.get('/v1/pools/:poolId/identities', {
    schema: {
      tags, params: PoolParams,
      querystring: Type.Object({
        registered: Type.Optional(Type.Boolean()), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        offset: Offset, position: Position,
      }, { additionalProperties: false }),
      response: answers({ 200: IdentityList }),
    },
  }, async (req) => {
    const q = req.query;
    await readModelsAt(s, q.position);
    const { items, total } = await listIdentities(s.db, { poolId: req.params.poolId, registered: q.registered, limit: q.limit, offset: q.offset });
    return {
      items: items.map((i) => ({ identityId: i.identity_id, email: i.email, fields: i.fields, registered: i.registered, importedAt: iso(i.imported_at) })),
      total, limit: q.limit, offset: q.offset,
    };
  });

  app.post('/v1/pools/:poolId/jobs', { schema: { tags, params: PoolParams, body: StartJobBody, response: answers({ 201: JobStarted }) } }, async (req, reply) => {
    const started = await startJob(s, { ...req.body, poolId: req.params.poolId }, req.ctx);
    return reply.code(201).send(started);
  });

  app.get('/v1/pools/:poolId/jobs', {
    schema: { tags, params: PoolParams, querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), position: Position }), response: answers({ 200: Type.Array(JobView) }) },
  }, async (req) => {
    await readModelsAt(s, req.query.position);
    return (await listJobs(s.db, req.params.poolId, req.query.limit)).map(jobView);
  });

  app.get('/v1/jobs/:jobId', { schema: { tags, params: JobParams, querystring: Type.Object({ position: Position }), response: answers({ 200: JobView }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    return jobView(await getJob(s.db, req.params.jobId));
  });

  app.get('/v1/jobs/:jobId/attempts', {
    schema: {
      tags, params: JobParams,
      querystring: Type.Object({
        after: Type.Integer({ minimum: -1, maximum: Number.MAX_SAFE_INTEGER, default: -1, description: 'seq of the last attempt seen' }),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }), position: Position,
      }, { additionalProperties: false }),
      response: answers({ 200: AttemptList }),
    },
  }, async (req) => {
    await readModelsAt(s, req.query.position);
    await getJob(s.db, req.params.jobId);
    const rows = await listAttempts(s.db, req.params.jobId, req.query.after, req.query.limit);
    return rows.map((r) => ({
      seq: r.seq, identityId: r.identity_id, email: r.email, attempt: r.attempt, outcome: r.outcome, step: r.step,
      durationMs: r.duration_ms, error: r.error, retryAt: iso(r.retry_at), at: iso(r.at),
    }));
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.post(`/v1/jobs/:jobId/${action}`, { schema: { tags, params: JobParams, response: answers({ 200: JobControlled }) } }, async (req) =>
      ({ jobId: req.params.jobId, ...(await controlJob(s, req.params.jobId, action, req.ctx)) }));
  }
}
