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
  ...layers(),
);

/**
 * Layers run one way (docs/architecture.md): domain ← store ← projections ← commands ←
 * workers ← http ← service / main / cli. A file may import its own layer and those to its
 * left, never one to its right. `telemetry.ts`, `effect.ts` and `config.ts` import no layer
 * and serve all. HTTP may name a worker's or the store's types (the services it is given)
 * but not call into them: it calls commands and queries.
 */
function layers() {
  const order = ['domain', 'store', 'projections', 'commands', 'workers', 'http'];
  const top = ['service', 'main', 'cli'];
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
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
    };
  });
}
