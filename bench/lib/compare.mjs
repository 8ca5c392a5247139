// A comparison row: one subject and its same-run baselines, measured in alternating order and summarized by median.
import { childProcesses, cpuTimeMs } from "./proc.mjs";
import { combineRuns } from "./stats.mjs";
import { TARGET_LABELS } from "./targets.mjs";

/**
 * Defines a row that measures `subject` against `baselines` with the same client and request.
 *
 * Fields:
 * - id: the row's id, matched by `--only` (e.g. "echo/grpc/c32").
 * - section, title: where and how the report prints it.
 * - client: the client (see clients.CLIENTS) every entry uses unless the entry names its own.
 * - request: the request spec (see requests.mjs).
 * - concurrency: callers in flight.
 * - subject: target name of the thing under test (e.g. "runtime"); subjectLabel: its name in the report, when the
 *   target's usual label does not fit the row.
 * - baselines: [{ target, client?, label?, request? }] measured alongside it; `request` replaces the row's for
 *   that entry (e.g. the one tool a subject tool calls, called directly).
 * - checks: targets from the issue, evaluated on the medians (see checks.mjs).
 * - crossRatios: [[a, b]] pairs of targets whose calls/s ratio a/b is also reported (baseline against baseline).
 * - prepare: optional async (ctx) => ({ request?, requests?, notes? }), run once before measuring (e.g. create a
 *   session and return a request that names it); `requests` maps a target name to the request its entries send.
 * - issue: the issue whose targets the checks are (2, 3, 4), for the summary table.
 * - notes: lines printed under the row.
 */
export function comparisonRow(def) {
  return {
    ...def,
    kind: "comparison",
    async run(ctx) {
      const prepared = def.prepare ? await def.prepare(ctx) : {};
      const request = prepared.request ?? def.request;
      const entries = [];
      for (const spec of [{ target: def.subject, label: def.subjectLabel }, ...def.baselines]) {
        const target = await ctx.targets.get(spec.target);
        entries.push({
          target: spec.target,
          label: spec.label ?? TARGET_LABELS[spec.target] ?? spec.target,
          client: spec.client ?? def.client,
          request: prepared.requests?.[spec.target] ?? spec.request,
          server: target,
          runs: [],
          skipped: target.unavailable,
        });
      }
      const active = entries.filter((e) => !e.skipped);
      // A/B/A/B with the order reversed every other round (A B C, C B A, ...), so drift hits all alike.
      for (let round = 0; round < ctx.options.repeat; round++) {
        const order = round % 2 === 0 ? active : [...active].reverse();
        for (const entry of order) {
          if (entry.skipped) continue;
          try {
            const cpuBefore = cpuSnapshot(entry.server, ctx.load.pid);
            const run = await ctx.load.run({
              client: entry.client,
              url: entry.server.url,
              key: entry.server.key,
              request: entry.request ?? request,
              concurrency: def.concurrency,
              warmupMs: ctx.options.warmupMs,
              durationMs: ctx.options.durationMs,
              maxMessageBytes: ctx.options.maxMessageBytes,
              python: ctx.options.python,
            });
            Object.assign(run, cpuPerCall(cpuBefore, cpuSnapshot(entry.server, ctx.load.pid), run.allCalls));
            entry.runs.push(run);
            if (run.errors > 0) entry.errorNote = `${run.errors} error(s), first: ${run.firstError}`;
          } catch (e) {
            entry.skipped = `failed: ${e instanceof Error ? e.message : String(e)}`;
          }
        }
      }
      const results = entries.map(({ target, label, client, runs, skipped, errorNote }) => ({
        target,
        label,
        client,
        ...(skipped ? { skipped } : { stats: combineRuns(runs) }),
        ...(errorNote ? { errorNote } : {}),
      }));
      const subject = results[0];
      for (const r of results.slice(1)) {
        if (subject.stats && r.stats) {
          r.ratio = {
            callsPerSecond: subject.stats.callsPerSecond / r.stats.callsPerSecond,
            p50: subject.stats.p50 / r.stats.p50,
            p99: subject.stats.p99 / r.stats.p99,
          };
        }
      }
      const crossRatios = (def.crossRatios ?? []).flatMap(([a, b]) => {
        const ra = results.find((r) => r.target === a && r.stats);
        const rb = results.find((r) => r.target === b && r.stats);
        return ra && rb ? [{ a: ra.label, b: rb.label, callsPerSecond: ra.stats.callsPerSecond / rb.stats.callsPerSecond }] : [];
      });
      return {
        id: def.id,
        kind: "comparison",
        issue: def.issue,
        section: def.section,
        title: def.title,
        concurrency: def.concurrency,
        client: def.client,
        results,
        crossRatios,
        checks: (def.checks ?? []).map((check) => check.evaluate(results)),
        notes: [...(def.notes ?? []), ...(prepared.notes ?? [])],
      };
    },
  };
}

/**
 * CPU time so far of the server; of its children (the runtime's workers) and the processes behind it (a gateway's
 * Redis and runtime, with the runtime's workers); and of the load generator with its children.
 */
function cpuSnapshot(server, loadPid) {
  const children = (pid) => childProcesses(pid).reduce((ms, c) => ms + (cpuTimeMs(c.pid) || 0), 0);
  const helpers = (server.helperPids ?? []).reduce((ms, pid) => ms + (cpuTimeMs(pid) || 0) + children(pid), 0);
  return {
    server: server.pid ? cpuTimeMs(server.pid) : Number.NaN,
    serverChildren: server.pid ? children(server.pid) + helpers : Number.NaN,
    client: cpuTimeMs(loadPid) + children(loadPid),
  };
}

/** CPU microseconds per call spent by the server, its children and the client over one run. */
function cpuPerCall(before, after, calls) {
  const us = (key) => ((after[key] - before[key]) * 1000) / Math.max(1, calls);
  return { serverCpuUs: us("server"), serverChildrenCpuUs: us("serverChildren"), clientCpuUs: us("client") };
}
