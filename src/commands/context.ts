import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../domain/events.ts';
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
export function toNewEvents<E extends DomainEvent>(events: E[], ctx: CommandContext): NewEvent<E>[] {
  // The cause: what the caller names, else the request, else the background run (its correlation id).
  const metadata: EventMetadata = { actor: ctx.actor, correlationId: ctx.correlationId, causationId: ctx.causationId ?? ctx.requestId ?? ctx.correlationId };
  if (ctx.requestId) metadata.requestId = ctx.requestId;
  if (ctx.traceparent) metadata.traceparent = ctx.traceparent;
  return events.map((e) => ({ ...e, id: randomUUID(), metadata }));
}
