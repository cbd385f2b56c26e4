import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseJson, parseProviders, trustProxyOf } from '../../src/config.ts';
import { DefaultRoutes } from '../../src/domain/gateway.ts';

describe('configuration', () => {
  it('fills in defaults and converts types', () => {
    const c = loadConfig({ ROSTER_PORT: '9000', ROSTER_COMPAT_LOOPBACK_OPEN: 'true' });
    assert.equal(c.ROSTER_PORT, 9000);
    assert.equal(c.ROSTER_COMPAT_LOOPBACK_OPEN, true);
    assert.equal(c.ROSTER_DATA_DIR, './data');
    assert.equal(c.ROSTER_EVENT_STORE, 'postgres');
  });
  it('names every bad variable at once, and never shows a secret value', () => {
    const key = 'not-a-real-key-but-secret';
    assert.throws(() => loadConfig({ ROSTER_PORT: 'abc', ROSTER_LOG_LEVEL: 'loud', ROSTER_ADMIN_TOKEN: key, ROSTER_EVENT_STORE: 'eventstoredb' }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const names = e.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(names, ['EVENTSTORE_CONNECTION_STRING', 'ROSTER_ADMIN_TOKEN', 'ROSTER_LOG_LEVEL', 'ROSTER_PORT']);
      assert.match(e.message, /ROSTER_LOG_LEVEL: must be one of fatal, error/);
      assert.equal(e.message.includes(key.slice(0, 6)), false);
      return true;
    });
  });
  it('points the existing API at the demo pool in demo mode, unless ROSTER_DEFAULT_POOL says otherwise', () => {
    assert.equal(loadConfig({}).ROSTER_DEFAULT_POOL, 'default');
    assert.equal(loadConfig({ ROSTER_DEMO: 'true' }).ROSTER_DEFAULT_POOL, 'demo');
    assert.equal(loadConfig({ ROSTER_DEMO: 'true', ROSTER_DEFAULT_POOL: 'mine' }).ROSTER_DEFAULT_POOL, 'mine');
  });
  it('takes the gateway\'s public address as an http(s) URL, a path allowed, and names anything else', () => {
    for (const good of ['https://llm.example.com', 'http://10.0.0.5:8081/', 'https://example.com/roster/gateway']) {
      assert.equal(loadConfig({ ROSTER_GATEWAY_PUBLIC_URL: good }).ROSTER_GATEWAY_PUBLIC_URL, good);
    }
    for (const bad of ['llm.example.com', 'ftp://llm.example.com', 'https://', 'https://a b', 'https://x/?q=1', 'https://x/#top']) {
      assert.throws(() => loadConfig({ ROSTER_GATEWAY_PUBLIC_URL: bad }), /ROSTER_GATEWAY_PUBLIC_URL/, bad);
    }
  });
  it('requires a master key with an external database', () => {
    assert.throws(() => loadConfig({ ROSTER_DATABASE_URL: 'postgres://u:p@h/db' }), /ROSTER_MASTER_KEY: required/);
  });
  it('reads the trusted proxies: none by default, all, or addresses and CIDR ranges; anything else is named', () => {
    assert.equal(trustProxyOf(loadConfig({}).ROSTER_TRUST_PROXY), false);
    assert.equal(trustProxyOf('true'), true);
    assert.deepEqual(trustProxyOf(' 10.0.0.0/8, ::1 ,loopback'), ['10.0.0.0/8', '::1', 'loopback']);
    assert.deepEqual(trustProxyOf('fd00::/8'), ['fd00::/8']);
    for (const bad of ['1', '10.0.0/8', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/2', 'proxy.example', 'yes']) {
      assert.equal(typeof trustProxyOf(bad), 'string', bad);
      assert.throws(() => loadConfig({ ROSTER_TRUST_PROXY: bad }), /ROSTER_TRUST_PROXY: not an address/);
    }
  });
  it('reads default routes: a pass-through path under /v1/ to a route name; another key is named', () => {
    assert.deepEqual(parseJson(DefaultRoutes, '{"/v1/moderations": "mod"}'), { '/v1/moderations': 'mod' });
    assert.equal(parseJson(DefaultRoutes, '{"moderations": "mod"}'), '/moderations is not a name this takes');
    assert.match(String(parseJson(DefaultRoutes, '{"/v1/moderations?x=1": "mod"}')), /is not a name this takes/);
    assert.equal(parseJson(DefaultRoutes, '{"/v1/moderations": ""}'), '/~1v1~1moderations must not have fewer than 1 characters');
  });
  it('reads providers whose ids are names: another id is named', () => {
    assert.deepEqual(parseProviders('{"sb": {"use": "sandbox"}}'), { sb: { use: 'sandbox' } });
    assert.equal(parseProviders('{"bad id!": {"use": "sandbox"}}'), '/bad id! is not a name this takes');
  });
});
