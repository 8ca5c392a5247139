// Fails when the committed code in proto/gen differs from what `buf generate` makes now,
// so that a .proto change can never land without its generated TypeScript.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const committed = join(root, "proto/gen");
const scratch = mkdtempSync(join(tmpdir(), "toolbridge-gen-"));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

try {
  const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` };
  execFileSync("buf", ["generate", "--output", scratch], { cwd: root, env, stdio: "inherit" });
  const fresh = join(scratch, "proto/gen");
  const want = new Map(files(fresh).map((f) => [relative(fresh, f), readFileSync(f, "utf8")]));
  const have = new Map(files(committed).map((f) => [relative(committed, f), readFileSync(f, "utf8")]));
  const stale = [...new Set([...want.keys(), ...have.keys()])].filter((f) => want.get(f) !== have.get(f));
  if (stale.length > 0) {
    console.error(`proto/gen is out of date with proto/ (run \`npm run generate\` and commit):\n  ${stale.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`proto/gen matches proto/ (${want.size} files)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
