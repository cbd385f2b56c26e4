import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { defaultLimits, type Provider, type ProviderLimits } from './provider.ts';
import * as manual from './manual.ts';
import * as oauth2 from './oauth2.ts';
import * as sandbox from './sandbox.ts';

/** A provider as configured: `use` is a built-in id or a module path; `options` go to its flows. */
export interface ProviderConfig {
  use: string;
  options?: Record<string, unknown>;
  limits?: Partial<ProviderLimits>;
}

/** A loaded provider: what the main thread needs to schedule its flows. */
export interface ProviderSpec {
  id: string;
  /** Module URL the flow threads import. */
  module: string;
  options: Record<string, unknown>;
  limits: ProviderLimits;
  can: { register: boolean; refresh: boolean; probe: boolean };
}

/** Built-in providers, imported with this module: a flow thread loads no other code for them. */
const builtins: Record<string, { createProvider(): Provider }> = { manual, sandbox, oauth2 };

/** `builtin:<id>` for a built-in provider, else the module URL of a path (relative to the working directory). */
export function moduleOf(use: string): string {
  if (builtins[use]) return `builtin:${use}`;
  return use.startsWith('file:') ? use : pathToFileURL(resolve(use)).href;
}

/** Imports a module; a TypeScript one through tsx, which worker threads do not get from the command line. */
async function importModule(module: string): Promise<unknown> {
  if (!module.endsWith('.ts')) return import(module);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(module, import.meta.url);
}

/** Imports a provider module (or takes a built-in one) and creates its provider. */
export async function loadProvider(module: string): Promise<Provider> {
  const builtin = module.startsWith('builtin:') ? builtins[module.slice('builtin:'.length)] : undefined;
  const mod = (builtin ?? (await importModule(module))) as { createProvider?: () => Provider };
  if (typeof mod.createProvider !== 'function') throw new Error(`provider module ${module} exports no createProvider()`);
  return mod.createProvider();
}

/**
 * The configured providers by id. `manual` is always there; others come from
 * `ROSTER_PROVIDERS` (a JSON object of id → `{ use, options, limits }`).
 *
 * @example
 * const providers = await Providers.load({ corp: { use: 'oauth2', options: { tokenUrl, clientId, clientSecret } } });
 * providers.get('corp')?.can.refresh // → true
 */
export class Providers {
  private constructor(private readonly specs: Map<string, ProviderSpec>) {}

  static async load(configs: Record<string, ProviderConfig>): Promise<Providers> {
    const specs = new Map<string, ProviderSpec>();
    for (const [id, config] of Object.entries<ProviderConfig>({ manual: { use: 'manual' }, ...configs })) {
      const module = moduleOf(config.use);
      const provider = await loadProvider(module).catch((e: Error) => {
        throw new Error(`provider ${id}: cannot load ${config.use}: ${e.message}`);
      });
      specs.set(id, {
        id, module, options: config.options ?? {},
        limits: { ...defaultLimits, ...provider.limits, ...config.limits },
        can: { register: Boolean(provider.register), refresh: Boolean(provider.refresh), probe: Boolean(provider.probe) },
      });
    }
    return new Providers(specs);
  }

  get(id: string): ProviderSpec | undefined {
    return this.specs.get(id);
  }

  all(): ProviderSpec[] {
    return [...this.specs.values()];
  }
}
