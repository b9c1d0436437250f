import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDefinition } from "../../console/run-job.js";
import { createConsoleApp, LOOPBACK_HOSTS, MAX_UPLOAD_BYTES } from "../../console/server.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { listJobs } from "../../lib/db/repositories/jobs.js";
import { renderMarkdown } from "../../lib/output/markdown.js";
import { offlineConfig } from "../support/agents.js";
import { testDb } from "../support/db.js";

/** Issue 23 part 4: the console's guards, on the app itself (the spawned console is in console-serve.test.ts). */
let db: PgliteDb;
let app: ReturnType<typeof createConsoleApp>["app"];
const TOKEN = "test-token-0123456789";
const ORIGIN = "http://alex.lan:4000";

beforeAll(async () => {
  db = await testDb();
  ({ app } = createConsoleApp({
    db,
    config: offlineConfig(),
    definition: localDefinition(),
    hosts: [...LOOPBACK_HOSTS, "alex.lan"],
    token: TOKEN,
  }));
});
afterAll(() => db.close());

const withToken = { authorization: `Bearer ${TOKEN}` };

/** A body of `total` bytes in 64 KiB chunks that counts what the server has pulled from it. */
function countingBody(total: number) {
  const chunk = new Uint8Array(65_536).fill(0x61);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe("an upload beyond the limit", () => {
  it("is read as a stream and refused (413) at the limit: a 500 MB body is never read whole", async () => {
    const body = countingBody(500 * 1024 * 1024);
    const response = await app.request(`${ORIGIN}/analyze`, {
      method: "POST",
      headers: { ...withToken, origin: ORIGIN, "content-type": "multipart/form-data; boundary=xyz" },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("larger than 1,000,000 bytes");
    expect(body.pulled()).toBeLessThan(MAX_UPLOAD_BYTES + 256 * 1024);
    expect(await listJobs(db)).toEqual([]);
  });

  it("is refused from its Content-Length before any of it is read", async () => {
    const body = countingBody(10 * 1024 * 1024);
    const response = await app.request(`${ORIGIN}/analyze`, {
      method: "POST",
      headers: {
        ...withToken,
        origin: ORIGIN,
        "content-type": "multipart/form-data; boundary=xyz",
        "content-length": String(10 * 1024 * 1024),
      },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(65_536);
  });
});

describe("a malformed body", () => {
  it("gets 400 with what was wrong, not 500, and starts no job", async () => {
    for (const [type, body] of [
      [
        "multipart/form-data; boundary=xyz",
        '--xyz\r\nContent-Disposition: form-data; name="portfolio"; filename="a.json"\r\n\r\n{',
      ],
      ["multipart/form-data", "no boundary at all"],
    ]) {
      const response = await app.request(`${ORIGIN}/analyze`, {
        method: "POST",
        headers: { ...withToken, origin: ORIGIN, "content-type": type },
        body,
      });
      expect(response.status, `${type}: ${body}`).toBe(400);
      expect(await response.text()).toContain("The form could not be read");
    }
    expect(await listJobs(db)).toEqual([]);
  });
});

describe("a console bound beyond loopback", () => {
  it("still answers only to its allowed host names (DNS rebinding)", async () => {
    const response = await app.request("http://evil.example:4000/", { headers: withToken });
    expect(response.status).toBe(421);
    expect((await app.request("http://alex.lan:4000/", { headers: withToken })).status).toBe(200);
  });

  it("needs its token: none or a wrong one gets 401 and nothing else", async () => {
    expect((await app.request(`${ORIGIN}/`)).status).toBe(401);
    expect((await app.request(`${ORIGIN}/?token=wrong`)).status).toBe(401);
    expect((await app.request(`${ORIGIN}/`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const post = await app.request(`${ORIGIN}/analyze`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: "demo=1",
    });
    expect(post.status).toBe(401);
    expect(await listJobs(db)).toEqual([]);
  });

  it("takes the printed ?token= once, then a same-site HttpOnly cookie", async () => {
    const first = await app.request(`${ORIGIN}/?token=${TOKEN}`);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/");
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const next = await app.request(`${ORIGIN}/`, { headers: { cookie: cookie.split(";")[0] } });
    expect(next.status).toBe(200);
  });
});

describe("user text never becomes a link", () => {
  it("email addresses, <autolinks> and bare URLs stay text; mailto: links are dropped", () => {
    const html = renderMarkdown(
      "Ask sam.smith@example.com or <li.na@example.com>, see www.evil.example and https://evil.example/x, or [mail](mailto:a@b.c).",
    );
    expect(html).not.toContain("<a");
    expect(html).not.toContain("mailto:");
    expect(html).toContain("sam.smith@example.com");
    expect(html).toContain("&lt;li.na@example.com&gt;");
  });

  it("a written http(s) link is still a link", () => {
    expect(renderMarkdown("[SEC](https://www.sec.gov)")).toContain('<a href="https://www.sec.gov"');
  });
});
