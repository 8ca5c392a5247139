// Printing: rows as they finish, then every issue target with PASS/MISS.
import { writeFileSync } from "node:fs";

const out = (line = "") => process.stdout.write(`${line}\n`);
const num = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "-");
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** The run's header: environment and method. */
export function printHeader({ environment: e, options, loadPid }) {
  out(`toolbridge bench, ${e.date}, commit ${e.commit}`);
  out(`node ${e.node}, python ${e.python}, ${e.cpus} CPUs (${e.cpuModel}), ${e.memoryGB} GB, kernel ${e.kernel}, load average ${e.loadAverage.join(" ")}`);
  out(
    `method: closed loop in a separate load-generator process (pid ${loadPid}); each run ${options.warmupMs / 1000} s warm-up (discarded) + ` +
      `${options.durationMs / 1000} s measured; ${options.repeat} run(s) per target per row in alternating order (A B .., .. B A); medians of the runs`,
  );
}

let lastSection;

/** One finished row. */
export function printRow(row) {
  if (row.kind === "memory") return printMemory(row);
  if (row.section !== lastSection) {
    lastSection = row.section;
    out();
    out(`== ${row.section} ==`);
    out(`${pad("    target", 48)}${lpad("calls/s", 9)}${lpad("p50 ms", 9)}${lpad("p99 ms", 9)}${lpad("CPU us/call srv+behind/cli", 28)}   subject vs this baseline`);
  }
  out(`${row.title}  [${row.id}]`);
  for (const r of row.results) {
    const viaOwnClient = r.client !== row.client && r.client !== r.target;
    const name = pad(`    ${r.label}${viaOwnClient ? ` (${r.client} client)` : ""}`, 48);
    if (!r.stats) {
      out(`${name}not measured: ${firstLine(r.skipped)}`);
      continue;
    }
    const s = r.stats;
    const ratio = r.ratio ? `   ${num(r.ratio.callsPerSecond)}x calls/s, p50 ${num(r.ratio.p50)}x, p99 ${num(r.ratio.p99)}x` : "";
    out(`${name}${lpad(num(s.callsPerSecond, 0), 9)}${lpad(num(s.p50), 9)}${lpad(num(s.p99), 9)}${lpad(cpu(s), 28)}${ratio}`);
    if (r.errorNote) out(`      ! ${r.errorNote}`);
  }
  for (const c of row.crossRatios ?? []) out(`    same rounds: ${c.a} / ${c.b} = ${num(c.callsPerSecond)}x calls/s`);
  for (const note of row.notes ?? []) out(`    note: ${note}`);
}

// CPU per call: server (+ what runs behind it: its Python workers; for the gateway, redis-server and the runtime with
// its workers) / load generator (+ the Python process it drives itself, for the pipe and worker targets).
function cpu(s) {
  const server = Number.isFinite(s.serverCpuUs) ? num(s.serverCpuUs, 0) : "-";
  const children = s.serverChildrenCpuUs > 0 ? `+${num(s.serverChildrenCpuUs, 0)}` : "";
  return `${server}${children}/${num(s.clientCpuUs, 0)}`;
}

function firstLine(text) {
  const lines = String(text).split("\n");
  return lines.length > 1 ? `${lines[0]} ...` : lines[0];
}

function printMemory(row) {
  out();
  out(`== memory, ${row.when} ==`);
  if (row.skipped) {
    out(`  not measured: ${firstLine(row.skipped)}`);
    return;
  }
  out(`  runtime pid ${row.runtime.pid}: RSS ${num(row.runtime.rssMB, 1)} MB`);
  if (row.workers.length === 0) out("  no Python worker processes found among the runtime's children");
  for (const w of row.workers) out(`  worker pid ${w.pid}: RSS ${num(w.rssMB, 1)} MB`);
}

/**
 * Every check of every row in one table, by issue: the target, the subject's figure, the same-run baseline it is
 * judged against (or shown next to), PASS / MISS / n/a. Markdown, so that it can go into a README as printed.
 */
export function printTargets(rows) {
  const checks = rows.flatMap((row) => (row.checks ?? []).map((c) => ({ issue: row.issue ?? "-", ...c })));
  checks.sort((a, b) => String(a.issue).localeCompare(String(b.issue)));
  out();
  out("== targets ==");
  out("| issue | target | figure | same-run baseline | result |");
  out("| --- | --- | --- | --- | --- |");
  const cell = (text) => String(text).replaceAll("|", "/");
  for (const c of checks) {
    const verdict = c.pass === null ? "n/a" : c.pass ? "PASS" : "MISS";
    out(`| ${c.issue} | ${cell(c.text)} | ${cell(c.figure ?? c.detail)} | ${cell(c.baseline ?? "-")} | ${verdict} |`);
  }
  const count = (pass) => checks.filter((c) => c.pass === pass).length;
  out(`${count(true)} PASS, ${count(false)} MISS${count(null) ? `, ${count(null)} not measured` : ""}`);
}

/** Writes the whole run as JSON for the README table. */
export function writeJson(file, { environment, options, servers, rows, elapsedSeconds }) {
  const { only, ...rest } = options;
  const targets = rows.flatMap((row) => (row.checks ?? []).map((c) => ({ issue: row.issue, row: row.id, ...c })));
  const data = { environment, options: { ...rest, only: only.map(String) }, servers, elapsedSeconds, targets, rows };
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  out(`\nfigures written to ${file}`);
}
