// Reads a V8 .cpuprofile (node --cpu-prof) and aggregates sampled time by function and by file or package.
import { readFileSync } from "node:fs";

/** "pkg/file.js" for node_modules paths, "node:internal/..." for Node's own, the path otherwise. */
export function locationOf(url) {
  if (!url) return "(native or V8)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length).replace(/\/dist\/(esm|cjs)\//, "/");
  return url.replace(/^file:\/\/\/work\/main\//, "");
}

/** The package a location belongs to: "@connectrpc/connect", "node:internal/http2", "bench", ... */
export function packageOf(location) {
  if (location.startsWith("node:")) return location.split("/").slice(0, 2).join("/");
  if (location.startsWith("@")) return location.split("/").slice(0, 2).join("/");
  if (location.startsWith("(")) return location;
  return location.split("/")[0];
}

/**
 * Aggregates a profile.
 *
 * Returns { totalMs, idleMs, byFunction: [{key, selfMs, totalMs}], byFile: [{key, selfMs}], byPackage: [{key, selfMs}] }
 * sorted by self time, where totalMs (inclusive) counts a function once per sample even when it recurses.
 */
export function aggregateProfile(path) {
  const profile = JSON.parse(readFileSync(path, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);

  const keyOf = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const loc = locationOf(url);
    return `${functionName || "(anonymous)"}  ${loc}${url ? `:${lineNumber + 1}` : ""}`;
  };
  const self = new Map();
  const total = new Map();
  const byFile = new Map();
  const byPackage = new Map();
  let idle = 0;
  const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);
  for (const id of profile.samples) {
    const node = nodes.get(id);
    const name = node.callFrame.functionName;
    if (name === "(idle)") {
      idle += msPerSample;
      continue;
    }
    add(self, keyOf(node), msPerSample);
    const loc = locationOf(node.callFrame.url);
    add(byFile, name.startsWith("(") ? name : loc, msPerSample);
    add(byPackage, name.startsWith("(") ? name : packageOf(loc), msPerSample);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const key = keyOf(nodes.get(cur));
      if (!seen.has(key)) {
        seen.add(key);
        add(total, key, msPerSample);
      }
    }
  }
  const sorted = (map) => [...map].map(([key, ms]) => ({ key, ms })).sort((a, b) => b.ms - a.ms);
  const busyMs = profile.samples.length * msPerSample - idle;
  return {
    totalMs: profile.samples.length * msPerSample,
    idleMs: idle,
    busyMs,
    byFunction: sorted(self).map(({ key, ms }) => ({ key, selfMs: ms, totalMs: total.get(key) })),
    byInclusive: sorted(total).map(({ key, ms }) => ({ key, totalMs: ms })),
    byFile: sorted(byFile).map(({ key, ms }) => ({ key, selfMs: ms })),
    byPackage: sorted(byPackage).map(({ key, ms }) => ({ key, selfMs: ms })),
  };
}
