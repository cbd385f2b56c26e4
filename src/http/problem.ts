import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { catalogue, DomainError, type FieldError } from '../domain/errors.ts';
import { refusal } from '../commands/errors.ts';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<FieldError & { in?: string }>;
}

/**
 * Names each bad field of a schema validation failure once: `count`, `health.lowRatio`, …
 * A field that matched no branch of a choice of constants says which values it may take.
 */
function fieldsOf(error: FastifyError): Array<FieldError & { in?: string }> {
  const byField = new Map<string, { messages: string[]; allowed: unknown[] }>();
  for (const v of error.validation ?? []) {
    const path = v.instancePath.split('/').filter(Boolean);
    const params = v.params as { missingProperty?: string; additionalProperty?: string; allowedValue?: unknown };
    if (params?.missingProperty) path.push(params.missingProperty);
    if (params?.additionalProperty !== undefined) path.push(params.additionalProperty);
    const field = path.join('.') || '(body)';
    const entry = byField.get(field) ?? { messages: [], allowed: [] };
    byField.set(field, entry);
    if (v.keyword === 'const') entry.allowed.push(params.allowedValue);
    else if (v.keyword !== 'anyOf') entry.messages.push(params?.additionalProperty !== undefined ? 'is not a field or key this takes' : v.message ?? 'is invalid');
  }
  return [...byField].map(([field, { messages, allowed }]) => ({
    field, in: error.validationContext,
    message: allowed.length ? `must be one of ${allowed.join(', ')}` : messages[0] ?? 'is invalid',
  }));
}

/**
 * RFC 9457 problem for any error, the one place errors become answers: a refusal
 * (`DomainError`, or a store error that means one) keeps its code, a schema validation
 * failure names its fields, fastify's own 4xx keep their status, anything else is 500.
 */
export function toProblem(error: unknown): Problem {
  const refused = refusal(error);
  if (refused) return problemOf(refused);
  const e = error as FastifyError;
  if (e.validation) {
    const errors = fieldsOf(e);
    return {
      type: '/problems/invalid_input', title: catalogue.invalid_input.title, status: 400, code: 'invalid_input',
      detail: errors.map((f) => `${f.field}: ${f.message}`).join('; '), errors,
    };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own refusals (415, 413, 408, …) keep their status and get its standard title.
    const title = STATUS_CODES[e.statusCode] ?? 'Bad Request';
    return { type: `/problems/${e.statusCode === 400 ? 'bad_request' : title.toLowerCase().replace(/\W+/g, '_')}`, title, status: e.statusCode, detail: e.message, code: e.code ?? 'bad_request' };
  }
  return { type: '/problems/internal', title: 'Internal error', status: 500, detail: 'an unexpected error occurred', code: 'internal' };
}

function problemOf(error: DomainError): Problem {
  const entry = catalogue[error.code];
  return {
    type: `/problems/${error.code}`, title: entry.title, status: entry.status, detail: error.detail, code: error.code,
    ...(error.fields.length ? { errors: error.fields } : {}),
  };
}

/** Fastify error handler: answers problem+json; compatibility routes also get `success: false`. */
export function problemHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const refused = refusal(error);
  const problem = refused ? problemOf(refused) : toProblem(error);
  if (problem.code === 'internal') request.log.error({ err: error }, 'request failed');
  if (problem.code === 'unavailable') request.log.warn({ err: error }, 'the database cannot be reached');
  if (refused?.retryAfterSeconds) reply.header('retry-after', String(refused.retryAfterSeconds));
  const body = request.url.startsWith('/api/') ? { success: false, message: problem.detail, ...problem } : problem;
  return reply.code(problem.status).type('application/problem+json').send(body);
}
