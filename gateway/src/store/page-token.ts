import { checkId } from "../variables/names.js";
import { invalidPageToken } from "./errors.js";

// Session pages are ordered by id; a token holds the last id of the previous page. It is opaque to
// clients (base64url with a version prefix) so the paging scheme can change without breaking them.

const prefix = "s1.";

/** Default and largest page sizes. */
export const pageSizes = { default: 100, max: 1000 } as const;

/** The page size to use for a requested one: 0 or absent is the default, larger ones are capped. */
export function pageSizeOf(requested: number | undefined): number {
  if (!requested || requested < 1) return pageSizes.default;
  return Math.min(Math.floor(requested), pageSizes.max);
}

/** The token that continues after `lastId`. */
export function encodePageToken(lastId: string): string {
  return prefix + btoa(lastId).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The last id a token continues after; "" for no token. INVALID_ARGUMENT for a token this store did not issue. */
export function decodePageToken(token: string | undefined): string {
  if (!token) return "";
  if (!token.startsWith(prefix)) throw invalidPageToken();
  try {
    const id = atob(token.slice(prefix.length).replaceAll("-", "+").replaceAll("_", "/"));
    checkId("session", id);
    return id;
  } catch {
    throw invalidPageToken();
  }
}
