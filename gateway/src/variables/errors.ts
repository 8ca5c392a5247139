import { Code, ConnectError } from "@connectrpc/connect";
import type { VariableType } from "./variable.js";

// Every way a write can break the variable and session rules, with the code it maps to.
// Messages name the variable and say what to change.

/** INVALID_ARGUMENT: a name or id breaks the naming rules. */
export function invalidName(kind: string, name: string, rule: string): ConnectError {
  return new ConnectError(`${kind} ${quote(name)} is not a valid name: ${rule}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a value does not match its declared type. */
export function typeMismatch(name: string, type: VariableType, got: string): ConnectError {
  return new ConnectError(`variable '${name}' is declared ${type}; got ${got}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a write creates a variable without saying its type. */
export function typeRequired(name: string): ConnectError {
  return new ConnectError(`variable '${name}' does not exist yet; give its type to create it`, Code.InvalidArgument);
}

/** FAILED_PRECONDITION: a write names a type other than the declared one (types are fixed at creation). */
export function typeChange(name: string, declared: VariableType, requested: VariableType): ConnectError {
  return new ConnectError(
    `variable '${name}' is declared ${declared} and cannot become ${requested}; delete it and create it again to change its type`,
    Code.FailedPrecondition,
  );
}

/** INVALID_ARGUMENT: a write carries no value. */
export function valueRequired(name: string): ConnectError {
  return new ConnectError(`variable '${name}': the write has no value`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a value breaks one of the variable's constraints. */
export function constraintViolated(name: string, rule: string): ConnectError {
  return new ConnectError(`variable '${name}' ${rule}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: constraints that cannot apply or contradict themselves. */
export function invalidConstraints(name: string, problem: string): ConnectError {
  return new ConnectError(`variable '${name}' has invalid constraints: ${problem}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: metadata past its bounds. */
export function invalidMetadata(name: string, problem: string): ConnectError {
  return new ConnectError(`variable '${name}' has invalid metadata: ${problem}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: session metadata past its bounds. */
export function invalidSessionMetadata(problem: string): ConnectError {
  return new ConnectError(`session metadata is invalid: ${problem}`, Code.InvalidArgument);
}

/** RESOURCE_EXHAUSTED: a value larger or deeper than the configured bound. */
export function valueTooLarge(name: string, what: string): ConnectError {
  return new ConnectError(`variable '${name}' is too large: ${what}`, Code.ResourceExhausted);
}

/** RESOURCE_EXHAUSTED: a commit with too many items or bytes. */
export function commitTooLarge(what: string): ConnectError {
  return new ConnectError(`the update is too large: ${what}; split it into smaller ones`, Code.ResourceExhausted);
}

/** INVALID_ARGUMENT: one commit names the same variable twice. */
export function duplicateName(name: string): ConnectError {
  return new ConnectError(`variable '${name}' appears more than once in one update`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a bound such as a TTL or page size that makes no sense. */
export function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name);
}
