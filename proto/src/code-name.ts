import { Code } from "@connectrpc/connect";

// Snake-case names as the Connect protocol spells them; they are also what
// Python workers put in error frames and what batch outcomes carry.
const names: Record<Code, string> = {
  [Code.Canceled]: "canceled",
  [Code.Unknown]: "unknown",
  [Code.InvalidArgument]: "invalid_argument",
  [Code.DeadlineExceeded]: "deadline_exceeded",
  [Code.NotFound]: "not_found",
  [Code.AlreadyExists]: "already_exists",
  [Code.PermissionDenied]: "permission_denied",
  [Code.ResourceExhausted]: "resource_exhausted",
  [Code.FailedPrecondition]: "failed_precondition",
  [Code.Aborted]: "aborted",
  [Code.OutOfRange]: "out_of_range",
  [Code.Unimplemented]: "unimplemented",
  [Code.Internal]: "internal",
  [Code.Unavailable]: "unavailable",
  [Code.DataLoss]: "data_loss",
  [Code.Unauthenticated]: "unauthenticated",
};

const codes = new Map<string, Code>(
  Object.entries(names).map(([code, name]) => [name, Number(code) as Code]),
);

/** The snake-case name of a code, e.g. "invalid_argument". */
export function codeToName(code: Code): string {
  return names[code] ?? "unknown";
}

/** The code with this snake-case name; Unknown for a name it does not know. */
export function codeFromName(name: string): Code {
  return codes.get(name) ?? Code.Unknown;
}
