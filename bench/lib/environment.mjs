// The machine and software a run measured, printed first and stored with the figures.
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem, release } from "node:os";

function tryRun(command, args) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return "unavailable";
  }
}

/** Versions, CPUs, memory, load and commit. */
export function describeEnvironment({ python }) {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    python: tryRun(python, ["-c", "import sys; print(sys.version.split()[0])"]),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? "unknown",
    memoryGB: +(totalmem() / 1e9).toFixed(1),
    kernel: release(),
    loadAverage: loadavg().map((l) => +l.toFixed(2)),
    commit: tryRun("git", ["rev-parse", "--short", "HEAD"]),
  };
}
