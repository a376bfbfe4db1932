/**
 * Tiny real image headers and a local image server for image-input tests.
 * The server listens on 127.0.0.1, which the SSRF guard refuses unless the
 * allow-list permits it: pass `imageFetch: { allow: ['127.0.0.1'] }`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A valid 1×1 transparent PNG. */
export const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** The first bytes of a JFIF JPEG. */
export const JPEG_HEADER = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
/** A 1×1 GIF89a. */
export const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
/** A RIFF/WEBP header (VP8L). */
export const WEBP_HEADER = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.from([0x0d, 0, 0, 0, 0x2f, 0, 0, 0])]);

/** A minimal PDF file's bytes. */
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export interface ImageServer {
  url: string;
  /** Paths requested, in order. */
  hits: string[];
  close(): Promise<void>;
}

type Route = (res: ServerResponse) => void;

/**
 * Serves: /cat.png (PNG, labelled image/jpeg on purpose — types come from
 * the bytes), /photo.jpg, /anim.gif, /pic.webp, /notes.png (text under a
 * .png name), /big.png (`bigBytes` bytes, no content-length), /redirect?to=URL
 * (302), /loop (redirects to itself), /missing (404); for file inputs
 * /report.pdf (PDF_BYTES labelled application/octet-stream) and /notes.txt (text/plain).
 */
export async function startImageServer(options: { bigBytes?: number } = {}): Promise<ImageServer> {
  const hits: string[] = [];
  const send = (type: string, body: Buffer): Route => (res) => {
    res.writeHead(200, { 'content-type': type, 'content-length': body.byteLength });
    res.end(body);
  };
  const routes: Record<string, Route> = {
    '/cat.png': send('image/jpeg', PNG_1x1),
    '/photo.jpg': send('image/jpeg', Buffer.concat([JPEG_HEADER, Buffer.alloc(32)])),
    '/anim.gif': send('image/gif', GIF_1x1),
    '/pic.webp': send('image/webp', WEBP_HEADER),
    '/notes.png': send('image/png', Buffer.from('just some text, not an image')),
    '/report.pdf': send('application/octet-stream', PDF_BYTES),
    '/notes.txt': send('text/plain; charset=utf-8', Buffer.from('Q3 notes: churn is up.')),
    '/big.png': (res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024);
      PNG_1x1.copy(chunk);
      let left = options.bigBytes ?? 1024 * 1024;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.byteLength);
          left -= n;
          if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    },
    '/missing': (res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no');
    },
  };
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.push(u.pathname);
    if (u.pathname === '/redirect') {
      res.writeHead(302, { location: u.searchParams.get('to') ?? '/' });
      return void res.end();
    }
    if (u.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return void res.end();
    }
    const route = routes[u.pathname];
    if (route) return route(res);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
