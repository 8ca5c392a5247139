import { notReachable, privateName } from "./object-errors.js";

/**
 * What the object bridge may reach, checked in the runtime before a worker is asked (the worker checks again):
 * modules under the configured prefixes (a prefix allows the module and its submodules; none by default), and
 * public names only.
 */
export interface ObjectPolicy {
  /** The prefixes, as configured. */
  readonly prefixes: readonly string[];
  /** Throws PERMISSION_DENIED unless `module` may be used. */
  checkModule(module: string): void;
  /** Throws PERMISSION_DENIED unless the class at `classPath` ("module.Class") may be used. */
  checkClass(classPath: string): void;
  /** Throws PERMISSION_DENIED for a private name (`what` names it: "method 'x'"). */
  checkName(name: string, what: string): void;
}

/** An ObjectPolicy over these module prefixes. */
export function createObjectPolicy(prefixes: readonly string[]): ObjectPolicy {
  const clean = prefixes.map((p) => p.trim().replace(/\.+$/, "")).filter((p) => p !== "");
  const under = (path: string, exact: boolean) => clean.some((p) => (exact && path === p) || path.startsWith(`${p}.`));
  const checkParts = (path: string, what: string) => {
    if (path.split(".").some((part) => part.startsWith("_"))) throw privateName(what);
  };
  return {
    prefixes: clean,
    checkModule(module) {
      checkParts(module, `module '${module}'`);
      if (!under(module, true)) throw notReachable(`module '${module}'`, clean);
    },
    checkClass(classPath) {
      checkParts(classPath, `class '${classPath}'`);
      // A class path is its module's path and more: only a path below a prefix can name an allowed class.
      if (!under(classPath, false)) throw notReachable(`class '${classPath}'`, clean);
    },
    checkName(name, what) {
      if (name.startsWith("_")) throw privateName(what);
    },
  };
}
