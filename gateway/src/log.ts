// Web-standard logging (console only), so the same core logs on Node and on Workers.
import { createLevelledLogger, type Logger, type LogLevel } from "@toolbridge/proto";

export type { Logger, LogLevel } from "@toolbridge/proto";

/** Options of createLogger. Lines never carry keys, tokens or variable values, nor a request's query string (a GET
 * stream's holds a session token): name a request by its method and path only. */
export interface LoggerOptions {
  /** Lines below this level are dropped; "info" unless set. */
  level?: LogLevel;
  /** Writes one line; console.error unless set (stderr on Node, the log stream on Workers). */
  write?: (line: string) => void;
}

/** A Logger writing "toolbridge gateway <level>: <message>" lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return createLevelledLogger({
    level: options.level,
    write: options.write ?? ((line) => console.error(line)),
    format: (level, message) => `toolbridge gateway ${level}: ${message}`,
  });
}

/** A Logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
