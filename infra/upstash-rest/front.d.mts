/** Options of the REST front (see front.mjs). */
export interface UpstashRestOptions {
  /** redis:// URL of the redis-server to forward to. */
  redisUrl: string;
  /** Bearer token every request must carry. */
  token: string;
  /** Interface to bind; 127.0.0.1 unless set. */
  host?: string;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** Largest request body accepted; 16 MiB unless set. */
  maxBodyBytes?: number;
  /** Where connection problems are reported; stderr unless set. */
  log?: (line: string) => void;
}

/** A running front. */
export interface UpstashRestFront {
  /** Base URL to give @upstash/redis. */
  url: string;
  /** Stops listening and disconnects from Redis. */
  close(): Promise<void>;
}

/** Starts the front: connects to Redis, then listens. */
export function startUpstashRest(options: UpstashRestOptions): Promise<UpstashRestFront>;
