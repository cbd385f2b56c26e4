import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../domain/errors.ts';
import type { EventMetadata, NewEvent } from '../store/port.ts';

/** Who asks, and the ids that tie a request to its events (DESIGN.md, metadata). */
export interface CommandContext {
  actor: string;
  correlationId: string;
  causationId?: string;
  requestId?: string;
  traceparent?: string;
}

/** A context for background work: `system:<worker>`. */
export function systemContext(worker: string): CommandContext {
  return { actor: `system:${worker}`, correlationId: randomUUID() };
}

/** Gives decided events their ids and audit metadata. */
export function toNewEvents(events: DomainEvent[], ctx: CommandContext): NewEvent[] {
  const metadata: EventMetadata = { actor: ctx.actor, correlationId: ctx.correlationId };
  if (ctx.causationId) metadata.causationId = ctx.causationId;
  if (ctx.requestId) metadata.requestId = ctx.requestId;
  if (ctx.traceparent) metadata.traceparent = ctx.traceparent;
  return events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
}
