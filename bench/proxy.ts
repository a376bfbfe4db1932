/**
 * The floor for any Node gateway: a minimal pass-through proxy. node:http in,
 * node:http (keep-alive agent) out, request piped to the upstream and the
 * upstream's response piped back, chunk by chunk (streams flow through as they
 * arrive). No parsing, no auth, no storage.
 *
 * Env: BENCH_PROXY_UPSTREAM_PORT (required). Prints `{"port":N}` when listening.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstreamPort = Number(process.env.BENCH_PROXY_UPSTREAM_PORT);
if (!upstreamPort) throw new Error('BENCH_PROXY_UPSTREAM_PORT is required');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 2048 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function strip(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const up = request(
    { agent, host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: strip(req.headers) },
    (ures) => {
      res.writeHead(ures.statusCode ?? 502, strip(ures.headers));
      ures.pipe(res);
    },
  );
  up.on('socket', (s) => s.setNoDelay(true));
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
});
server.listen(Number(process.env.BENCH_PROXY_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
