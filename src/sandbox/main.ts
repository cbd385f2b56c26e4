/**
 * `npm run sandbox`: the sandbox upstream on SANDBOX_PORT (default 8090), loopback only
 * unless SANDBOX_HOST says otherwise. Beyond loopback its control routes (switches, stats,
 * the test mailbox) need SANDBOX_CONTROL_TOKEN, and it refuses to start without one.
 */
import { buildSandbox } from './server.ts';

const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
const controlToken = process.env.SANDBOX_CONTROL_TOKEN || undefined;
if (!['127.0.0.1', '::1', 'localhost'].includes(host) && !controlToken) {
  process.stderr.write(`SANDBOX_HOST=${host} is beyond loopback: set SANDBOX_CONTROL_TOKEN (16 or more characters) to guard the control routes\n`);
  process.exit(2);
}
if (controlToken && controlToken.length < 16) {
  process.stderr.write('SANDBOX_CONTROL_TOKEN must be 16 or more characters\n');
  process.exit(2);
}
const { app } = buildSandbox({
  refreshMinIntervalMs: Number(process.env.SANDBOX_REFRESH_MIN_INTERVAL_MS ?? 3600_000),
}, { ...(controlToken ? { controlToken } : {}) });
const url = await app.listen({ host, port: Number(process.env.SANDBOX_PORT ?? 8090) });
console.log(`Sandbox upstream listening on ${url}`);
