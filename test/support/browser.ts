// Headless Chromium for tests of browser pages: the Debian package, never a downloaded browser.
import { type Browser, chromium } from "playwright-core";

/** Flags that keep Chromium offline, quiet and able to run as root in a container. */
const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: flags, timeout: 30_000 });
}
