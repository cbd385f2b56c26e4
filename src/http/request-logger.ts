import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger that makes its pino child (with the request's ids bound) only when a
 * line is written at a level that is on. Making a child costs microseconds (pino writes its
 * bindings out as JSON at once), and at `warn` most requests never write a line.
 *
 * @example
 * Fastify({ childLoggerFactory: (logger, bindings, opts) => new RequestLogger(logger, () => bindings, opts) });
 */
export class RequestLogger implements FastifyBaseLogger {
  private made?: FastifyBaseLogger;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: () => Bindings,
    private readonly options: ChildLoggerOptions = {},
  ) {}

  /** The pino child, made on first use. */
  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings(), this.options));
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  /** Writes a line when `level` is on (by pino's level values; a logger without them writes nothing). */
  private write(level: Level, args: unknown[]): void {
    const values = (this.parent as { levels?: { values: Record<string, number> } }).levels?.values;
    const threshold = values?.[this.level];
    if (values === undefined || threshold === undefined || (values[level] ?? 0) < threshold) return;
    (this.real[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void { this.write('fatal', args); }
  error(...args: unknown[]): void { this.write('error', args); }
  warn(...args: unknown[]): void { this.write('warn', args); }
  info(...args: unknown[]): void { this.write('info', args); }
  debug(...args: unknown[]): void { this.write('debug', args); }
  trace(...args: unknown[]): void { this.write('trace', args); }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}
