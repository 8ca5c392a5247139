import { Code } from "@connectrpc/connect";
import { HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, rejection, startHarness } from "./support/harness.js";

describe("grpc.health.v1.Health", () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it("reports the gateway and each of its services, and NOT_FOUND for others", async () => {
    const health = harness.clients(null).health;
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
    expect((await health.check({ service: "toolbridge.v1.ToolService" })).status).toBe(Status.SERVING);
    expect((await rejection(health.check({ service: "nope.Service" }))).code).toBe(Code.NotFound);
  });

  it("tells watchers when the gateway starts draining", async () => {
    const controller = new AbortController();
    const watch = harness.clients(null, "connect-json").health.watch({ service: "" }, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await watch.next()).value).toMatchObject({ status: Status.SERVING });
    harness.gateway.drain();
    expect((await watch.next()).value).toMatchObject({ status: Status.NOT_SERVING });
    controller.abort();
  });
});
