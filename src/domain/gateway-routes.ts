/**
 * The gateway's routes as operators set them through the API, one stream
 * `gateway-routes`: a route set (made or replaced, with its price) or removed. Routes in
 * configuration (`ROSTER_GATEWAY_ROUTES`) are fixed: the API neither replaces nor removes
 * them, and a route set here takes none of their names or aliases.
 */
import { isDeepStrictEqual } from 'node:util';
import { Type } from 'typebox';
import { DomainError } from './errors.ts';
import { defineEvent, eventSet, Instant, Nullable, type Decider, type EventsIn } from './events.ts';
import { GatewayRoute, ModelPrice, type GatewayPrices, type GatewayRoutes } from './gateway.ts';

export const ROUTES_STREAM = 'gateway-routes';

const model = Type.String({ minLength: 1, maxLength: 200 });
export const GatewayRouteSet = defineEvent('GatewayRouteSet', Type.Object({ model, route: GatewayRoute, price: Nullable(ModelPrice), at: Instant }));
export const GatewayRouteRemoved = defineEvent('GatewayRouteRemoved', Type.Object({ model, at: Instant }));
export const routeEvents = eventSet(GatewayRouteSet, GatewayRouteRemoved);
export type RouteEvent = EventsIn<typeof routeEvents>;

/** The routes and prices set through the API. */
export interface RoutesState {
  routes: GatewayRoutes;
  prices: GatewayPrices;
}

/** `configured`: the routes in configuration, which these commands may not touch or shadow. */
export type RouteCommand =
  | { type: 'SetRoute'; model: string; route: GatewayRoute; price: ModelPrice | null; configured: GatewayRoutes; now: number }
  | { type: 'RemoveRoute'; model: string; configured: GatewayRoutes; now: number };

const configuredError = (name: string) =>
  new DomainError('route_configured', `route ${name} is set in ROSTER_GATEWAY_ROUTES; change it there`, [{ field: 'model', message: 'is a configured route' }]);

/** Each name a route answers to (its own and its aliases'), with the route's name. */
function namesIn(routes: GatewayRoutes, except: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, route] of Object.entries(routes)) {
    if (name === except) continue;
    names.set(name, name);
    for (const alias of route.aliases ?? []) names.set(alias, name);
  }
  return names;
}

/**
 * Decides a route command: a name or alias another route answers to is a conflict; a route
 * set as it is already records nothing.
 *
 * @example
 * decideRoute({ type: 'SetRoute', model: 'small', route: { pools: ['demo'] }, price: null, configured: {}, now }, { routes: {}, prices: {} })
 * // → [{ type: 'GatewayRouteSet', data: { model: 'small', route: { pools: ['demo'] }, price: null, at } }]
 */
export function decideRoute(command: RouteCommand, state: RoutesState): RouteEvent[] | DomainError {
  const at = new Date(command.now).toISOString();
  if (command.configured[command.model]) return configuredError(command.model);
  if (command.type === 'RemoveRoute') {
    if (!state.routes[command.model]) return new DomainError('route_not_found', `no route ${command.model} was set through the API`);
    return [{ type: 'GatewayRouteRemoved', data: { model: command.model, at } }];
  }
  const { route, price } = command;
  const taken = namesIn({ ...command.configured, ...state.routes }, command.model);
  const clashes = [
    ...(taken.has(command.model) ? [{ field: 'model', message: `is an alias of route ${taken.get(command.model)}` }] : []),
    ...(route.aliases ?? []).flatMap((alias, i) => {
      if (alias === command.model) return [{ field: `aliases.${i}`, message: 'is the route\'s own name' }];
      return taken.has(alias) ? [{ field: `aliases.${i}`, message: `is a name of route ${taken.get(alias)}` }] : [];
    }),
  ];
  if (clashes.length) return new DomainError('route_conflict', `route ${command.model} would answer to a name another route has`, clashes);
  if (isDeepStrictEqual(state.routes[command.model], route) && isDeepStrictEqual(state.prices[command.model] ?? null, price)) return [];
  return [{ type: 'GatewayRouteSet', data: { model: command.model, route, price, at } }];
}

/** Folds one event of the routes' stream. */
export function evolveRoutes(state: RoutesState, event: RouteEvent): RoutesState {
  const { [event.data.model]: _route, ...routes } = state.routes;
  const { [event.data.model]: _price, ...prices } = state.prices;
  if (event.type === 'GatewayRouteRemoved') return { routes, prices };
  return { routes: { ...routes, [event.data.model]: event.data.route }, prices: event.data.price ? { ...prices, [event.data.model]: event.data.price } : prices };
}

export const routesDecider: Decider<RoutesState, RouteCommand, RouteEvent> = {
  initial: () => ({ routes: {}, prices: {} }), decide: decideRoute, evolve: evolveRoutes, events: routeEvents,
};
