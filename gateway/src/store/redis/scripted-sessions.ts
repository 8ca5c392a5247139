import { planCommit } from "../../variables/plan-commit.js";
import { sessionExists, sessionIdTaken, sessionNotFound, tooManySessions, tooManySessionTools, tooManyVariables } from "../errors.js";
import { checkNewSession, checkSessionTool } from "../input-checks.js";
import { decodePageToken, encodePageToken, pageSizeOf } from "../page-token.js";
import { decodeSessionData, decodeSessionTool, encodeSessionData, encodeSessionTool } from "../record-codec.js";
import type { SessionRecord, SessionStateStore, SessionStore } from "../store.js";
import { commitArgs, readCommitReply } from "./commit-args.js";
import { affinity, countSessions, createSession, deleteSession, listSessions, putSessionTool, readSession } from "./lua/session-scripts.js";
import { readVariables } from "./lua/variable-scripts.js";
import { int, list, optionalText, pairs, text } from "./replies.js";
import type { ScriptedContext } from "./scripted-context.js";
import { endedOf } from "./tombstone.js";

/** A session record from the fields the scripts return: id, data, incarnation (µs), ttl, runtime, expiry. */
function sessionOf(fields: unknown[]): SessionRecord {
  const { orgId, metadata } = decodeSessionData(text(fields[1], "a session"));
  const record: SessionRecord = {
    id: text(fields[0], "a session"),
    orgId,
    metadata,
    createdAt: Math.floor(int(fields[2], "a session") / 1000),
    ttlMs: int(fields[3], "a session"),
    expiresAt: int(fields[5], "a session"),
  };
  const runtimeId = optionalText(fields[4]);
  if (runtimeId !== undefined) record.runtimeId = runtimeId;
  return record;
}

/** Sessions, affinity and session tools of a Redis store. */
export function scriptedSessions(ctx: ScriptedContext): SessionStore & SessionStateStore {
  const { keys, limits } = ctx;

  const read = async (id: string, touch: boolean) => list(await ctx.run(readSession, keys.session(id), [id, touch ? "1" : "0"]), "a session");
  const readOne = async (id: string, touch: boolean): Promise<SessionRecord | undefined> => {
    const reply = await read(id, touch);
    return reply[0] === "gone" ? undefined : sessionOf([id, ...reply.slice(1)]);
  };

  return {
    async createSession(input) {
      const { id, orgId, metadata, ttlMs } = checkNewSession(input, limits);
      const plan = planCommit({ writes: input.variables ?? [] }, () => undefined, limits);
      if (plan.writes.length > limits.maxVariablesPerSession) throw tooManyVariables(id, limits.maxVariablesPerSession);
      const args = [id, String(ttlMs), String(limits.maxSessions), String(limits.maxVariablesPerSession)];
      args.push(encodeSessionData(orgId, metadata), String(plan.writes.length), String(ctx.rememberEndedMs), orgId);
      args.push(...commitArgs(plan, () => undefined));
      const reply = await ctx.run(createSession, keys.session(id), args);
      const status = list(reply, "a new session")[0];
      if (status === "exists") throw sessionExists(id);
      if (status === "taken") throw sessionIdTaken(id);
      if (status === "full") throw tooManySessions(limits.maxSessions);
      const committed = readCommitReply(id, plan, reply, limits.maxVariablesPerSession);
      if (committed.kind !== "ok") throw sessionExists(id);
      const [incarnation, expires] = committed.rest;
      const session: SessionRecord = {
        id,
        orgId,
        metadata,
        createdAt: Math.floor(int(incarnation, "a new session") / 1000),
        ttlMs,
        expiresAt: int(expires, "a new session"),
      };
      return { session, variables: committed.result.variables };
    },
    getSession: (id) => readOne(id, false),
    touchSession: (id) => readOne(id, true),
    async endedSession(id) {
      const reply = await read(id, false);
      return reply[0] === "gone" ? endedOf(reply) : undefined;
    },
    async deleteSession(id) {
      const [existed, count] = list(await ctx.run(deleteSession, keys.session(id), [id]), "a cleanup");
      for (const end of ctx.watches.get(id) ?? []) end();
      return { removed: existed === 1, variablesRemoved: int(count, "a cleanup") };
    },
    async listSessions(page = {}) {
      const after = decodePageToken(page.pageToken);
      const size = pageSizeOf(page.pageSize);
      const reply = list(await ctx.run(listSessions, [keys.sessionExpiry, keys.sessionIds], [keys.prefix, after, String(size)]), "a page");
      const sessions: SessionRecord[] = [];
      for (let i = 2; i + 5 < reply.length; i += 6) sessions.push(sessionOf(reply.slice(i, i + 6)));
      const more = reply[1] === 1 && sessions.length > 0;
      return { sessions, nextPageToken: more ? encodePageToken(sessions[sessions.length - 1].id) : "" };
    },
    async countSessions() {
      return int(await ctx.run(countSessions, [keys.sessionExpiry, keys.sessionIds], []), "a count");
    },

    async setAffinity(sessionId, runtimeId, options = {}) {
      const reply = list(await ctx.run(affinity, keys.session(sessionId), [sessionId, options.ifAbsent ? "setnx" : "set", runtimeId]), "an affinity");
      if (reply[0] === "gone") throw sessionNotFound(sessionId, endedOf(reply));
      return text(reply[1], "an affinity");
    },
    async clearAffinity(sessionId) {
      const reply = list(await ctx.run(affinity, keys.session(sessionId), [sessionId, "clear", ""]), "an affinity");
      if (reply[0] === "gone") throw sessionNotFound(sessionId, endedOf(reply));
    },
    async putSessionTool(sessionId, tool) {
      checkSessionTool(tool);
      const args = [sessionId, tool.tool.name, encodeSessionTool(tool), String(limits.maxSessionTools)];
      const reply = list(await ctx.run(putSessionTool, keys.session(sessionId), args), "a session tool");
      const status = reply[0];
      if (status === "gone") throw sessionNotFound(sessionId, endedOf(reply));
      if (status === "full") throw tooManySessionTools(sessionId, limits.maxSessionTools);
    },
    async listSessionTools(sessionId) {
      const reply = list(await ctx.run(readVariables, keys.session(sessionId), [sessionId, "tools"]), "session tools");
      if (reply[0] === "gone") throw sessionNotFound(sessionId, endedOf(reply));
      return pairs(reply[1], "session tools")
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, record]) => decodeSessionTool(record));
    },
  };
}
