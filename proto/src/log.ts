// A levelled logger both servers use, web-standard so the gateway's core logs on Workers too; each server
// gives its own line format and sink (gateway/src/log.ts, runtime-node/src/log.ts).

/** Log levels, from the most to the least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The levels in order; a logger prints its own level and every one after it. */
export const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * One line per call. Callers never pass keys, tokens, payloads or variable values, nor a request's query string;
 * `debugEnabled` lets hot paths skip building a line.
 */
export interface Logger {
  /** True when debug lines are written; check it before building a debug line on a hot path. */
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of createLogger. */
export interface LoggerOptions {
  /** Least severe level written. Default "info". */
  level?: LogLevel;
  /** Writes one formatted line. */
  write: (line: string) => void;
  /** Formats a line. */
  format: (level: LogLevel, message: string) => string;
}

/** A Logger writing `format(level, message)` at `level` and above. */
export function createLogger(options: LoggerOptions): Logger {
  const { write, format } = options;
  const threshold = logLevels.indexOf(options.level ?? "info");
  const at = (level: LogLevel) =>
    logLevels.indexOf(level) >= threshold ? (message: string) => write(format(level, message)) : () => {};
  return { debugEnabled: threshold === 0, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
