import { maxJsonDepth } from "@toolbridge/proto";

/** A value a TypeScript tool returned or yielded that is not JSON (`message` says where), or is too large. */
export class NotJsonError extends Error {
  override name = "NotJsonError";

  constructor(
    message: string,
    /** True when the value is JSON but over the limit. */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * Checks that `value` is JSON-shaped (null, booleans, finite numbers, strings, arrays, plain objects) and no larger
 * than `limit` characters as JSON; returns its approximate JSON length. A Date, Map, class instance, bigint,
 * function, undefined inside an array, or bytes inside JSON is refused: it would otherwise arrive as `{}` or null.
 */
export function checkJson(value: unknown, limit: number): number {
  let size = 0;
  const walk = (v: unknown, path: string, depth: number): void => {
    switch (typeof v) {
      case "string":
        size += v.length + 2;
        break;
      case "number":
        if (!Number.isFinite(v)) throw new NotJsonError(`${where(path)} is ${v}, which JSON cannot hold`);
        size += 8;
        break;
      case "boolean":
        size += 5;
        break;
      case "object": {
        if (v === null) {
          size += 4;
          break;
        }
        if (depth >= maxJsonDepth) throw new NotJsonError(`${where(path)} nests deeper than ${maxJsonDepth} levels`);
        if (Array.isArray(v)) {
          size += 2;
          for (let i = 0; i < v.length; i++) walk(v[i], `${path}/${i}`, depth + 1);
          break;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) {
          const kind = v instanceof Uint8Array ? "bytes (return them as a ToolResult payload instead)" : `a ${proto?.constructor?.name ?? "class"} instance`;
          throw new NotJsonError(`${where(path)} is ${kind}, not JSON`);
        }
        size += 2;
        for (const key in v as Record<string, unknown>) {
          const item = (v as Record<string, unknown>)[key];
          if (item === undefined) continue; // dropped, as JSON.stringify does
          size += key.length + 3;
          walk(item, `${path}/${key}`, depth + 1);
        }
        break;
      }
      default:
        throw new NotJsonError(`${where(path)} is ${v === undefined ? "undefined" : `a ${typeof v}`}, not JSON`);
    }
    if (size > limit) throw new NotJsonError(`the value is over the ${limit}-byte message limit`, true);
  };
  walk(value, "", 0);
  return size;
}

function where(path: string): string {
  return path === "" ? "the value" : `the value at ${path}`;
}
