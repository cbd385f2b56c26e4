/**
 * The sandbox's uploads, as OpenAI's Uploads API: a large file sent in parts. An upload is
 * made (its filename, purpose, size and MIME type), takes parts (a multipart form's `data`,
 * up to 64 MiB each), and is completed with the ids of its parts in order, when it becomes a
 * file (of the exact size announced), or cancelled. Each belongs to the key that made it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid, latest, modelless, newId, now, okFor, type Admit, type FileObject, type Kept, type SandboxFiles } from './files.ts';

interface UploadObject {
  id: string; object: 'upload'; bytes: number; created_at: number; expires_at: number; filename: string; purpose: string;
  status: 'pending' | 'completed' | 'cancelled'; file: FileObject | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** OpenAI's largest part. */
export const PART_LIMIT = 64 * 1024 * 1024;

/**
 * Adds the uploads routes to a sandbox scope that reads any other body as bytes.
 *
 * @example
 * addUploadEndpoints(scope, admit, count, files);
 */
export function addUploadEndpoints(scope: FastifyInstance, admit: Admit, count: (key: string, outcome: string) => void, files: SandboxFiles) {
  const uploads = latest<Kept<UploadObject> & { parts: Map<string, Buffer> }>();
  const admitted = modelless(admit);
  const ok = okFor(count);
  /** The key and its pending upload the path names; undefined when answered. */
  const pending = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = await admitted(req, reply);
    if (!key) return undefined;
    const id = (req.params as { id: string }).id;
    const found = uploads.get(id);
    if (found?.key !== key) return void await invalid(reply, 404, `No such Upload: ${id}`);
    if (found.object.status !== 'pending') return void await invalid(reply, 400, `Upload ${id} is ${found.object.status}`);
    return { key, upload: found };
  };

  scope.post('/v1/uploads', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const body = req.body;
    if (!isRecord(body)) return invalid(reply, 400, 'send JSON: bytes, filename, mime_type and purpose');
    const unknown = Object.keys(body).find((k) => !['bytes', 'filename', 'mime_type', 'purpose', 'expires_after'].includes(k));
    if (unknown) return invalid(reply, 400, `Unrecognized request argument supplied: ${unknown}`, unknown);
    const missing = ['filename', 'mime_type', 'purpose'].find((k) => typeof body[k] !== 'string') ?? (Number.isInteger(body.bytes) && Number(body.bytes) > 0 ? undefined : 'bytes');
    if (missing) return invalid(reply, 400, `${missing} is required`, missing);
    const at = now();
    const object: UploadObject = {
      id: newId('upload_'), object: 'upload', bytes: Number(body.bytes), created_at: at, expires_at: at + 3600, filename: String(body.filename), purpose: String(body.purpose), status: 'pending', file: null,
    };
    uploads.set(object.id, { key, object, parts: new Map() });
    return ok(key, object);
  });
  scope.post('/v1/uploads/:id/parts', { bodyLimit: PART_LIMIT + 64 * 1024 }, async (req, reply) => {
    const found = await pending(req, reply);
    if (!found) return reply;
    const form = await new Response(req.body as Buffer, { headers: { 'content-type': String(req.headers['content-type']) } }).formData().catch(() => undefined);
    const data = form?.get('data');
    if (!data || typeof data === 'string') return invalid(reply, 400, 'data is required', 'data');
    const part = { id: newId('part_'), object: 'upload.part', created_at: now(), upload_id: found.upload.object.id };
    found.upload.parts.set(part.id, Buffer.from(await data.arrayBuffer()));
    return ok(found.key, part);
  });
  scope.post('/v1/uploads/:id/complete', async (req, reply) => {
    const found = await pending(req, reply);
    if (!found) return reply;
    const { upload } = found;
    const ids = isRecord(req.body) ? req.body.part_ids : undefined;
    if (!Array.isArray(ids) || ids.length === 0) return invalid(reply, 400, 'part_ids is required', 'part_ids');
    const unknownPart = ids.find((id) => !upload.parts.has(String(id)));
    if (unknownPart !== undefined) return invalid(reply, 400, `No such part: ${String(unknownPart)}`, 'part_ids');
    const content = Buffer.concat(ids.map((id) => upload.parts.get(String(id))!));
    if (content.length !== upload.object.bytes) return invalid(reply, 400, `The upload's parts hold ${content.length} bytes, not the ${upload.object.bytes} announced`, 'part_ids');
    Object.assign(upload.object, { status: 'completed', file: files.keep(found.key, upload.object.filename, upload.object.purpose, content) });
    upload.parts.clear();
    return ok(found.key, upload.object);
  });
  scope.post('/v1/uploads/:id/cancel', async (req, reply) => {
    const found = await pending(req, reply);
    if (!found) return reply;
    found.upload.object.status = 'cancelled';
    found.upload.parts.clear();
    return ok(found.key, found.upload.object);
  });
}
