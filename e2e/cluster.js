// A deployment of several nodes for browser tests: one PostgreSQL database (the local server)
// with its lag-tolerant reads on the hot standby the test script starts, one S3 bucket (the SeaweedFS the test script starts), N `lingshi serve` nodes sharing the
// master key, and HAProxy in front of them (round robin, health checks on /healthz, a failed
// connection retried on another node), as docs/DEPLOYMENT.md describes.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startMailCatcher, startPlatform } from "./harness.js";

/** Runs one SQL command on the local server's `database` as its superuser; returns what psql
 * prints (unaligned, tuples only). */
function psql(database, sql) {
  const args = ["-h", "127.0.0.1", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql];
  return execFileSync("psql", args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/** Waits until the standby at `url` has replayed the creation of its database. */
async function replicated(url, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      execFileSync("psql", [url, "-Atqc", "SELECT 1"], { stdio: "ignore" });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the standby never showed ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The haproxy configuration for `nodes` behind 127.0.0.1:`port`, statistics on `statsPort`. */
function haproxyConfig(port, statsPort, nodes) {
  return `global
  maxconn 2048
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A connection a node refused (stopped, killed) is tried again on another node.
  retries 3
  option redispatch 1
  # One request per server connection: a node that stops closes no connection under a request.
  option http-server-close
  option forwardfor
frontend web
  bind 127.0.0.1:${port}
  default_backend nodes
frontend statistics
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
backend nodes
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server inter 250ms fall 1 rise 2
${nodes.map((node, i) => `  server node${i + 1} 127.0.0.1:${node.port} check`).join("\n")}
`;
}

/**
 * Starts `count` nodes and HAProxy (on `port`, or a free one). Returns { base (HAProxy's
 * address), nodes, env, dataDir (node 1's, for admin commands), backends(), until(), query(),
 * restart(i), stop() }.
 */
export async function startCluster(smtpPort, count = 3, port = undefined) {
  const id = randomBytes(6).toString("hex");
  const database = `lingshi_cluster_${id}`;
  psql("postgres", `CREATE DATABASE ${database}`);
  const endpoint = process.env.LINGSHI_TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error("LINGSHI_TEST_S3_ENDPOINT must name the test S3 server (scripts/s3.sh start)");
  const standby = process.env.LINGSHI_TEST_POSTGRES_REPLICA;
  if (!standby) throw new Error("LINGSHI_TEST_POSTGRES_REPLICA must name the hot standby (scripts/replica.sh start)");
  const readUrl = `${standby.slice(0, standby.lastIndexOf("/"))}/${database}`;
  await replicated(readUrl);
  const env = {
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    DATABASE_READ_URL: readUrl,
    LINGSHI_MASTER_KEY: randomBytes(32).toString("base64"),
    LINGSHI_BLOB_URL: `s3://lingshi/cluster-${id}`,
    AWS_ENDPOINT: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "lingshi-test",
    AWS_SECRET_ACCESS_KEY: "lingshi-test-secret",
    AWS_ALLOW_HTTP: "true",
    LINGSHI_TRUST_FORWARDED_FOR: "true",
    LINGSHI_DRAIN_SECONDS: "1",
  };
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const nodes = await Promise.all(ports.map((port) => startPlatform(smtpPort, env, port)));
  port ??= await freePort();
  const statsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "lingshi-haproxy-"));
  writeFileSync(join(dir, "haproxy.cfg"), haproxyConfig(port, statsPort, nodes));
  const haproxy = spawn("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: ["ignore", "inherit", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  const stats = `http://127.0.0.1:${statsPort}/stats;csv`;

  /** The statistics rows of the nodes: { node1: {status, requests}, … }. */
  async function backends() {
    const csv = await (await fetch(stats)).text();
    const [header, ...rows] = csv.trim().split("\n").map((line) => line.split(","));
    const column = (name) => header.findIndex((h) => h.replace(/^# /, "") === name);
    const [proxy, server, status, sessions] = ["pxname", "svname", "status", "stot"].map(column);
    return Object.fromEntries(rows.filter((r) => r[proxy] === "nodes" && r[server].startsWith("node"))
      .map((r) => [r[server], { status: r[status], requests: Number(r[sessions]) }]));
  }

  /** Waits until HAProxy reports every node in `names` as `status` (UP or DOWN). */
  async function until(names, status, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const seen = await backends();
        if (names.every((name) => seen[name]?.status === status)) return;
      } catch { /* HAProxy not listening yet */ }
      if (Date.now() > deadline) throw new Error(`HAProxy never saw ${names.join(", ")} ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const names = nodes.map((_, i) => `node${i + 1}`);
  await until(names, "UP");

  return {
    base,
    env,
    dataDir: nodes[0].dataDir,
    nodes,
    backends,
    until,
    /** Runs one SQL query on the deployment's database; returns what psql prints (unaligned). */
    query: (sql) => psql(database, sql),
    /** Starts node `i` (0-based) again on its port and waits until HAProxy sends it requests. */
    async restart(i) {
      nodes[i] = await startPlatform(smtpPort, env, nodes[i].port);
      await until([names[i]], "UP");
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      if (haproxy.exitCode === null && haproxy.signalCode === null) {
        await new Promise((done) => { haproxy.once("exit", done); haproxy.kill("SIGTERM"); });
      }
      psql("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

// Run as a program (scripts/cluster.sh): three nodes behind HAProxy on 127.0.0.1:8080 until
// Ctrl-C, mail caught and each code printed.
if (process.argv[1] === import.meta.filename) {
  const mail = await startMailCatcher();
  const cluster = await startCluster(mail.port, 3, Number(process.env.LINGSHI_CLUSTER_PORT ?? 8080));
  console.log(`Three nodes (${cluster.nodes.map((n) => n.base).join(", ")}) behind HAProxy at ${cluster.base}`);
  console.log(`database ${cluster.env.DATABASE_URL}, read replica ${cluster.env.DATABASE_READ_URL}, files ${cluster.env.LINGSHI_BLOB_URL}`);
  // The node that created the demo staff account printed it (once, whichever node it was).
  const printed = cluster.nodes.flatMap((node) => node.output().split("\n"));
  console.log(printed.filter((line) => /Demo staff|username:|password:/.test(line)).join("\n"));
  let shown = 0;
  const showMail = setInterval(() => {
    for (const message of mail.inbox.slice(shown)) console.log(`mail to ${message.to.join(", ")}: ${message.subject}`);
    shown = mail.inbox.length;
  }, 500);
  process.once("SIGINT", async () => {
    clearInterval(showMail);
    await cluster.stop();
    await mail.close();
    process.exit(0);
  });
}
