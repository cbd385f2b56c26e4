/**
 * Reads usage from a server-sent event stream on its way to the client: OpenAI's final
 * usage chunk (asked for upstream with `stream_options.include_usage`, passed on only if
 * the client asked too), the Responses API's `response.completed`, Anthropic's
 * `message_start` and cumulative `message_delta`. A stream without usage is estimated from
 * its text.
 */
export type Dialect = 'openai' | 'anthropic';

/** What the gateway reads of a Responses API event. */
interface ResponseEvent { type: string; delta?: unknown; response?: { id?: unknown; usage?: { input_tokens?: number; output_tokens?: number } } }

/**
 * @example
 * const sse = new SseUsage('openai', false);
 * res.write(sse.push(chunk)); … sse.end(); sse.usage() // → { input, output, estimated }
 */
export class SseUsage {
  private buffer = '';
  private input: number | undefined;
  private output: number | undefined;
  private chars = 0;
  /** The first object the stream shows that its upstream keeps: its response (the id, from its first event), or an assistant's run (as it was made). */
  shown: Record<string, unknown> | undefined;
  /** The stream reached its end marker (`[DONE]`, `message_stop`, `response.completed`), or ended whole where none is expected. */
  complete = false;

  /**
   * @param marked whether a whole stream ends with an end marker (the gateway's own routes);
   *   a pass-through stream of any other API is whole when the upstream ends it cleanly.
   */
  constructor(private readonly dialect: Dialect, private readonly clientWantsUsage: boolean, private readonly marked = true) {}

  /** Takes a chunk of the stream; answers what goes to the client now (whole events only). */
  push(chunk: string): string {
    this.buffer += chunk;
    let out = '';
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const event = this.buffer.slice(0, end + 2);
      this.buffer = this.buffer.slice(end + 2);
      if (this.read(event)) out += event;
    }
    return out;
  }

  /** The upstream ended the stream: what is left of it (an unterminated event passes as it came). */
  end(): string {
    const rest = this.buffer;
    this.buffer = '';
    if (!this.marked) this.complete = true;
    return rest;
  }

  /** Whether an event goes on to the client, having read its usage. */
  private read(event: string): boolean {
    const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    if (!data) return true;
    if (data === '[DONE]') {
      this.complete = true;
      return true;
    }
    let json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = JSON.parse(data);
    } catch {
      return true;
    }
    if (this.dialect === 'openai') {
      if (typeof json.type === 'string' && json.type.startsWith('response.')) return this.readResponse(json as ResponseEvent);
      if (this.shown === undefined && json.object === 'thread.run' && typeof json.id === 'string') this.shown = json;
      for (const choice of json.choices ?? []) this.chars += String(choice.delta?.content ?? choice.text ?? '').length;
      if (json.usage) {
        this.input = json.usage.prompt_tokens ?? json.usage.input_tokens;
        this.output = json.usage.completion_tokens ?? json.usage.output_tokens;
        // The usage chunk Roster asked for: the client sees it only if it asked too.
        if (!this.clientWantsUsage && (json.choices ?? []).length === 0) return false;
      }
      return true;
    }
    if (json.type === 'message_start') {
      this.input = json.message?.usage?.input_tokens;
      this.output = json.message?.usage?.output_tokens;
    } else if (json.type === 'message_delta' && json.usage?.output_tokens !== undefined) {
      this.output = json.usage.output_tokens;
      if (json.usage.input_tokens !== undefined) this.input = json.usage.input_tokens;
    } else if (json.type === 'content_block_delta') {
      this.chars += String(json.delta?.text ?? '').length;
    } else if (json.type === 'message_stop') {
      this.complete = true;
    }
    return true;
  }

  /** An event of the Responses API: text deltas, and the usage of the response that ends the stream. */
  private readResponse(json: ResponseEvent): boolean {
    if (this.shown === undefined && typeof json.response?.id === 'string') this.shown = { object: 'response', id: json.response.id };
    if (json.type === 'response.output_text.delta') this.chars += String(json.delta ?? '').length;
    else if (json.type === 'response.completed' || json.type === 'response.incomplete' || json.type === 'response.failed') {
      this.input = json.response?.usage?.input_tokens;
      this.output = json.response?.usage?.output_tokens;
      this.complete = true;
    }
    return true;
  }

  /** The tokens of the stream: the upstream's figures, or an estimate (four characters a token) marked so. */
  usage(): { input: number; output: number; estimated: boolean } {
    if (this.input !== undefined && this.output !== undefined) return { input: this.input, output: this.output, estimated: false };
    return { input: this.input ?? 0, output: this.output ?? Math.ceil(this.chars / 4), estimated: true };
  }
}
