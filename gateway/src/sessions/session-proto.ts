import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Session, SessionSchema } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import type { SessionRecord } from "../store/store.js";

/** A proto Session from a stored record. */
export function sessionToProto(record: SessionRecord): Session {
  return create(SessionSchema, {
    id: record.id,
    metadata: record.metadata,
    createdAt: timestampFromMs(record.createdAt),
    expiresAt: timestampFromMs(record.expiresAt),
    ttlSeconds: Math.round(record.ttlMs / 1000),
    orgId: record.orgId,
  });
}
