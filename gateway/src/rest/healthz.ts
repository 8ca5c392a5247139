import { HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import type { Context } from "hono";
import type { ServingState } from "../services/health-service.js";

/** GET /healthz: 200 {"status": "serving"} while serving, 503 {"status": "not_serving"} once draining. No key needed. */
export function healthzRoute(state: ServingState) {
  return (c: Context) =>
    state.get() === Status.SERVING ? c.json({ status: "serving" }) : c.json({ status: "not_serving" }, 503);
}
