// The PAYONE HTTP transport over node:http with a real local server: the body as PAYONE sends it (ISO-8859-1),
// keep-alive reuse, and the answers that never come (timeouts before and during the body, refused connections).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayoneHttpClient } from '../../../src/payone/client.ts';
import { freePort } from '../../helpers/net.ts';

let server: http.Server;
let base: string;
const seen: { body: string; contentType: string | undefined; remotePort: number | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        body: Buffer.concat(chunks).toString('latin1'),
        contentType: req.headers['content-type'],
        remotePort: req.socket.remotePort,
      });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/hang-body') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' });
        res.write('status=APPROVED\n'); // and the rest never comes
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' });
      res.end(Buffer.from('status=ERROR\nerrorcode=2\ncustomermessage=Karte abgelehnt, bitte prüfen\n', 'latin1'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('PayoneHttpClient over node:http', () => {
  it('posts the form and decodes an ISO-8859-1 answer; a second request reuses the connection', async () => {
    const c = new PayoneHttpClient({ url: `${base}/post-gateway/` });
    const a = await c.post({ request: 'capture', txid: '123', narrative_text: 'Müller' }, 'ISO-8859-1');
    expect(a.transportError).toBeNull();
    expect(a.httpStatus).toBe(200);
    expect(a.body).toContain('customermessage=Karte abgelehnt, bitte prüfen');
    const b = await c.post({ request: 'capture', txid: '124' }, 'ISO-8859-1');
    expect(b.httpStatus).toBe(200);
    const [first, second] = seen.slice(-2);
    expect(first!.body).toBe('request=capture&txid=123&narrative_text=M%FCller');
    expect(first!.contentType).toBe('application/x-www-form-urlencoded; charset=ISO-8859-1');
    expect(second!.remotePort).toBe(first!.remotePort);
  });

  it('no answer: a transport error after the timeout, whether nothing or only part of the body came', async () => {
    for (const path of ['/hang', '/hang-body']) {
      const c = new PayoneHttpClient({ url: `${base}${path}`, timeoutMs: 80 });
      const t0 = performance.now();
      const r = await c.post({ request: 'capture' }, 'UTF-8');
      expect(r.httpStatus).toBeNull();
      expect(r.transportError).toBe('timeout after 80 ms');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    }
  });

  it('a refused connection is a transport error at once', async () => {
    const port = await freePort();
    const r = await new PayoneHttpClient({ url: `http://127.0.0.1:${port}/` }).post({ request: 'capture' }, 'UTF-8');
    expect(r.httpStatus).toBeNull();
    expect(r.transportError).toMatch(/ECONNREFUSED/);
  });
});
