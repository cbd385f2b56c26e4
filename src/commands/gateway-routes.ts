/**
 * Setting and removing the gateway's routes through the API, and keeping each node's
 * gateway on the routes the log holds: loaded at start, then followed on the node's log
 * tail (another node's change arrives within the tail's delay; this node's own at once).
 */
import { DomainError } from '../domain/errors.ts';
import type { GatewayRoute, ModelPrice } from '../domain/gateway.ts';
import { ROUTES_STREAM, routesDecider, type RoutesState } from '../domain/gateway-routes.ts';
import type { EventStore, Position } from '../store/port.ts';
import type { Allocators, LogFollower } from './allocators.ts';
import type { CommandContext } from './context.ts';
import type { GatewayCore } from './gateway.ts';
import { catchUp, runCommand, type Known } from './runner.ts';

export interface RouteDeps {
  store: EventStore;
  allocators: Allocators;
  gateway: GatewayCore;
}

/**
 * Makes or replaces a route (with its price; null: none) and puts it in effect on this
 * node. Every pool it names must exist.
 *
 * @example
 * await setRoute(deps, 'small', { pools: ['demo'], upstreamModel: 'sandbox-small' }, { inputPerMillion: 1, outputPerMillion: 2 }, ctx);
 */
export async function setRoute(deps: RouteDeps, model: string, route: GatewayRoute, price: ModelPrice | null, ctx: CommandContext): Promise<{ position?: Position }> {
  const missing = await Promise.all(route.pools.map(async (p, i) => {
    const poolId = typeof p === 'string' ? p : p.pool;
    return deps.allocators.get(poolId).then(() => [], (error: unknown) => {
      if (!(error instanceof DomainError && error.code === 'pool_not_found')) throw error;
      return [{ field: typeof p === 'string' ? `pools.${i}` : `pools.${i}.pool`, message: `pool ${poolId} does not exist` }];
    });
  }));
  if (missing.flat().length) throw new DomainError('invalid_input', 'a route names a pool that does not exist', missing.flat());
  return change(deps, { type: 'SetRoute', model, route, price, configured: deps.gateway.settings.routes, now: Date.now() }, ctx);
}

/** Removes a route set through the API; `route_not_found` when there is none, `route_configured` for one in configuration. */
export async function removeRoute(deps: RouteDeps, model: string, ctx: CommandContext): Promise<{ position?: Position }> {
  return change(deps, { type: 'RemoveRoute', model, configured: deps.gateway.settings.routes, now: Date.now() }, ctx);
}

async function change(deps: RouteDeps, command: Parameters<typeof routesDecider.decide>[0], ctx: CommandContext): Promise<{ position?: Position }> {
  const { state, revision, position } = await runCommand(deps.store, ROUTES_STREAM, routesDecider, command, ctx);
  deps.gateway.useLogged(state, revision);
  return position === undefined ? {} : { position };
}

/** Reads the routes set through the API from the log. */
export function loadRoutes(store: EventStore, known?: Known<RoutesState>): Promise<Known<RoutesState>> {
  return catchUp(store, ROUTES_STREAM, routesDecider, known);
}

/**
 * Keeps the gateway on the log's routes from `known` on: the log tail hands it each event
 * of the routes' stream, and it reads the stream on from where it was.
 *
 * @example
 * await allocators.follow(from, signal, report, [routesFollower(store, gateway, await loadRoutes(store))]);
 */
export function routesFollower(store: EventStore, gateway: GatewayCore, known: Known<RoutesState>): LogFollower {
  let current = known;
  return {
    streamPrefix: ROUTES_STREAM,
    async apply() {
      current = await loadRoutes(store, current);
      gateway.useLogged(current.state, current.revision);
    },
  };
}
