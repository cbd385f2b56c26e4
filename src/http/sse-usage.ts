/**
 * Reads usage from a server-sent event stream on its way to the client: OpenAI's final
 * usage chunk (asked for upstream with `stream_options.include_usage`, passed on only if
 * the client asked too), Anthropic's `message_start` and cumulative `message_delta`. A
 * stream without usage is estimated from its text.
 */
export type Dialect = 'openai' | 'anthropic';

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
  /** The stream reached its end marker (`[DONE]`, `message_stop`). */
  complete = false;

  constructor(private readonly dialect: Dialect, private readonly clientWantsUsage: boolean) {}

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

  /** What is left of the stream (an unterminated event passes as it came). */
  end(): string {
    const rest = this.buffer;
    this.buffer = '';
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
      for (const choice of json.choices ?? []) this.chars += String(choice.delta?.content ?? '').length;
      if (json.usage) {
        this.input = json.usage.prompt_tokens;
        this.output = json.usage.completion_tokens;
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

  /** The tokens of the stream: the upstream's figures, or an estimate (four characters a token) marked so. */
  usage(): { input: number; output: number; estimated: boolean } {
    if (this.input !== undefined && this.output !== undefined) return { input: this.input, output: this.output, estimated: false };
    return { input: this.input ?? 0, output: this.output ?? Math.ceil(this.chars / 4), estimated: true };
  }
}
