import { encodePageToken, pageSizeOf, pageSizes } from "../store/page-token.js";
import type { SessionPage, SessionStore } from "../store/store.js";

/**
 * One page of an org's sessions. The store pages over every org's sessions by id, so this reads
 * store pages (of the largest size) until it has a page's worth of the org's sessions or the store
 * has no more; the token continues after the last session returned. Work is bounded by the store's
 * session limit.
 */
export async function listOrgSessions(
  store: SessionStore,
  orgId: string,
  request: { pageSize?: number; pageToken?: string },
): Promise<SessionPage> {
  const size = pageSizeOf(request.pageSize);
  const sessions: SessionPage["sessions"] = [];
  let token = request.pageToken ?? "";
  for (;;) {
    const page = await store.listSessions({ pageSize: pageSizes.max, pageToken: token });
    for (let i = 0; i < page.sessions.length; i++) {
      const session = page.sessions[i];
      if (session.orgId !== orgId) continue;
      sessions.push(session);
      if (sessions.length === size) {
        const more = i < page.sessions.length - 1 || page.nextPageToken !== "";
        return { sessions, nextPageToken: more ? encodePageToken(session.id) : "" };
      }
    }
    if (page.nextPageToken === "") return { sessions, nextPageToken: "" };
    token = page.nextPageToken;
  }
}
