import pg from 'pg';
import { startEmbeddedPostgres } from './src/store/embedded.ts';
const server = await startEmbeddedPostgres('/tmp/rebuild-data');
const pool = new pg.Pool({ connectionString: server.url.replace(/\/postgres$/, '/roster'), max: 2 });
for (const q of process.argv.slice(2)) { const t = performance.now(); const r = await pool.query(q); console.log(q.slice(0, 80), (performance.now() - t).toFixed(0), 'ms'); console.log(JSON.stringify(r.rows?.slice(0, 12))); }
await pool.end(); await server.stop();
