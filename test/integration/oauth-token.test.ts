/** The OAuth 2.0 token endpoint (RFC 6749): password and refresh_token grants, form-encoded, §5.2 errors. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser } from '../../src/commands/users.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('POST /oauth/token', () => {
  let t: TestRoster;
  const form = (fields: Record<string, string> | string) => t.call('POST', '/oauth/token', typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(), { token: null, contentType: 'application/x-www-form-urlencoded' });
  before(async () => {
    t = await startTestRoster();
    await registerUser(t.roster.services.users, { email: 'ada@example.test', password: 'analytical engine', role: 'operator', verified: true }, { actor: 'test', correlationId: 'c' });
  });
  after(async () => t.stop());

  it('grants tokens for a password, then for the refresh token, which rotates; the access token works on the API', async () => {
    const first = await form({ grant_type: 'password', username: 'ada@example.test', password: 'analytical engine', client_id: 'cli' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(Object.keys(first.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    assert.deepEqual([first.body.token_type, first.body.expires_in, first.body.scope], ['Bearer', 900, 'operator']);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token: first.body.access_token })).status, 200);
    const second = await form({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
  });

  it('answers RFC 6749 §5.2 errors: invalid_grant, invalid_request naming the parameter, unsupported_grant_type', async () => {
    const cases: Array<[Record<string, string> | string, number, string, RegExp]> = [
      [{ grant_type: 'password', username: 'ada@example.test', password: 'wrong' }, 400, 'invalid_grant', /./],
      [{ grant_type: 'password', username: 'nobody@example.test', password: 'wrong' }, 400, 'invalid_grant', /./],
      [{ grant_type: 'refresh_token', refresh_token: 'not-a-token' }, 400, 'invalid_grant', /./],
      [{ grant_type: 'password', username: 'ada@example.test' }, 400, 'invalid_request', /^password: required/],
      [{ username: 'ada@example.test' }, 400, 'invalid_request', /^grant_type: required/],
      ['grant_type=password&grant_type=refresh_token', 400, 'invalid_request', /^grant_type: sent more than once/],
      [{ grant_type: 'password', username: 'ada@example.test', password: 'x'.repeat(129) }, 400, 'invalid_request', /^password: longer/],
      [{ grant_type: 'client_credentials' }, 400, 'unsupported_grant_type', /^grant_type/],
    ];
    for (const [fields, status, error, description] of cases) {
      const r = await form(fields);
      assert.deepEqual([r.status, r.body.error], [status, error], JSON.stringify(fields));
      assert.match(r.body.error_description, description);
    }
    const json = await t.call('POST', '/oauth/token', { grant_type: 'password' }, { token: null });
    assert.deepEqual([json.status, json.body.error], [400, 'invalid_request'], 'a JSON body is not the form the RFC asks for');
  });
});
