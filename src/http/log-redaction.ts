/**
 * What a request's log line shows of its URL: Roster's own credentials cut to their public
 * part, wherever a client put them (a key pasted into a query or a path). The URL is the
 * one part of a request fastify logs; headers and bodies are never logged.
 */
import type { FastifyRequest } from 'fastify';

/** API keys (`rk_` + id + `_` + secret), admin tokens (`roster_` + id + `_` + secret), refresh tokens (`rt_…`) and JWTs. */
const CREDENTIALS = /(rk_[0-9a-f]{8})[0-9a-f]{24}_[\w-]+|(roster_[0-9a-f]{8}_)[\w-]+|(?<![\w-])(rt_)[\w-]{16,}|(eyJ)[\w-]*\.[\w-]*\.[\w-]*/g;

/**
 * Text with every credential of Roster's cut to the part lists show.
 *
 * @example
 * redactCredentials('/v1/users?keyPrefix=rk_0123456789abcdef0123456789abcdef_s3cr3t') // → '/v1/users?keyPrefix=rk_01234567…'
 */
export const redactCredentials = (text: string): string =>
  text.replace(CREDENTIALS, (_match, key?: string, token?: string, refresh?: string, jwt?: string) => `${key ?? token ?? refresh ?? jwt}…`);

/** The request as log lines show it: fastify's own fields, the URL redacted. */
export const requestSerializer = (req: FastifyRequest) => ({
  method: req.method, url: redactCredentials(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort,
});

/** Logger options with the request serializer added to those given. */
export const withRequestSerializer = (options: { serializers?: Record<string, unknown> }) =>
  ({ ...options, serializers: { ...options.serializers, req: requestSerializer } });
