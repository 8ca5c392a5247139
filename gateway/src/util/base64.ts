/** Standard base64 of bytes, in pieces small enough for String.fromCharCode's argument limit (web-standard: btoa). */
export function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
