import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createAddressPolicy, isPublic, parseAllowlist } from "./address-policy.js";

describe("address policy", () => {
  it("takes only public unicast addresses as public", () => {
    for (const address of ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect({ address, p: isPublic(address) }).toEqual({ address, p: true });
    const refused = [
      "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3", "169.254.169.254", "169.254.0.1",
      "100.64.0.1", "100.127.255.254", "255.255.255.255", "224.0.0.1", "192.0.2.1", "198.18.0.1", "240.0.0.1",
      "::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
      "::ffff:169.254.169.254", "::127.0.0.1", "::7f00:1", "2002:7f00:1::1", "64:ff9b::7f00:1", "2001::1", "2001:db8::1",
      "localhost", "example.com", "",
    ];
    for (const address of refused) expect({ address, p: isPublic(address) }).toEqual({ address, p: false });
  });

  it("parses allowlist entries: names, IPs, ports, bracketed IPv6", () => {
    expect(parseAllowlist(["Internal.Example", "internal.example:8080", "127.0.0.1:8123", "[::1]:9000", "::1", "10.0.0.1"])).toEqual([
      { host: "internal.example", port: undefined },
      { host: "internal.example", port: 8080 },
      { host: "127.0.0.1", port: 8123 },
      { host: "::1", port: 9000 },
      { host: "::1", port: undefined },
      { host: "10.0.0.1", port: undefined },
    ]);
    for (const bad of ["host:0", "host:70000", "host:x", "http://host", "a b", ""]) expect(() => parseAllowlist([bad])).toThrow(RangeError);
  });

  it("refuses non-public literal hosts and localhost names unless an entry names the host and port", () => {
    const policy = createAddressPolicy(parseAllowlist(["127.0.0.1:8123", "[::1]:9000", "dev.localhost"]));
    const code = (f: () => void) => {
      try {
        f();
        return "ok";
      } catch (err) {
        return ConnectError.from(err).code === Code.PermissionDenied ? "denied" : "other";
      }
    };
    expect(code(() => policy.checkUrl(new URL("http://127.0.0.1:8123/x")))).toBe("ok");
    expect(code(() => policy.checkUrl(new URL("http://127.0.0.1:8124/x")))).toBe("denied");
    expect(code(() => policy.checkUrl(new URL("http://[::1]:9000/")))).toBe("ok");
    expect(code(() => policy.checkUrl(new URL("http://[0:0:0:0:0:0:0:1]:9000/")))).toBe("ok");
    expect(code(() => policy.checkUrl(new URL("http://localhost:8123/")))).toBe("denied");
    expect(code(() => policy.checkUrl(new URL("http://dev.localhost/")))).toBe("ok");
    expect(code(() => policy.checkUrl(new URL("https://example.com/")))).toBe("ok");
    // After DNS: a name whose answer is an allowlisted address and port passes; another port does not.
    expect(code(() => policy.checkAddress(new URL("http://localhost:8123/"), "127.0.0.1"))).toBe("ok");
    expect(code(() => policy.checkAddress(new URL("http://localhost:8125/"), "127.0.0.1"))).toBe("denied");
    expect(code(() => policy.checkAddress(new URL("http://example.com/"), "93.184.216.34"))).toBe("ok");
    expect(code(() => policy.checkAddress(new URL("http://example.com/"), "10.0.0.1"))).toBe("denied");
  });
});
