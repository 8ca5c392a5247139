// The load generator's own process (forked by load-process.mjs): runs one job at a time, sent over IPC.
import { createCaller } from "./clients.mjs";
import { runClosedLoop } from "./load.mjs";

/** Runs one job: builds the caller, checks one call, runs the closed loop, closes the caller. */
async function runJob(job) {
  const caller = await createCaller(job);
  try {
    await caller.call(); // fail fast with the real error when the target cannot serve the request at all
    return await runClosedLoop({ call: caller.call, concurrency: job.concurrency, warmupMs: job.warmupMs, durationMs: job.durationMs });
  } finally {
    await caller.close();
  }
}

process.on("message", (message) => {
  runJob(message.job).then(
    (result) => process.send({ id: message.id, result }),
    (e) => process.send({ id: message.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
// The harness owns this process: when it goes away, so do we.
process.on("disconnect", () => process.exit(0));
