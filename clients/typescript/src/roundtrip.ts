// The path a host developer takes, with the client generated from the hub's API document (openapi-typescript
// types + openapi-fetch): connect an end user's account, sync it, read the records.
//
//   HUB_URL=http://localhost:8080 HUB_API_KEY=<tenant key> npm run build && npm run roundtrip
//
// The host's server holds the tenant key: it opens a connect session for its end user and hands the token to the
// browser, and everything the end user's browser does (start the connection, consent, watch its status) uses only
// that token. The server then syncs and reads the records with the tenant key. The provider consent is played here
// the way a browser follows it: the consent page, "Approve", the redirect back to the hub. That works against the
// provider sandbox (`hub.sandbox.enabled`, on in the zero-setup profile), whose Notion database has 7 recipes.
//
// Prints one line `RESULT {json}` at the end; exits non-zero with the hub's problem details when a step fails.
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./generated/hub.js";

type Connection = components["schemas"]["Connection"];
type SyncRun = components["schemas"]["SyncRun"];
type RecordPage = components["schemas"]["RecordPage"];

const hubUrl = required("HUB_URL").replace(/\/+$/, "");
const tenantKey = required("HUB_API_KEY");
const provider = process.env.HUB_PROVIDER ?? "notion";
const entity = process.env.HUB_ENTITY ?? "page";
const connectionConfig: Record<string, unknown> = JSON.parse(
  process.env.HUB_CONNECTION_CONFIG ?? '{"databaseId":"5a1e0000-0000-4000-8000-00000000d0b1"}',
);
const waitSeconds = Number(process.env.HUB_WAIT_SECONDS ?? "60");
const endUserId = process.env.HUB_END_USER ?? "roundtrip-end-user";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`Set ${name}`);
  }
  return value;
}

/** A typed client of the hub's API, authenticated with a tenant key or a connect-session token. */
function hubClient(token: string): Client<paths> {
  return createClient<paths>({ baseUrl: `${hubUrl}/api/v1`, headers: { Authorization: `Bearer ${token}` } });
}

/** The data of a successful answer, or an error carrying the hub's problem+json. */
function ok<T>(step: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined) {
    throw new Error(`${step}: HTTP ${answer.response.status} ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: still ${JSON.stringify(value)} after ${waitSeconds} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The host's server opens a connect session for its end user; the browser gets only the token. */
async function connectSessionToken(server: Client<paths>): Promise<string> {
  const session = ok("create connect session", await server.POST("/connect-sessions", {
    body: { endUser: { id: endUserId, displayName: "Round trip" }, providers: [provider] },
  }));
  return session.token;
}

/** What the end user's browser does with the authorize URL: the consent page, "Approve", back to the hub. */
async function consent(authorizeUrl: string): Promise<void> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const approve = /id="approve" href="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !approve) {
    throw new Error(`consent page: HTTP ${page.status} without an Approve link`);
  }
  const decided = await fetch(new URL(approve.replaceAll("&amp;", "&"), authorizeUrl), { redirect: "manual" });
  const callback = decided.headers.get("Location");
  if (!callback) {
    throw new Error(`consent: HTTP ${decided.status} without a redirect back to the hub`);
  }
  const back = await fetch(new URL(callback, authorizeUrl), { redirect: "manual" });
  if (back.status >= 400) {
    throw new Error(`OAuth callback: HTTP ${back.status} ${await back.text()}`);
  }
}

async function main(): Promise<void> {
  const server = hubClient(tenantKey);
  const browser = hubClient(await connectSessionToken(server));

  const created = ok("create connection", await browser.POST("/connections", {
    body: { provider, config: connectionConfig },
  }));
  if (created.authorizeUrl) {
    await consent(created.authorizeUrl);
  }
  const path = { id: created.id };
  const connection: Connection = await until("connection", async () =>
    ok("get connection", await browser.GET("/connections/{id}", { params: { path } })),
    (c) => c.status !== "pending");
  if (connection.status !== "active") {
    throw new Error(`connection ${connection.id} is ${connection.status}: ${connection.lastError ?? ""}`);
  }

  const queued = ok("start sync", await server.POST("/connections/{id}/syncs", {
    params: { path },
    body: { entity, mode: "full" },
  }));
  const run: SyncRun = await until("sync run", async () =>
    ok("get sync", await server.GET("/syncs/{syncId}", { params: { path: { syncId: queued.id } } })),
    (r) => r.status === "succeeded" || r.status === "failed" || r.status === "cancelled");
  if (run.status !== "succeeded") {
    throw new Error(`sync ${run.id} ${run.status}: ${run.message ?? ""}`);
  }

  const page: RecordPage = ok("list records", await server.GET("/connections/{id}/records/{model}", {
    params: { path: { id: created.id, model: entity }, query: { limit: 100 } },
  }));
  console.log("RESULT " + JSON.stringify({
    connectionId: connection.id,
    endUser: connection.endUser?.id ?? null,
    account: connection.account?.name ?? null,
    syncId: run.id,
    created: run.created,
    records: page.records.map((r) => ({ externalId: r.externalId, title: r.data["title"] ?? null })),
  }));
}

main().catch((error: unknown) => {
  // fetch's own errors ("fetch failed") carry the reason (refused, DNS, …) as their cause.
  const cause = error instanceof Error && error.cause ? ` (${String(error.cause)})` : "";
  console.error(error instanceof Error ? error.message + cause : error);
  process.exit(1);
});
