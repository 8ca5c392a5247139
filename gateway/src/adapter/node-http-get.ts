// http_get's connector on Node: node:http(s) with a DNS lookup that resolves every address of a
// name, checks each with the tool's address policy, and hands the socket only addresses it
// checked. Node connects to what the lookup returns, so nothing can change between the check and
// the connection (no DNS rebinding); literal IPs never reach the lookup and are checked by the
// policy before the request (http-get.ts).
import * as dns from "node:dns";
import * as http from "node:http";
import * as https from "node:https";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import type { HttpGetFetch } from "../tools/standard/http-get.js";

/** Resolves a name to all its addresses (dns.lookup with all: true unless injected, for tests). */
export type ResolveAll = (hostname: string, family: number) => Promise<dns.LookupAddress[]>;

/** Options of createNodeHttpGetFetch. */
export interface NodeHttpGetOptions {
  /** How names are resolved. Default dns.lookup (the system resolver, as every Node client uses). */
  resolve?: ResolveAll;
}

const systemResolve: ResolveAll = (hostname, family) => dns.promises.lookup(hostname, { all: true, family, verbatim: true });

/** An HttpGetFetch on node:http and node:https that connects only to addresses the policy accepted. */
export function createNodeHttpGetFetch(options: NodeHttpGetOptions = {}): HttpGetFetch {
  const resolve = options.resolve ?? systemResolve;
  return ({ url, headers, signal, checkAddress }) =>
    new Promise((fulfil, reject) => {
      const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
        const family = typeof lookupOptions.family === "number" ? lookupOptions.family : 0;
        resolve(hostname, family).then(
          (addresses) => {
            try {
              if (addresses.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" });
              for (const { address } of addresses) checkAddress(address);
            } catch (err) {
              callback(err as NodeJS.ErrnoException, "", 0);
              return;
            }
            if (lookupOptions.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
            else callback(null, addresses[0].address, addresses[0].family);
          },
          (err: NodeJS.ErrnoException) => callback(err, "", 0),
        );
      };
      const client = url.protocol === "https:" ? https : http;
      const request = client.request(
        url,
        { method: "GET", headers: Object.fromEntries(headers), signal, lookup, agent: false },
        (response) => {
          const answer = new Headers();
          const raw = response.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) {
            try {
              answer.append(raw[i], raw[i + 1]);
            } catch {
              // A header fetch would not accept either: leave it out.
            }
          }
          fulfil({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? "",
            headers: answer,
            body: Readable.toWeb(response) as ReadableStream<Uint8Array>,
          });
        },
      );
      request.on("error", reject);
      request.end();
    });
}
