import type { ApiKeyRecord, ApiKeyStore } from "../store/store.js";

// API keys as the gateway keeps them: only their SHA-256 reaches the store.

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** Longest API key accepted; longer headers are refused before hashing. */
export const maxApiKeyLength = 512;

/** The hex SHA-256 of a key (Web Crypto), the form in which the store keeps it. */
export async function hashApiKey(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(key)));
  let out = "";
  for (const byte of digest) out += hex[byte];
  return out;
}

/** A new random API key: "tbk_" and 32 random bytes in base64url. */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `tbk_${btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "")}`;
}

/** Stores the grant of a key (by its hash). */
export async function provisionApiKey(store: ApiKeyStore, key: string, record: ApiKeyRecord): Promise<void> {
  if (key.length < 16 || key.length > maxApiKeyLength || /\s/.test(key)) {
    throw new RangeError(`an API key is 16 to ${maxApiKeyLength} characters without spaces`);
  }
  await store.putApiKey(await hashApiKey(key), record);
}

/** Removes a key; false when it was unknown. */
export async function revokeApiKey(store: ApiKeyStore, key: string): Promise<boolean> {
  return store.deleteApiKey(await hashApiKey(key));
}
