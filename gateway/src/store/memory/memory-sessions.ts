import type { PlannedCommit } from "../../variables/plan-commit.js";
import type { Variable } from "../../variables/variable.js";
import { tooManyVariables, versionConflict } from "../errors.js";
import { constraintsText, decodeVariable, headerText, metadataText, readRecordHeader } from "../record-codec.js";
import type { CommitResult, SessionRecord } from "../store.js";

/** One change as the memory store logs it for watchers. */
export interface LoggedChange {
  /** The session's change counter at this change. */
  sequence: number;
  /** What happened. */
  kind: "set" | "delete";
  /** The variable's name. */
  name: string;
  /** The variable's record after the change (its last record for a delete). */
  text: string;
}

/** A live session of the memory store and everything it owns. */
export interface MemorySession {
  /** Id, org, metadata, times and affinity. */
  record: SessionRecord;
  /** Unique among all sessions this store ever held, so watchers notice a re-created id. */
  incarnation: string;
  /** Variable records by name, in the shared stored format. */
  variables: Map<string, string>;
  /** Session tool records by tool name. */
  tools: Map<string, string>;
  /** The change counter. */
  sequence: number;
  /** The latest changes, at most changeLogLength. */
  log: LoggedChange[];
  /** Watchers waiting for the next change or for the session to end. */
  waiters: Set<() => void>;
}

/** Wakes every watcher of the session. */
export function wake(session: MemorySession): void {
  for (const waiter of session.waiters) waiter();
  session.waiters.clear();
}

/**
 * Applies a planned commit to a session after checking expected versions and the variable
 * count: all of it, or nothing and a ConnectError. `log` false applies without feeding watchers
 * (a session's initial variables).
 */
export function applyCommit(
  session: MemorySession,
  plan: PlannedCommit,
  at: number,
  settings: { maxVariables: number; changeLogLength: number; log: boolean },
): CommitResult {
  const { variables } = session;
  const versionOf = (name: string) => {
    const text = variables.get(name);
    return text === undefined ? 0 : readRecordHeader(text).version;
  };
  let creations = 0;
  let removals = 0;
  for (const item of [...plan.writes, ...plan.deletes]) {
    const actual = versionOf(item.name);
    if (item.expectedVersion !== undefined && item.expectedVersion !== actual) {
      throw versionConflict(item.name, item.expectedVersion, actual);
    }
  }
  for (const write of plan.writes) if (!variables.has(write.name)) creations++;
  for (const del of plan.deletes) if (variables.has(del.name)) removals++;
  if (creations > 0 && variables.size + creations - removals > settings.maxVariables) {
    throw tooManyVariables(session.record.id, settings.maxVariables);
  }

  const written: Variable[] = [];
  const deleted: string[] = [];
  const record = (change: Omit<LoggedChange, "sequence">) => {
    if (!settings.log) return;
    session.sequence++;
    session.log.push({ ...change, sequence: session.sequence });
  };
  for (const write of plan.writes) {
    const previousText = variables.get(write.name);
    const previous = previousText === undefined ? undefined : decodeVariable(write.name, previousText);
    const variable: Variable = {
      name: write.name,
      type: write.type,
      value: write.value,
      version: (previous?.version ?? 0) + 1,
      createdAt: previous?.createdAt ?? at,
      updatedAt: at,
    };
    const metadata = write.metadataGiven ? write.metadata : previous?.metadata;
    if (write.constraints !== undefined) variable.constraints = write.constraints;
    if (metadata !== undefined) variable.metadata = metadata;
    const text = [
      headerText(variable.type, variable.version, variable.createdAt, at),
      constraintsText(variable.constraints),
      metadataText(metadata),
      write.valueText,
    ].join("\n");
    variables.set(write.name, text);
    record({ kind: "set", name: write.name, text });
    written.push(variable);
  }
  for (const { name } of plan.deletes) {
    const text = variables.get(name);
    if (text === undefined) continue;
    variables.delete(name);
    record({ kind: "delete", name, text });
    deleted.push(name);
  }
  if (session.log.length > settings.changeLogLength) session.log.splice(0, session.log.length - settings.changeLogLength);
  if (settings.log && session.waiters.size > 0) wake(session);
  return { variables: written, deleted, sequence: session.sequence };
}
