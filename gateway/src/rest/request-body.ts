import type { JsonObject } from "@bufbuild/protobuf";
import type { Context } from "hono";
import { badBody } from "./errors.js";

/** The request's JSON body as an object; INVALID_ARGUMENT when it is not one. */
export async function jsonObjectBody(c: Context): Promise<JsonObject> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw badBody("it is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badBody("it must be a JSON object");
  return body as JsonObject;
}

/** A string member; `required` refuses absent and empty ones. */
export function stringField(body: JsonObject, name: string, required: boolean): string {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw badBody(`"${name}" is required`);
    return "";
  }
  if (typeof value !== "string") throw badBody(`"${name}" must be a string`);
  if (required && value === "") throw badBody(`"${name}" must not be empty`);
  return value;
}

/** An object member; absent or null is an empty object. */
export function objectField(body: JsonObject, name: string): JsonObject {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badBody(`"${name}" must be a JSON object`);
  return value;
}

/** A positive whole number of milliseconds from a member or query parameter; undefined when absent. */
export function timeoutField(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0) throw badBody(`"${name}" must be a positive whole number of milliseconds`);
  return n;
}
