/** `npm run sandbox`: the sandbox upstream on SANDBOX_PORT (default 8090), loopback only unless SANDBOX_HOST says otherwise. */
import { buildSandbox } from './server.ts';

const { app } = buildSandbox({
  refreshMinIntervalMs: Number(process.env.SANDBOX_REFRESH_MIN_INTERVAL_MS ?? 3600_000),
});
const url = await app.listen({ host: process.env.SANDBOX_HOST ?? '127.0.0.1', port: Number(process.env.SANDBOX_PORT ?? 8090) });
console.log(`Sandbox upstream listening on ${url}`);
