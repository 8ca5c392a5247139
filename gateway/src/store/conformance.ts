import { afterEach, describe } from "vitest";
import { describeEndedSessionConformance } from "./conformance/ended-sessions.js";
import { describeRegistryConformance } from "./conformance/registry.js";
import { describeSessionConformance } from "./conformance/sessions.js";
import { describeSessionStateConformance } from "./conformance/session-state.js";
import type { ConformanceHarness, Stores } from "./conformance/support.js";
import { describeVariableConformance } from "./conformance/variables.js";
import { describeWatchConformance } from "./conformance/watch.js";

export type { ConformanceHarness } from "./conformance/support.js";

/**
 * The behaviour every Store implementation must show, as a vitest suite: sessions and their
 * sliding TTL, how an absent session ended (expired, cleaned up, never there), variables with their rules, compare-and-set and all-or-nothing commits, watches,
 * isolation, limits, the runtime registry, affinity, API keys and session tools. Each
 * implementation's test file calls this with a harness that makes fresh stores.
 */
export function describeStoreConformance(name: string, harness: ConformanceHarness): void {
  describe(`${name} store conformance`, () => {
    const stores: Stores = {
      harness,
      opened: [],
      async open(options = {}) {
        const store = await harness.create({ watchCheckMs: 50, ...options });
        this.opened.push(store);
        return store;
      },
      async sibling(store) {
        const other = await harness.sibling(store);
        this.opened.push(other);
        return other;
      },
    };
    afterEach(async () => {
      await Promise.all(stores.opened.splice(0).map((store) => store.close()));
    });
    describeSessionConformance(stores);
    describeEndedSessionConformance(stores);
    describeVariableConformance(stores);
    describeWatchConformance(stores);
    describeSessionStateConformance(stores);
    describeRegistryConformance(stores);
  });
}
