import type { KeptKind } from '../domain/kept.ts';

/** A collection of objects an upstream keeps per account, beside files and batches (whose routes are the gateway's own). */
export interface KeptCollection {
  /** Where OpenAI's API serves it. */
  path: string;
  kind: KeptKind;
  /** How an error names one. */
  what: string;
  /** Whether the upstream takes a model when one is made (fine-tuning's base model); else the model only routes the request. */
  modelSent: boolean;
  /**
   * A query parameter of Roster's own (not sent upstream) naming an object of the caller's
   * at whose account one is made: a thread is made where its assistant is, `?assistant_id=`.
   */
  placedBy?: string;
}

/**
 * The collections the gateway keeps at their accounts: made through an account of a route
 * (or of the objects the request names), listed from Roster's table, and read, changed and
 * deleted at the account that made them.
 *
 * @example
 * keptCollections.find((c) => c.kind === 'vector_store')?.path // → '/v1/vector_stores'
 */
export const keptCollections: readonly KeptCollection[] = [
  // A large file in parts (OpenAI's Uploads API): the file a completed upload shows is kept, and listed, as the files above.
  { path: '/v1/uploads', kind: 'upload', what: 'upload', modelSent: false },
  { path: '/v1/vector_stores', kind: 'vector_store', what: 'vector store', modelSent: false },
  { path: '/v1/fine_tuning/jobs', kind: 'fine_tuning.job', what: 'fine-tuning job', modelSent: true },
  { path: '/v1/conversations', kind: 'conversation', what: 'conversation', modelSent: false },
  { path: '/v1/containers', kind: 'container', what: 'container', modelSent: false },
  // The Assistants API (retired by OpenAI in 2026; other upstreams may serve it): a run goes to its thread's account.
  { path: '/v1/assistants', kind: 'assistant', what: 'assistant', modelSent: true },
  { path: '/v1/threads', kind: 'thread', what: 'thread', modelSent: false, placedBy: 'assistant_id' },
];
