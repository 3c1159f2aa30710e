import * as zlib from 'node:zlib';
import { colourBody } from './apps/mock-api/src/colour';
const hex = (i: number) => i.toString(16).toUpperCase().padStart(6, '0');
const N = 20000;
const bodies = Array.from({ length: N }, (_, i) => Buffer.from(colourBody(hex((i * 2654435761) % 16777216))));
const dict = Buffer.concat(bodies.slice(0, 32));
const rest = bodies.slice(32);
function time(label: string, fn: (b: Buffer) => Buffer) {
  const t0 = process.hrtime.bigint(); let total = 0;
  for (const b of rest) total += fn(b).length;
  const us = Number(process.hrtime.bigint() - t0) / 1000 / rest.length;
  console.log(label.padEnd(30), 'avg', (total / rest.length).toFixed(1), 'us', us.toFixed(1));
}
time('sync no dict', (b) => zlib.deflateRawSync(b, { level: 6 }));
time('sync dict', (b) => zlib.deflateRawSync(b, { dictionary: dict, level: 6 }));
for (const level of [1, 3, 6, 9]) {
  const d = zlib.createDeflateRaw({ dictionary: dict, level }) as any;
  time(`reused dict l${level}`, (b) => { d.reset(); return d._processChunk(b, zlib.constants.Z_SYNC_FLUSH); });
}
const d = zlib.createDeflateRaw({ dictionary: dict, level: 6 }) as any;
const comp = rest.map((b) => { d.reset(); return Buffer.from(d._processChunk(b, zlib.constants.Z_SYNC_FLUSH)); });
const inf = zlib.createInflateRaw({ dictionary: dict }) as any;
let ok = 0; const t0 = process.hrtime.bigint();
for (let i = 0; i < comp.length; i++) { inf.reset(); const out = inf._processChunk(comp[i], zlib.constants.Z_SYNC_FLUSH); if (out.equals(rest[i])) ok++; }
console.log('reused inflate us', (Number(process.hrtime.bigint() - t0) / 1000 / comp.length).toFixed(1), 'ok', ok, comp.length);
const t1 = process.hrtime.bigint();
for (let i = 0; i < 5000; i++) zlib.inflateRawSync(comp[i], { dictionary: dict });
console.log('sync inflate us', (Number(process.hrtime.bigint() - t1) / 1000 / 5000).toFixed(1));
