import ipaddr from "ipaddr.js";
import { addressRefused, hostRefused } from "./http-get-errors.js";

// Which hosts http_get may reach: public unicast addresses only, unless an allowlist entry names
// the host (and, if the entry has one, the port). Everything else is refused: private (10/8,
// 172.16/12, 192.168/16), loopback, link-local (169.254/16 with the cloud metadata address
// 169.254.169.254, fe80::/10), unspecified (0.0.0.0/8, ::), CGNAT (100.64/10), unique-local
// (fc00::/7, with AWS's fd00:ec2::254), multicast, broadcast, reserved and documentation ranges,
// IPv4-mapped and IPv4-compatible IPv6 addresses of any of those, and the IPv6 transition ranges
// that embed an IPv4 address (6to4, Teredo, NAT64), and names under "localhost".

/** One allowlist entry: a host name or IP address, and optionally a port. */
export interface AllowEntry {
  /** A lower-case host name, or an IP address in its normal form. */
  readonly host: string;
  /** The port, when the entry names one. */
  readonly port?: number;
}

/** The decisions of http_get about where it may connect. Both throw PERMISSION_DENIED. */
export interface AddressPolicy {
  /** Before any DNS: refuses a URL whose host is a non-public IP literal or a localhost name, unless allowed. */
  checkUrl(url: URL): void;
  /** After DNS: refuses each resolved address of the URL's host that is not public, unless allowed. */
  checkAddress(url: URL, address: string): void;
}

/**
 * Entries of the form "host", "host:port", "1.2.3.4:80", "[::1]:8080" or "::1". Throws a RangeError
 * naming a malformed entry (so a configuration mistake stops the start, not a call).
 */
export function parseAllowlist(entries: readonly string[]): AllowEntry[] {
  return entries.map((raw) => {
    const entry = raw.trim();
    let host = entry;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed !== null) {
      host = bracketed[1];
      port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else if (!ipaddr.IPv6.isValid(entry)) {
      const colon = entry.lastIndexOf(":");
      if (colon >= 0) {
        host = entry.slice(0, colon);
        port = Number(entry.slice(colon + 1));
      }
    }
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new RangeError(`http_get allowlist entry '${raw}': the port must be 1 to 65535`);
    }
    if (ipaddr.isValid(host)) return { host: normalIp(host), port };
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(host)) {
      throw new RangeError(`http_get allowlist entry '${raw}': expected host, host:port, an IP address, or [IPv6]:port`);
    }
    return { host: host.toLowerCase().replace(/\.$/, ""), port };
  });
}

/** The policy of an allowlist. */
export function createAddressPolicy(allow: readonly AllowEntry[]): AddressPolicy {
  const allowed = (url: URL, address?: string) => {
    if (allow.length === 0) return false;
    const host = hostOf(url);
    const port = portOf(url);
    return allow.some((e) => (e.host === host || (address !== undefined && e.host === address)) && (e.port === undefined || e.port === port));
  };
  return {
    checkUrl(url) {
      const host = hostOf(url);
      if (ipaddr.isValid(host)) {
        if (!isPublic(host) && !allowed(url)) throw addressRefused(url, host);
      } else if ((host === "localhost" || host.endsWith(".localhost")) && !allowed(url)) {
        throw hostRefused(url);
      }
    },
    checkAddress(url, address) {
      if (isPublic(address)) return;
      if (ipaddr.isValid(address) && allowed(url, normalIp(address))) return;
      throw addressRefused(url, address);
    },
  };
}

/** True for a public unicast address; false for anything else, and for text that is not an address. */
export function isPublic(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === "ipv6") {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    // IPv4-compatible (::a.b.c.d, deprecated), and every other address in ::/96.
    else if (v6.parts.slice(0, 6).every((part) => part === 0)) return false;
  }
  return ip.range() === "unicast";
}

function normalIp(address: string): string {
  const ip = ipaddr.parse(address);
  return ip.kind() === "ipv6" ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
}

/** The URL's host as entries name it: lower case, IPv6 without brackets and in its normal form. */
function hostOf(url: URL): string {
  const host = url.hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) return normalIp(host.slice(1, -1));
  return host.replace(/\.$/, "");
}

function portOf(url: URL): number {
  return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
}
