import * as zlib from 'node:zlib';
import { colourBody } from './apps/mock-api/src/colour';
const hex = (i: number) => i.toString(16).toUpperCase().padStart(6, '0');
const N = 20000;
const bodies = Array.from({ length: N }, (_, i) => Buffer.from(colourBody(hex((i * 2654435761) % 16777216))));
const rest = bodies.slice(100);
function time(label: string, fn: (b: Buffer) => Buffer | number) {
  const c0 = process.cpuUsage(); let total = 0;
  for (const b of rest) { const r = fn(b); total += typeof r === 'number' ? r : r.length; }
  const c = process.cpuUsage(c0);
  console.log(label.padEnd(34), 'avg', (total / rest.length).toFixed(1), 'cpu us', ((c.user + c.system) / rest.length).toFixed(1));
}
time('copy', (b) => Buffer.from(b));
time('sync no dict l6', (b) => zlib.deflateRawSync(b, { level: 6 }));
for (const n of [4, 8, 16, 32, 90]) {
  const dict = Buffer.concat(bodies.slice(0, n));
  for (const level of [1, 6]) time(`sync dict ${n} (${dict.length}) l${level}`, (b) => zlib.deflateRawSync(b, { dictionary: dict, level }));
  const z = rest.map((b) => zlib.deflateRawSync(b, { dictionary: dict, level: 6 }));
  let i = 0;
  time(`  inflate dict ${n}`, () => zlib.inflateRawSync(z[i++] as Buffer, { dictionary: dict }));
}
