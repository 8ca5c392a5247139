// The runtime's logging: lines to stderr, so that stdout carries only the start-up lines.
import { createLevelledLogger, type Logger, type LogLevel } from "@toolbridge/proto";

export { type Logger, type LogLevel, logLevels } from "@toolbridge/proto";

/** Options of createLogger. */
export interface LoggerOptions {
  /** Least severe level printed. Default "info". */
  level?: LogLevel;
  /** Where lines go. Default: process.stderr. */
  write?: (line: string) => void;
}

/** A logger that prints `<iso time> <level> <message>` lines at `level` and above. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return createLevelledLogger({
    level: options.level,
    write: options.write ?? ((line) => process.stderr.write(line)),
    format: (level, message) => `${new Date().toISOString()} ${level} ${message}\n`,
  });
}

/** A logger that prints nothing, for tests and embedding. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
