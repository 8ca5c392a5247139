import type { JsonValue } from "@bufbuild/protobuf";
import type { VariableType, VariableValue } from "./variable.js";

// A value's stored text: compact JSON, and for bytes the JSON string of its base64. Web-standard
// only (btoa/atob), so the same code runs on Node and on Workers.

/** The stored text of a value. */
export function valueToText(value: VariableValue): string {
  return value instanceof Uint8Array ? JSON.stringify(bytesToBase64(value)) : JSON.stringify(value);
}

/** The value a stored text holds, given its variable's type. */
export function valueFromText(type: VariableType, text: string): VariableValue {
  const json = JSON.parse(text) as JsonValue;
  return type === "bytes" ? base64ToBytes(json as string) : json;
}

/** The number of bytes of a string in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Standard base64 of some bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** The bytes a standard base64 string holds. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
