// Process figures from /proc (Linux only): memory, CPU time, children.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/<pid>/stat after the command name (index 0 is the state), or undefined when gone. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) `pid` has used, in ms; NaN when the process is gone. */
export function cpuTimeMs(pid) {
  const stat = statFields(pid);
  if (!stat) return Number.NaN;
  // utime and stime are fields 14 and 15 of the stat line, 11 and 12 after the state.
  return ((Number(stat.fields[11]) + Number(stat.fields[12])) * 1000) / clockTicks();
}

/** Resident set size (VmRSS) of `pid` in bytes, or NaN when the process is gone. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The pids whose parent is `pid`, with their command name (from /proc/<pid>/stat). */
export function childProcesses(pid) {
  const children = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statFields(entry);
    if (stat && Number(stat.fields[1]) === pid) children.push({ pid: Number(entry), command: stat.comm });
  }
  return children;
}
