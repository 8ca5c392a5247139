// The tests run against real parts: python3, redis-server and Chromium, with curl as a client and ps to
// follow the runtimes' worker processes. This installs the
// Debian packages that are missing (as root, or through sudo) and fails clearly otherwise.
import { execFileSync, spawnSync } from "node:child_process";

const needs = [
  { command: "python3", pkg: "python3" },
  { command: "redis-server", pkg: "redis-server" },
  { command: "chromium", pkg: "chromium" },
  { command: "curl", pkg: "curl" },
  { command: "ps", pkg: "procps" },
];

const onPath = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
const missing = needs.filter(({ command }) => !onPath(command));

if (missing.length > 0) {
  const pkgs = missing.map(({ pkg }) => pkg);
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : onPath("sudo") ? ["sudo"] : null;
  if (prefix === null || !onPath("apt-get")) {
    console.error(`The tests need ${pkgs.join(", ")}. Install them (e.g. apt-get install ${pkgs.join(" ")}) and run again.`);
    process.exit(1);
  }
  console.log(`installing ${pkgs.join(", ")} with apt-get`);
  const run = (args) => execFileSync(prefix[0] ?? args[0], prefix.length ? args : args.slice(1), { stdio: "inherit" });
  run(["apt-get", "update"]);
  run(["apt-get", "install", "-y", "--no-install-recommends", ...pkgs]);
}

const [major, minor] = execFileSync("python3", ["-c", "import sys; print(*sys.version_info[:2])"], { encoding: "utf8" })
  .trim()
  .split(" ")
  .map(Number);
if (major < 3 || (major === 3 && minor < 10)) {
  console.error(`toolbridge needs Python 3.10 or newer; python3 is ${major}.${minor}.`);
  process.exit(1);
}
