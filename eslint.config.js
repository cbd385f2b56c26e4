import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: barrels() }] } },
  ...layers(),
);

/**
 * Packages whose index loads every module they have: import their modules by path instead
 * (`import * as Effect from 'effect/Effect'`). Through tsx's loader each module costs about
 * a millisecond at every start: Effect's index cost 0.7 s of the server's and the CLI's.
 */
function barrels() {
  return [{ name: 'effect', message: "import Effect's modules by path (effect/Effect, effect/Schedule, …): its index loads all of them at start" }];
}

/**
 * Layers run one way (docs/architecture.md): domain ← store ← projections ← commands ←
 * workers ← http ← service / database / main / cli. A file may import its own layer and those to its
 * left, never one to its right. `telemetry.ts`, `effect.ts` and `config.ts` import no layer
 * and serve all. HTTP may name a worker's or the store's types (the services it is given)
 * but not call into them: it calls commands and queries.
 */
function layers() {
  const order = ['domain', 'store', 'projections', 'commands', 'workers', 'http'];
  const top = ['service', 'database', 'main', 'cli'];
  return order.map((layer, i) => {
    const above = [...order.slice(i + 1), ...top];
    const patterns = above.map((name) => ({
      group: [`**/${name}`, `**/${name}/**`, `**/${name}.ts`],
      message: `${layer} must not import ${name}: layers run domain ← store ← projections ← commands ← workers ← http ← service/main/cli`,
    }));
    if (layer === 'http') {
      patterns.push({ group: ['**/workers', '**/workers/**'], allowTypeImports: true, message: 'http calls commands and queries, not workers (their types may be named)' });
      patterns.push({ group: ['**/store', '**/store/**'], allowTypeImports: true, message: 'http calls commands and queries, not the store (its types may be named)' });
    }
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: barrels(), patterns }] },
    };
  });
}
