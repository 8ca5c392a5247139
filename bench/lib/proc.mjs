// Memory figures from /proc (Linux only).
import { readdirSync, readFileSync } from "node:fs";

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
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    const close = stat.lastIndexOf(")");
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    if (ppid === pid) children.push({ pid: Number(entry), command: stat.slice(stat.indexOf("(") + 1, close) });
  }
  return children;
}
