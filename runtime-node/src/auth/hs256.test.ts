import { sign, verify } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { createHs256, JwtError } from "./hs256.js";

const secret = "hs256-test-secret-0123456789";
const soon = () => Math.floor(Date.now() / 1000) + 60;

describe("createHs256", () => {
  const jwt = createHs256(secret);

  it("verifies a token hono/jwt signed (as the gateway signs them)", async () => {
    const token = await sign({ sid: "s1", aud: "toolbridge-session", exp: soon() }, secret, "HS256");
    expect(jwt.verify(token, "toolbridge-session")).toMatchObject({ sid: "s1" });
  });

  it("signs tokens hono/jwt verifies (as the gateway verifies call contexts)", async () => {
    const token = jwt.sign("toolbridge-call", { chain: ["a"] }, soon());
    expect(await verify(token, secret, { alg: "HS256", aud: "toolbridge-call" })).toMatchObject({ chain: ["a"], aud: "toolbridge-call" });
  });

  it.each([
    ["another secret", async () => sign({ aud: "x", exp: soon() }, "another-secret-0123456789", "HS256"), /signature does not match/],
    ["another audience", async () => sign({ aud: "y", exp: soon() }, secret, "HS256"), /not meant for x/],
    ["an expired token", async () => sign({ aud: "x", exp: soon() - 120 }, secret, "HS256"), /expired/],
    ["no expiry", async () => sign({ aud: "x" }, secret, "HS256"), /expired/],
    ["a token not valid yet", async () => sign({ aud: "x", exp: soon(), nbf: soon() }, secret, "HS256"), /not valid yet/],
    ["another algorithm", async () => sign({ aud: "x", exp: soon() }, secret, "HS512"), /signature does not match/],
    ["garbage", async () => "not.a.token!", /not a JSON Web Token/],
  ])("refuses %s", async (_what, make, message) => {
    const token = await make();
    expect(() => jwt.verify(token, "x")).toThrow(JwtError);
    expect(() => jwt.verify(token, "x")).toThrow(message);
  });

  it("never puts the token in its messages", async () => {
    const token = await sign({ aud: "y", exp: soon() }, secret, "HS256");
    try {
      jwt.verify(token, "x");
    } catch (e) {
      expect((e as Error).message).not.toContain(token.split(".")[1]);
    }
  });
});
