/** Log levels, from the most to the least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The levels in order; a logger prints its own level and every one after it. */
export const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * A small levelled logger: one line per call, to stderr, so that stdout carries only the start-up lines.
 * Callers never pass keys or payloads; `debugEnabled` lets hot paths skip formatting entirely.
 */
export interface Logger {
  /** True when debug lines are printed; check it before building a debug message on a hot path. */
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of createLogger. */
export interface LoggerOptions {
  /** Least severe level printed. Default "info". */
  level?: LogLevel;
  /** Where lines go. Default: process.stderr. */
  write?: (line: string) => void;
}

/** A logger that prints `<iso time> <level> <message>` lines at `level` and above. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = logLevels.indexOf(options.level ?? "info");
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const at = (level: LogLevel) =>
    logLevels.indexOf(level) >= threshold
      ? (message: string) => write(`${new Date().toISOString()} ${level} ${message}\n`)
      : () => {};
  return { debugEnabled: threshold === 0, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that prints nothing, for tests and embedding. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
