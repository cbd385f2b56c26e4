/**
 * Route schemas compiled when a route first validates or answers, not all at start:
 * fastify's own compilers (Ajv for requests, fast-json-stringify for answers), each
 * behind a function that compiles on its first call. Building every route's validators
 * and serializers took about 0.5 s of each start; a route no one calls never pays it.
 * `compilePending` compiles what is still waiting (the tests check every schema so).
 */
import ValidatorSelector from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type BuildValidator = ReturnType<typeof ValidatorSelector>;
type BuildSerializer = ReturnType<typeof SerializerSelector>;
type Validate = ReturnType<ReturnType<BuildValidator>>;
type Serialize = (doc: unknown) => string;
interface Route { method?: string; url?: string; httpPart?: string; httpStatus?: string }

/** Compilations not yet run, in every app of this process. */
const pending = new Set<() => unknown>();

/** `compile`, run once on the first call of the function returned; a failure names the route. */
function later<T>(route: Route, compile: () => T): () => T {
  let done: T | undefined;
  const get = () => {
    if (done === undefined) {
      try {
        done = compile();
      } catch (error) {
        throw new Error(`the schema of ${route.method} ${route.url} (${route.httpPart ?? `answer ${route.httpStatus}`}) does not compile: ${(error as Error).message}`, { cause: error });
      }
      pending.delete(get);
    }
    return done;
  };
  pending.add(get);
  return get;
}

/**
 * Compiles every schema still waiting for its route's first use; answers how many.
 * Throws on the first that does not compile, naming its route.
 *
 * @example
 * const app = await buildApp(services);
 * compilePending(); // → 552 for both of Roster's apps
 */
export function compilePending(): number {
  const waiting = [...pending];
  for (const get of waiting) get();
  return waiting.length;
}

/**
 * A validator that compiles on its first call. It keeps what fastify reads of Ajv's own:
 * the errors of the last call, and `schemaEnv` (so that fastify passes the parent, with
 * which Ajv may coerce a request part's root value).
 */
function lazyValidator(get: () => Validate): Validate {
  const validate = ((data: unknown, context?: unknown) => {
    const real = get();
    const ok = (real as (data: unknown, context?: unknown) => unknown)(data, context);
    validate.errors = real.errors;
    return ok;
  }) as Validate;
  Object.defineProperty(validate, 'schemaEnv', { value: true });
  return validate;
}

/**
 * The compilers to give fastify (`schemaController.compilersFactory`): its defaults, each
 * schema compiled at its first use.
 *
 * @example
 * Fastify({ schemaController: { compilersFactory: lazyCompilers() } });
 */
export function lazyCompilers(): { buildValidator: BuildValidator; buildSerializer: BuildSerializer } {
  const validators = ValidatorSelector() as unknown as (external: unknown, options: unknown) => (route: Route) => Validate;
  const serializers = SerializerSelector() as unknown as (external: unknown, options: unknown) => (route: Route) => Serialize;
  return {
    buildValidator: ((external: unknown, options: unknown) => {
      const compile = validators(external, options);
      return (route: Route) => lazyValidator(later(route, () => compile(route)));
    }) as unknown as BuildValidator,
    buildSerializer: ((external: unknown, options: unknown) => {
      const compile = serializers(external, options);
      return (route: Route) => {
        const get = later(route, () => compile(route));
        return (doc: unknown) => get()(doc);
      };
    }) as unknown as BuildSerializer,
  };
}
