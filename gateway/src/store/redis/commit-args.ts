import type { PlannedCommit, PlannedWrite } from "../../variables/plan-commit.js";
import type { Variable } from "../../variables/variable.js";
import { sessionNotFound, tooManyVariables, unreadableRecord, versionConflict } from "../errors.js";
import { constraintsText, metadataText, type StoredDeclaration } from "../record-codec.js";
import type { CommitResult } from "../store.js";
import { int, list, text } from "./replies.js";
import { endedOf } from "./tombstone.js";

// Between a planned commit and the arguments and reply of the commit function (lua/prelude.ts).

/**
 * The script arguments of a plan's items. For writes that keep their constraints, the
 * constraints text is the stored one the plan was checked against, verbatim, so the script can
 * compare it with what is stored.
 */
export function commitArgs(plan: PlannedCommit, declarationOf: (name: string) => StoredDeclaration | undefined): string[] {
  const args: string[] = [];
  for (const w of plan.writes) {
    args.push(
      w.name,
      w.typeGiven ? w.type : "",
      w.expectedVersion === undefined ? "" : String(w.expectedVersion),
      w.type,
      constraintsBasis(w, declarationOf),
      w.constraintsGiven ? "1" : "0",
      w.metadataGiven ? "1" : "0",
      w.metadataGiven ? metadataText(w.metadata) : "",
      w.valueText,
    );
  }
  for (const d of plan.deletes) args.push(d.name, d.expectedVersion === undefined ? "" : String(d.expectedVersion));
  return args;
}

/** The constraints text a write leaves stored: its own, or the stored text it was checked against. */
export function constraintsBasis(write: PlannedWrite, declarationOf: (name: string) => StoredDeclaration | undefined): string {
  return write.constraintsGiven ? constraintsText(write.constraints) : (declarationOf(write.name)?.constraintsText ?? "null");
}

/** What a commit script answered. */
export type CommitReply =
  | { kind: "ok"; result: CommitResult; rest: unknown[] }
  | { kind: "basis"; records: [string, string | undefined][] };

/**
 * Reads a commit reply: the result on success, the true records when the plan's declarations
 * were stale; throws the ConnectError of every other answer.
 */
export function readCommitReply(sessionId: string, plan: PlannedCommit, reply: unknown, maxVariables: number): CommitReply {
  const items = list(reply, "a commit");
  switch (items[0]) {
    case "ok":
      break;
    case "gone":
      throw sessionNotFound(sessionId, endedOf(items));
    case "conflict":
      throw versionConflict(text(items[1], "a conflict"), int(items[2], "a conflict"), int(items[3], "a conflict"));
    case "full":
      throw tooManyVariables(sessionId, maxVariables);
    case "basis": {
      const records: [string, string | undefined][] = [];
      for (let i = 1; i + 1 < items.length; i += 2) {
        records.push([text(items[i], "a basis"), typeof items[i + 1] === "string" ? (items[i + 1] as string) : undefined]);
      }
      return { kind: "basis", records };
    }
    default:
      throw unreadableRecord("variable");
  }
  const now = int(items[1], "a commit");
  const sequence = int(items[2], "a commit");
  let at = 3;
  const variables = plan.writes.map((w): Variable => {
    const version = int(items[at], "a commit");
    const createdAt = int(items[at + 1], "a commit");
    const meta = text(items[at + 2], "a commit");
    at += 3;
    const variable: Variable = { name: w.name, type: w.type, value: w.value, version, createdAt, updatedAt: now };
    if (w.constraints !== undefined) variable.constraints = w.constraints;
    if (meta !== "null") variable.metadata = JSON.parse(meta);
    return variable;
  });
  const deleted = plan.deletes.filter(() => int(items[at++], "a commit") === 1).map((d) => d.name);
  return { kind: "ok", result: { variables, deleted, sequence }, rest: items.slice(at) };
}
