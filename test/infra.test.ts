// infra/ checked without Docker or kubectl: the Kubernetes manifests parse and hang together, the
// Dockerfiles copy files that exist and run unprivileged, and the wrangler config keeps secrets out.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const infra = join(root, "infra");

// The manifests are JSON-compatible YAML: whole-line comments, then one JSON document.
function manifest(file: string): any {
  const text = readFileSync(join(infra, "k8s", file), "utf8");
  return JSON.parse(text.split("\n").filter((line) => !/^\s*#/.test(line)).join("\n"));
}

const files = readdirSync(join(infra, "k8s")).filter((f) => f.endsWith(".yaml"));
const objects = Object.fromEntries(files.map((f) => [f, manifest(f)]));
const byKind = (kind: string) => Object.values(objects).filter((o) => o.kind === kind);
const mebibytes = (quantity: string) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (match === null) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
};

describe("infra/k8s manifests", () => {
  it("parse, one object each: a Secret, two Deployments and two Services", () => {
    expect(files.sort()).toEqual(["gateway-deployment.yaml", "gateway-service.yaml", "runtime-deployment.yaml", "runtime-service.yaml", "secret.yaml"]);
    expect(Object.values(objects).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "Deployment/toolbridge-gateway",
      "Deployment/toolbridge-runtime",
      "Secret/toolbridge",
      "Service/toolbridge-gateway",
      "Service/toolbridge-runtime",
    ]);
  });

  it("ship no secret values", () => {
    const [secret] = byKind("Secret");
    expect(Object.values(secret.stringData)).toEqual(["", "", ""]);
  });

  it("select their own pods, and every Service reaches a named container port", () => {
    const deployments = byKind("Deployment");
    for (const d of deployments) expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    for (const service of byKind("Service")) {
      const target = deployments.find((d) => Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(target, service.metadata.name).toBeDefined();
      const ports = target.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []).map((p: any) => p.name);
      for (const port of service.spec.ports) expect(ports).toContain(port.targetPort);
    }
  });

  it("run every container unprivileged, with memory requests and limits, and secrets from the Secret", () => {
    const [secret] = byKind("Secret");
    for (const d of byKind("Deployment")) {
      expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const c of d.spec.template.spec.containers) {
        expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(mebibytes(c.resources.requests.memory)).toBeLessThanOrEqual(mebibytes(c.resources.limits.memory));
        const defined: string[] = [];
        for (const env of c.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (ref !== undefined) expect([ref.name, ref.key in secret.stringData]).toEqual(["toolbridge", true]);
          for (const [, used] of String(env.value ?? "").matchAll(/\$\((\w+)\)/g)) expect(defined, `${c.name} ${env.name}`).toContain(used);
          defined.push(env.name);
        }
      }
    }
  });

  it("have each runtime register itself at its pod IP with the gateway's Service", () => {
    const [runtime] = objects["runtime-deployment.yaml"].spec.template.spec.containers;
    const env = Object.fromEntries(runtime.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    const gateway = objects["gateway-service.yaml"];
    expect(env.TOOLBRIDGE_GATEWAY_URL).toBe(`http://${gateway.metadata.name}:${gateway.spec.ports[0].port}`);
    expect(env.TOOLBRIDGE_PUBLIC_URL).toBe(`http://$(POD_IP):${runtime.ports[0].containerPort}`);
    expect(env.POD_IP).toEqual({ fieldRef: { fieldPath: "status.podIP" } });
  });

  it("probe the runtime over gRPC health and the gateway over /healthz", () => {
    const runtime = objects["runtime-deployment.yaml"].spec.template.spec.containers[0];
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) expect(runtime[probe].grpc).toEqual({ port: 50051 });
    const gateway = objects["gateway-deployment.yaml"].spec.template.spec.containers[0];
    for (const probe of ["readinessProbe", "livenessProbe"]) expect(gateway[probe].httpGet).toEqual({ path: "/healthz", port: "http" });
  });

  it("give the runtime the measured memory: about 80 MB plus 20 MB per worker", () => {
    const [runtime] = objects["runtime-deployment.yaml"].spec.template.spec.containers;
    const workers = Number(runtime.env.find((e: any) => e.name === "TOOLBRIDGE_WORKERS").value);
    const needed = ((80 + 20 * workers) * 1e6) / 2 ** 20;
    expect(mebibytes(runtime.resources.requests.memory)).toBeGreaterThanOrEqual(needed);
    expect(mebibytes(runtime.resources.limits.memory)).toBeGreaterThanOrEqual(2 * needed);
  });
});

/** The sources a Dockerfile copies from the build context, and its allowlist. */
function dockerfile(name: string) {
  const text = readFileSync(join(infra, name), "utf8");
  const lines = text.split("\n").filter((line) => !line.startsWith("#"));
  const copies = lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from=")).flatMap((l) => l.split(/\s+/).slice(1, -1));
  const allowed = readFileSync(join(infra, `${name}.dockerignore`), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("!"))
    .map((l) => l.slice(1));
  const finalStage = text.slice(text.lastIndexOf("\nFROM "));
  return { copies, allowed, finalStage };
}

describe.each(["runtime.Dockerfile", "gateway.Dockerfile"])("infra/%s", (name) => {
  const { copies, allowed, finalStage } = dockerfile(name);

  it("copies only files that exist and that its .dockerignore lets in", () => {
    expect(copies.length).toBeGreaterThan(5);
    for (const source of copies) {
      expect(existsSync(join(root, source)), source).toBe(true);
      expect(allowed.some((a) => source === a || source.startsWith(a) || a.startsWith(source)), source).toBe(true);
    }
  });

  it("runs as the unprivileged node user under tini, listening on all addresses", () => {
    expect(finalStage).toMatch(/\nUSER node\n/);
    expect(finalStage).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    expect(finalStage).toMatch(/CMD \["node", "[a-z-]+\/dist\/src\/main\.js", "--host", "0\.0\.0\.0"/);
  });
});

describe("infra/wrangler.toml", () => {
  it("points at the Workers adapter and sets no secret as a var", () => {
    const text = readFileSync(join(infra, "wrangler.toml"), "utf8");
    const main = /^main = "([^"]+)"$/m.exec(text)?.[1];
    expect(main && existsSync(join(infra, main))).toBe(true);
    for (const secret of ["UPSTASH_REDIS_REST_TOKEN", "TOOLBRIDGE_RUNTIME_KEY", "TOOLBRIDGE_API_KEYS"]) {
      expect(text).not.toMatch(new RegExp(`^${secret}\\s*=`, "m"));
      expect(text).toContain(`wrangler secret put ${secret}`);
    }
  });
});
