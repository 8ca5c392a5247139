import { checkCommitShape, planCommit, type PlannedCommit } from "../../variables/plan-commit.js";
import type { Variable, VariableChange, VariableCommit } from "../../variables/variable.js";
import { declarationRace, fromRedisFailure, sessionNotFound } from "../errors.js";
import { checkNames } from "../input-checks.js";
import { decodeStoredVariable, readDeclaration, type StoredDeclaration } from "../record-codec.js";
import type { CommitResult, VariableStore } from "../store.js";
import { type ChangeSource, pause, startWatch, WatcherCount } from "../watch-loop.js";
import { commitArgs, constraintsBasis, readCommitReply } from "./commit-args.js";
import { beginWatch, commitVariables, pollChanges, readVariables } from "./lua/variable-scripts.js";
import { list, pairs, text } from "./replies.js";
import type { BlockingStreamReader, RawStreamEntry } from "./runner.js";
import type { ScriptedContext } from "./scripted-context.js";
import { endedOf } from "./tombstone.js";

// A commit is checked against the declarations this gateway believes stored and sent in one
// script that verifies that belief; a stale belief costs a second trip, never a wrong write.
const maxAttempts = 4;

/** Variables and watches of a Redis store. */
export function scriptedVariables(ctx: ScriptedContext): VariableStore {
  const { keys, limits, declarations } = ctx;
  const watchers = new WatcherCount(limits.maxWatchers);

  const decode = (sessionId: string, name: string, record: string): Variable => {
    const { variable, declaration } = decodeStoredVariable(name, record);
    declarations.set(sessionId, name, declaration);
    return variable;
  };
  const read = async (sessionId: string, mode: "all" | "some", names: string[] = []) => {
    const reply = list(await ctx.run(readVariables, keys.session(sessionId), [sessionId, mode, ...names]), "a read");
    if (reply[0] === "gone") throw sessionNotFound(sessionId, endedOf(reply));
    return reply[1];
  };

  const commit = async (sessionId: string, request: VariableCommit): Promise<CommitResult> => {
    checkCommitShape(request, limits);
    const writes = request.writes ?? [];
    // Declarations read from the store during this commit; null: no such variable.
    const truth = new Map<string, StoredDeclaration | null>();
    const believed = (name: string): StoredDeclaration | undefined => {
      if (truth.has(name)) return truth.get(name) ?? undefined;
      const seen = declarations.get(sessionId, name);
      if (seen !== undefined) return seen;
      const type = writes.find((w) => w.name === name)?.type;
      return type === undefined ? undefined : { type, constraintsText: "null" };
    };
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      let plan: PlannedCommit;
      try {
        plan = planCommit(request, believed, limits);
      } catch (err) {
        // A rule broken against a guess may hold against the truth: read it, then judge.
        const unknown = writes.map((w) => w.name).filter((name) => !truth.has(name));
        if (unknown.length === 0) throw err;
        const records = list(await read(sessionId, "some", unknown), "a read");
        unknown.forEach((name, i) => truth.set(name, typeof records[i] === "string" ? readDeclaration(records[i] as string) : null));
        continue;
      }
      const args = [sessionId, String(limits.maxVariablesPerSession), String(ctx.changeLogLength)];
      args.push(String(plan.writes.length), String(plan.deletes.length), ...commitArgs(plan, believed));
      const reply = readCommitReply(sessionId, plan, await ctx.run(commitVariables, keys.session(sessionId), args), limits.maxVariablesPerSession);
      if (reply.kind === "basis") {
        for (const [name, record] of reply.records) truth.set(name, record === undefined ? null : readDeclaration(record));
        continue;
      }
      for (const w of plan.writes) {
        declarations.set(sessionId, w.name, { type: w.type, constraints: w.constraints, constraintsText: constraintsBasis(w, believed) });
      }
      for (const name of reply.result.deleted) declarations.forget(sessionId, name);
      return reply.result;
    }
    throw declarationRace(writes[0]?.name ?? "");
  };

  const changes = (sessionId: string): ChangeSource => {
    const [sessionKey, variablesKey, , streamKey, , , tombstoneKey] = keys.session(sessionId);
    let reader: BlockingStreamReader | undefined;
    const poll = async (incarnation: string, after: number): Promise<VariableChange[] | "ended"> => {
      const reply = list(await ctx.run(pollChanges, [sessionKey, streamKey], [incarnation, String(after), "100"]), "a poll");
      return reply[0] === "ended" ? "ended" : toChanges(sessionId, incarnation, list(reply[1], "a poll") as RawStreamEntry[]);
    };
    return {
      async begin(names, snapshot) {
        const mode = !snapshot ? "none" : names === undefined ? "all" : "some";
        const reply = list(await ctx.run(beginWatch, [sessionKey, variablesKey, tombstoneKey], [mode, ...(names ?? [])]), "a watch");
        if (reply[0] === "gone") return sessionNotFound(sessionId, endedOf(reply));
        const found = pairs(reply[3], "a watch").map(([name, record]) => decode(sessionId, name, record));
        if (mode === "all") found.sort((a, b) => (a.name < b.name ? -1 : 1));
        return { variables: found, sequence: Number(text(reply[2], "a watch")), incarnation: text(reply[1], "a watch") };
      },
      async read(after, incarnation, signal) {
        if (ctx.runner.blockingReader === undefined) {
          const found = await poll(incarnation, after);
          if (found !== "ended" && found.length === 0) await pause(ctx.pollMs, signal);
          return found;
        }
        reader ??= ctx.runner.blockingReader();
        let entries: RawStreamEntry[];
        try {
          entries = await reader.read(streamKey, `${incarnation}-${after}`, 100, ctx.watchCheckMs);
        } catch (err) {
          if (signal.aborted) return [];
          throw fromRedisFailure(err);
        }
        if (signal.aborted) return [];
        // Nothing in time: the session may be gone (its stream then never grows); look.
        return entries.length > 0 ? toChanges(sessionId, incarnation, entries) : poll(incarnation, after);
      },
      end() {
        reader?.close();
      },
    };
  };

  const toChanges = (sessionId: string, incarnation: string, entries: RawStreamEntry[]): VariableChange[] | "ended" => {
    const out: VariableChange[] = [];
    for (const [id, fields] of entries) {
      const [life, sequence] = id.split("-");
      if (life !== incarnation) return "ended";
      const field = (name: string) => fields[fields.indexOf(name) + 1];
      out.push({
        kind: field("k") === "d" ? "delete" : "set",
        variable: decodeStoredVariable(field("n"), field("r")).variable,
        sequence: Number(sequence),
      });
    }
    return out;
  };

  return {
    async getVariable(sessionId, name) {
      checkNames([name], limits);
      const [record] = list(await read(sessionId, "some", [name]), "a read");
      return typeof record === "string" ? decode(sessionId, name, record) : undefined;
    },
    async getVariables(sessionId, names) {
      checkNames(names, limits);
      if (names.length === 0) {
        await read(sessionId, "some");
        return [];
      }
      const records = list(await read(sessionId, "some", names), "a read");
      return names.map((name, i) => (typeof records[i] === "string" ? decode(sessionId, name, records[i] as string) : undefined));
    },
    async listVariables(sessionId) {
      const found = pairs(await read(sessionId, "all"), "a read").map(([name, record]) => decode(sessionId, name, record));
      return found.sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    commit,
    async watch(sessionId, options = {}) {
      // Deleting the session on this instance ends its local watches at once; on another
      // instance they notice within watchCheckMs.
      const local = ctx.watches.get(sessionId) ?? new Set<() => void>();
      ctx.watches.set(sessionId, local);
      const stop = new AbortController();
      // Deleting the session may happen in another request, and workerd refuses to let one request
      // abort another's signal. Resolving a promise is allowed, and with workerd's
      // handle_cross_request_promise_resolution the abort then runs in this request. Where it
      // cannot, the watch notices within watchCheckMs, as on another instance.
      let ended = () => {};
      void new Promise<void>((resolve) => (ended = resolve)).then(() => stop.abort()).catch(() => {});
      const onAbort = () => stop.abort();
      options.signal?.addEventListener("abort", onAbort);
      if (options.signal?.aborted) stop.abort();
      local.add(ended);
      const release = () => {
        options.signal?.removeEventListener("abort", onAbort);
        local.delete(ended);
        if (local.size === 0 && ctx.watches.get(sessionId) === local) ctx.watches.delete(sessionId);
      };
      const source = changes(sessionId);
      const context = { watchers, changeLogLength: ctx.changeLogLength, closed: ctx.closed };
      try {
        return await startWatch(sessionId, { ...source, end: () => (source.end?.(), release()) }, { ...options, signal: stop.signal }, context);
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}
