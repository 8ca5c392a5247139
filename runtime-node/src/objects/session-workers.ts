import type { WorkerLabel } from "../pool/worker-errors.js";
import type { WorkerRef } from "../pool/worker-pool.js";
import { noWorkerReady, objectsLost } from "./object-errors.js";

/** Where a session's objects live, as a request finds it. */
export interface SessionPlace {
  /** The worker holding them. */
  worker: WorkerRef;
  /** The worker that held the session's earlier objects, when it ended (for messages). */
  lostWith: WorkerLabel | undefined;
}

/**
 * Which worker holds each session's objects: all of a session's objects live in one worker, the least loaded
 * one when its first object is created. When that worker ends, the objects are gone: requests that use them
 * fail FAILED_PRECONDITION, and the session's next CreateInstance starts afresh on a live worker.
 */
export interface SessionWorkers {
  /** The place for a new object of the session, picking a worker for its first (or first after a loss). */
  forCreate(session: string): SessionPlace;
  /** The place of the session's objects; undefined when it has none here; FAILED_PRECONDITION when they were lost. */
  forUse(session: string): SessionPlace | undefined;
  /** Forgets the session; returns where its objects were (undefined when nowhere, or lost). */
  release(session: string): WorkerRef | undefined;
}

/** Options of createSessionWorkers. */
export interface SessionWorkersOptions {
  /** Picks the least-loaded ready worker. */
  pick: () => WorkerRef | undefined;
  /** Sessions remembered before those whose worker ended are swept. */
  sweepAbove: number;
}

/** A SessionWorkers in memory. */
export function createSessionWorkers(options: SessionWorkersOptions): SessionWorkers {
  const places = new Map<string, SessionPlace>();

  const sweep = () => {
    if (places.size <= options.sweepAbove) return;
    for (const [session, place] of places) if (!place.worker.alive) places.delete(session);
  };

  return {
    forCreate(session) {
      const place = places.get(session);
      if (place !== undefined && place.worker.alive) return place;
      const worker = options.pick();
      if (worker === undefined) throw noWorkerReady();
      sweep();
      const fresh: SessionPlace = { worker, lostWith: place?.worker.label ?? place?.lostWith };
      places.set(session, fresh);
      return fresh;
    },
    forUse(session) {
      const place = places.get(session);
      if (place === undefined) return undefined;
      if (!place.worker.alive) throw objectsLost(session, place.worker.label);
      return place;
    },
    release(session) {
      const place = places.get(session);
      places.delete(session);
      return place !== undefined && place.worker.alive ? place.worker : undefined;
    },
  };
}
