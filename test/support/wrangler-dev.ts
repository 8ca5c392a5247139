// Starts `wrangler dev` (local mode, workerd from its npm package) for tests, offline, with its
// secrets in a generated env file in a temporary directory.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const wrangler = fileURLToPath(new URL("../../node_modules/wrangler/bin/wrangler.js", import.meta.url));

/** Options of startWranglerDev. */
export interface WranglerDevOptions {
  /** The wrangler configuration file. */
  config: string;
  /** Vars and secrets, written to an env file (as `.dev.vars` would hold them), never to the command line. */
  vars: Record<string, string>;
  /** How long to wait for "Ready on". Default 60000. */
  startTimeoutMs?: number;
}

/** A running `wrangler dev`. */
export interface WranglerDev {
  /** Base URL from its "Ready on" line, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Everything it wrote so far. */
  output(): string;
  /** Stops wrangler and waits until its workerd processes are gone too; resolves with wrangler's exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-(child.pid as number), signal);
    return true;
  } catch {
    return false;
  }
}

/** Starts `wrangler dev --ip 127.0.0.1 --port 0` and resolves once it is ready. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const dir = await mkdtemp(join(tmpdir(), "toolbridge-wrangler-"));
  const envFile = join(dir, "dev.env");
  const lines = Object.entries(options.vars).map(([name, value]) => {
    if (/["\\\n\r]/.test(value)) throw new Error(`${name}: quotes, backslashes and line breaks are not supported here`);
    return `${name}="${value}"`;
  });
  await writeFile(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  const args = ["dev", "--config", options.config, "--ip", "127.0.0.1", "--port", "0", "--env-file", envFile];
  args.push("--persist-to", join(dir, "state"), "--show-interactive-dev-session=false");
  const child = spawn(process.execPath, [wrangler, ...args], {
    env: {
      ...process.env,
      // Offline: no metrics, no request.cf fetched from Cloudflare, no banner (it checks npm for updates).
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_LOG_PATH: join(dir, "logs"),
      FORCE_COLOR: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stop() can wait for workerd, which wrangler leaves to exit on its own.
    detached: true,
  });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let out = "";
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
    const exit = await exited;
    // workerd exits shortly after wrangler; there is no event to await for a grandchild.
    for (let waited = 0; killGroup(child, 0); waited += 50) {
      if (waited >= 10_000) killGroup(child, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    clearTimeout(timer);
    running.delete(child);
    await rm(dir, { recursive: true, force: true });
    return exit;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      const timer = setTimeout(() => reject(new Error(`wrangler dev was not ready within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const ready = /Ready on (http:\/\/\S+)/.exec(out);
        if (ready === null) return;
        clearTimeout(timer);
        resolve(ready[1]);
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`wrangler dev exited (${exit.code ?? exit.signal}) before it was ready:\n${out}`));
      });
    });
    return { url, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
