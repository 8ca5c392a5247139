import type { RuntimeInfo } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import type { ToolInfo } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Logger } from "../log.js";
import type { RuntimeRegistry } from "../store/store.js";

/** One live runtime as routing sees it. */
export interface RuntimeEntry {
  /** Its id. */
  readonly id: string;
  /** Its base URL. */
  readonly url: string;
  /** What it registered, with its latest heartbeat load. */
  readonly info: RuntimeInfo;
  /** Calls it runs at once without queueing (workers x concurrency), at least 1. */
  readonly slots: number;
  /** In flight plus queued at its latest heartbeat. */
  readonly reportedLoad: number;
}

/** The live runtimes at one moment, indexed for routing. */
export interface DirectorySnapshot {
  /** Every live runtime, ordered by id. */
  readonly runtimes: readonly RuntimeEntry[];
  /** Runtimes by id. */
  readonly byId: ReadonlyMap<string, RuntimeEntry>;
  /** Runtimes by base URL. */
  readonly byUrl: ReadonlyMap<string, RuntimeEntry>;
  /** For each tool name, the runtimes that serve it. */
  readonly byTool: ReadonlyMap<string, readonly RuntimeEntry[]>;
  /** One description per tool name (the first runtime's, by id), ordered by name. */
  readonly tools: readonly ToolInfo[];
  /** When it was read from the store (ms since the epoch). */
  readonly readAt: number;
}

/** Options of createRuntimeDirectory. */
export interface DirectoryOptions {
  /** The registry in the store. */
  registry: RuntimeRegistry;
  /** How long a snapshot is used before it is read again. */
  cacheMs: number;
  /** Told when a background refresh fails. */
  log: Logger;
}

/** The live runtimes, read from the store at most once per cacheMs. */
export interface RuntimeDirectory {
  /**
   * The current snapshot. A fresh one comes from memory; a stale one is still returned at once
   * while a refresh runs in the background, unless it is older than ten times cacheMs.
   */
  snapshot(): Promise<DirectorySnapshot>;
  /** Reads the store now (sharing a read in progress). */
  refresh(): Promise<DirectorySnapshot>;
  /** Forgets the snapshot: the next call reads the store (after a registration on this instance). */
  invalidate(): void;
}

/** A RuntimeDirectory over the store's registry. */
export function createRuntimeDirectory(options: DirectoryOptions): RuntimeDirectory {
  const { registry, cacheMs, log } = options;
  let current: DirectorySnapshot | undefined;
  let reading: Promise<DirectorySnapshot> | undefined;
  let generation = 0;

  const refresh = (): Promise<DirectorySnapshot> => {
    if (reading !== undefined) return reading;
    const started = generation;
    const read = registry.listRuntimes().then(
      (runtimes) => {
        const snapshot = index(runtimes, Date.now());
        // A registration on this instance during the read invalidated it: keep the result for this caller only.
        if (started === generation) current = snapshot;
        return snapshot;
      },
    );
    reading = read;
    read.then(
      () => (reading = undefined),
      () => (reading = undefined),
    );
    return read;
  };

  return {
    snapshot() {
      const snapshot = current;
      if (snapshot === undefined) return refresh();
      const age = Date.now() - snapshot.readAt;
      if (age < cacheMs) return Promise.resolve(snapshot);
      if (age >= cacheMs * 10) return refresh();
      refresh().catch((err: Error) => log.warn(`reading the runtime registry failed: ${err.message}`));
      return Promise.resolve(snapshot);
    },
    refresh,
    invalidate() {
      generation++;
      current = undefined;
      reading = undefined;
    },
  };
}

function index(runtimes: RuntimeInfo[], readAt: number): DirectorySnapshot {
  const entries: RuntimeEntry[] = runtimes.map((info) => {
    const capacity = info.capacity;
    const slots = Math.max(1, (capacity?.workers ?? 0) * (capacity?.workerConcurrency ?? 0));
    const reportedLoad = (info.load?.inFlight ?? 0) + (info.load?.queued ?? 0);
    return { id: info.id, url: info.url.replace(/\/+$/, ""), info, slots, reportedLoad };
  });
  const byTool = new Map<string, RuntimeEntry[]>();
  const tools = new Map<string, ToolInfo>();
  for (const entry of entries) {
    for (const tool of entry.info.tools) {
      let serving = byTool.get(tool.name);
      if (serving === undefined) byTool.set(tool.name, (serving = []));
      serving.push(entry);
      if (!tools.has(tool.name)) tools.set(tool.name, tool);
    }
  }
  return {
    runtimes: entries,
    byId: new Map(entries.map((e) => [e.id, e])),
    byUrl: new Map(entries.map((e) => [e.url, e])),
    byTool,
    tools: [...tools.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    readAt,
  };
}
