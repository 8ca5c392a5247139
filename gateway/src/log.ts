// Web-standard logging (console only), so the same core logs on Node and on Workers.

/** How much to log: "debug" adds one line per routed call. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Where the gateway logs. Lines never carry keys, tokens or variable values, nor a request's query
 * string (a GET stream's holds a session token): name a request by its method and path only.
 */
export interface Logger {
  /** True when debug lines are written; check it before building an expensive line. */
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Options of createLogger. */
export interface LoggerOptions {
  /** Lines below this level are dropped; "info" unless set. */
  level?: LogLevel;
  /** Writes one line; console.error unless set (stderr on Node, the log stream on Workers). */
  write?: (line: string) => void;
}

/** A Logger writing "toolbridge gateway <level>: <message>" lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = order[options.level ?? "info"];
  const write = options.write ?? ((line: string) => console.error(line));
  const at = (level: LogLevel) => (message: string) => {
    if (order[level] >= min) write(`toolbridge gateway ${level}: ${message}`);
  };
  return { debugEnabled: min === 0, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A Logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
