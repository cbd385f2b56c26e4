import { Type } from 'typebox';
import { refreshSession, signIn, type Tokens } from '../commands/sign-in.ts';
import { DomainError } from '../domain/errors.ts';
import type { App, Services } from './app.ts';

/** RFC 6749 §5.2's error codes that Roster answers with. */
type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 §5.2 error: its code, a description naming what is wrong, and the HTTP status. */
class OAuthError extends Error {
  constructor(readonly error: OAuthErrorCode, readonly description: string, readonly status = 400, readonly retryAfter?: number) {
    super(description);
  }
}

const FORM = 'application/x-www-form-urlencoded';
const LIMITS: Record<string, number> = { grant_type: 50, username: 254, password: 128, refresh_token: 200, scope: 200, client_id: 200 };

/**
 * The form's parameters; a parameter sent twice, unknown to the grant, or too long is an
 * `invalid_request` naming it (RFC 6749 §3.2: "parameters MUST NOT be included more than once").
 */
function parametersOf(body: string): Record<string, string> {
  const params = new URLSearchParams(body);
  const out: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in out) throw new OAuthError('invalid_request', `${name}: sent more than once`);
    if (LIMITS[name] !== undefined && value.length > LIMITS[name]) throw new OAuthError('invalid_request', `${name}: longer than ${LIMITS[name]} characters`);
    out[name] = value;
  }
  return out;
}

function required(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (!value) throw new OAuthError('invalid_request', `${name}: required`);
  return value;
}

/** Roster's refusals as RFC 6749 errors: wrong credentials and bad refresh tokens are `invalid_grant`. */
function oauthErrorOf(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof DomainError) {
    if (error.code === 'rate_limited') return new OAuthError('invalid_grant', error.detail, 429, error.retryAfterSeconds);
    if (error.code === 'invalid_input') return new OAuthError('invalid_request', error.detail);
    if (['invalid_credentials', 'unauthorized', 'email_not_verified', 'user_disabled'].includes(error.code)) return new OAuthError('invalid_grant', error.detail);
  }
  throw error;
}

const answer = (t: Tokens) => ({ access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresIn, refresh_token: t.refreshToken, scope: t.user.role });

/**
 * The OAuth 2.0 token endpoint (RFC 6749 §4.3 and §6): `password` and `refresh_token`
 * grants, form-encoded, errors as §5.2. A public client: `client_id` may be sent and is
 * not checked. The granted scope is the user's role.
 *
 * @example
 * curl -d grant_type=password -d username=ada@example.test -d password=… http://127.0.0.1:8080/oauth/token
 */
export default function oauthRoutes(app: App, s: Services): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, String(body)));
    scope.post('/oauth/token', {
      schema: {
        tags: ['auth'], security: [], summary: 'OAuth 2.0 token endpoint (password and refresh_token grants)',
        consumes: [FORM],
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer(), refresh_token: Type.String(), scope: Type.String() }),
          '4xx': Type.Object({ error: Type.String(), error_description: Type.String() }),
        },
      },
    }, async (req, reply) => {
      // Token answers are never cached (RFC 6749 §5.1).
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      try {
        if (!String(req.headers['content-type'] ?? '').startsWith(FORM)) throw new OAuthError('invalid_request', `the body must be ${FORM}`);
        const params = parametersOf(typeof req.body === 'string' ? req.body : '');
        const grant = required(params, 'grant_type');
        if (grant === 'password') {
          return answer(await signIn(s.users, required(params, 'username'), required(params, 'password'), s.users.settings, undefined, req.ip));
        }
        if (grant === 'refresh_token') return answer(await refreshSession(s.users, required(params, 'refresh_token')));
        throw new OAuthError('unsupported_grant_type', `grant_type: ${grant.slice(0, 50)} is not supported; use password or refresh_token`);
      } catch (error) {
        const e = oauthErrorOf(error);
        if (e.retryAfter) reply.header('retry-after', String(e.retryAfter));
        return reply.code(e.status).send({ error: e.error, error_description: e.description });
      }
    });
  });
}
