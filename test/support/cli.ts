// Command-line clients as the tests run them: buf curl and curl, from the repository's root.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The buf binary the repository installs (npm's @bufbuild/buf). */
export const buf = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));

/** What a command printed, and its exit code (1 when it was killed or could not start). */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command from the repository's root, for at most 20 s; never rejects. */
export function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** buf curl's output: one pretty-printed JSON document per message, one after another. */
export function documents(text: string): any[] {
  return JSON.parse(`[${text.trim().replace(/\n}\n{/g, "\n},\n{")}]`);
}
