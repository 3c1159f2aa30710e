import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkedSpec, run } from '@sluice/engine';
import { toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { testEngine } from './helpers';

/** Keys that try to move a request elsewhere, break the URL or smuggle headers. */
const HOSTILE_KEYS = [
  '../',
  '..',
  '.',
  '../../etc/passwd',
  '..%2f',
  '..%2F..%2Fadmin',
  '%2e%2e/',
  '%2e%2e',
  '/etc/passwd',
  '#frag',
  '?apikey=x',
  '&apikey=x',
  '@evil.example',
  '//evil.example',
  'http://evil.example',
  'https://evil.example/steal?x=1',
  'a\r\nHost: evil.example',
  'a\r\n\r\nGET /admin HTTP/1.1',
  'nul\u0000byte',
  '%00',
  'with spaces inside',
  'tab\there',
  'back\\slash\\..\\..',
  'semi;colon',
  'quote"double',
  "quote'single",
  '<script>alert(1)</script>',
  '😀emoji',
  'rtl\u200fmark',
  'e\u0301\u0301combining',
  'lone\ud800surrogate',
  'x'.repeat(10_000),
  '%',
  '%zz',
  '+plus+',
  '~tilde',
  'a/b/c',
  ':8080',
  '\\\\evil.example\\share',
  '{key}',
  '{env.HOME}',
];

interface Recorder {
  server: Server;
  url: string;
  seen: Array<{ url: string; host: string | undefined }>;
}

/** A plain HTTP server that records every request line's target and answers 200 JSON. */
async function startRecorder(): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', host: req.headers.host });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

const TEMPLATES: Array<[string, (base: string) => string, (path: string) => boolean]> = [
  ['the key in the query', (base) => `${base}/id?hex={key}&format=json`, (path) => path === '/id'],
  ['the key in the path', (base) => `${base}/items/{key}?v=1`, (path) => path.startsWith('/items/') && !path.slice(7).includes('/')],
];

describe('hostile keys', () => {
  test.each(TEMPLATES)(
    'with %s, every key stays on the template origin and path or fails as InvalidKeyError',
    async (_title, template, pathOk) => {
      const recorder = await startRecorder();
      try {
        await withTempDir((dir) =>
          withRedisPrefix('sec-keys', async ({ url, prefix }) => {
            const engine = await testEngine(dir, url, prefix);
            try {
              const spec = checkedSpec(
                {
                  name: 'hostile',
                  keys: { list: HOSTILE_KEYS },
                  request: { url: template(recorder.url) },
                  limits: { concurrency: 8 },
                  retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
                },
                'test',
              );
              const summary = await run(engine, spec, dir);
              expect(summary.complete).toBe(true);
              expect(summary.done + summary.failed).toBe(HOSTILE_KEYS.length);
              const failures = await engine.store.ledger.listFailures(summary.crawlId, 1000);
              for (const failure of failures) {
                expect(failure.errorClass).toBe('InvalidKeyError');
                expect(failure.reason).toMatch(/template's origin or path|dot segment|not valid Unicode|valid URL/);
              }
              const results = await toArray(engine.store.ledger.iterateResults(summary.crawlId));
              expect(results.length + failures.length).toBe(HOSTILE_KEYS.length);
            } finally {
              await engine.close();
            }
          }),
        );
        const { host } = new URL(recorder.url);
        expect(recorder.seen.length).toBeGreaterThan(HOSTILE_KEYS.length / 2);
        for (const request of recorder.seen) {
          const target = new URL(request.url, recorder.url);
          expect({ url: request.url, ok: pathOk(target.pathname) }).toEqual({ url: request.url, ok: true });
          expect(request.host).toBe(host);
          expect(request.url).not.toMatch(/[\r\n\0 ]/);
        }
      } finally {
        await new Promise((resolve) => recorder.server.close(resolve));
      }
    },
  );
});
