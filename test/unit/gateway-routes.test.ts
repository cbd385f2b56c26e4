/** The routes set through the API: given the routes' stream, when a command, then its events or its refusal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRoute, evolveRoutes, routesDecider, type RouteCommand, type RouteEvent, type RoutesState } from '../../src/domain/gateway-routes.ts';
import { resolveRoute, type GatewayRoute } from '../../src/domain/gateway.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-12-05T12:00:00Z');
const at = new Date(now).toISOString();
const spec = decider<RoutesState, RouteCommand, RouteEvent>(decideRoute, evolveRoutes, routesDecider.initial);
const configured = { fixed: { pools: ['p'], aliases: ['fixed-alias'] } };
const small = { pools: ['demo'], upstreamModel: 'sandbox-small', aliases: ['small'] };
const price = { inputPerMillion: 1, outputPerMillion: 2 };
const set = (model: string, route: GatewayRoute = small, p: typeof price | null = price): RouteEvent => ({ type: 'GatewayRouteSet', data: { model, route, price: p, at } });
const setRoute = (model: string, route: GatewayRoute, p: typeof price | null = price): RouteCommand =>
  ({ type: 'SetRoute', model, route, price: p, configured, now });

describe('gateway routes set through the API', () => {
  it('makes a route with its price, and replaces it; setting it as it is records nothing', () => {
    spec.given([]).when(setRoute('gpt-small', small)).then([set('gpt-small')]);
    spec.given([set('gpt-small')]).when(setRoute('gpt-small', small)).then([]);
    // The same route read back from the log (keys in another order) is still the same.
    spec.given([set('gpt-small', { aliases: ['small'], upstreamModel: 'sandbox-small', pools: ['demo'] })]).when(setRoute('gpt-small', small)).then([]);
    spec.given([set('gpt-small')]).when(setRoute('gpt-small', small, null)).then([set('gpt-small', small, null)]);
    const state = spec.given([set('gpt-small'), set('gpt-small', { pools: ['other'], upstreamModel: 'x', aliases: [] }, null)]).state;
    assert.deepEqual(state, { routes: { 'gpt-small': { pools: ['other'], upstreamModel: 'x', aliases: [] } }, prices: {} });
  });

  it('removes a route it set; not one it never set, nor one in configuration', () => {
    const state = spec.given([set('gpt-small'), { type: 'GatewayRouteRemoved', data: { model: 'gpt-small', at } }]).state;
    assert.deepEqual(state, { routes: {}, prices: {} });
    spec.given([set('gpt-small')]).when({ type: 'RemoveRoute', model: 'gpt-small', configured, now }).then([{ type: 'GatewayRouteRemoved', data: { model: 'gpt-small', at } }]);
    spec.given([]).when({ type: 'RemoveRoute', model: 'gpt-small', configured, now }).thenError('route_not_found');
    spec.given([]).when({ type: 'RemoveRoute', model: 'fixed', configured, now }).thenError('route_configured', 'model');
  });

  it('takes no name or alias another route answers to, configured or set', () => {
    spec.given([]).when(setRoute('fixed', small)).thenError('route_configured', 'model');
    spec.given([]).when(setRoute('fixed-alias', small)).thenError('route_conflict', 'model');
    spec.given([set('gpt-small')]).when(setRoute('small', { pools: ['demo'] })).thenError('route_conflict', 'model');
    spec.given([set('gpt-small')]).when(setRoute('other', { pools: ['demo'], aliases: ['a', 'small'] })).thenError('route_conflict', 'aliases.1');
    spec.given([]).when(setRoute('other', { pools: ['demo'], aliases: ['fixed'] })).thenError('route_conflict', 'aliases.0');
    spec.given([]).when(setRoute('other', { pools: ['demo'], aliases: ['other'] })).thenError('route_conflict', 'aliases.0');
    // A route may keep its own aliases when it is set again.
    spec.given([set('gpt-small')]).when(setRoute('gpt-small', { ...small, upstreamModel: 'v2' })).then([set('gpt-small', { ...small, upstreamModel: 'v2' })]);
  });

  it('a set route resolves by its name and aliases', () => {
    const { routes } = spec.given([set('gpt-small')]).state;
    assert.deepEqual(resolveRoute(routes, 'small'), { model: 'gpt-small', upstreamModel: 'sandbox-small', pools: [{ poolId: 'demo', weight: 1, priority: 0, upstreamModel: 'sandbox-small' }] });
  });
});
