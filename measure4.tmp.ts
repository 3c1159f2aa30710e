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
  console.log(label.padEnd(40), 'avg', (total / rest.length).toFixed(1), 'cpu us', ((c.user + c.system) / rest.length).toFixed(1));
}
time('copy', (b) => Buffer.from(b));
for (const [wb, ml, n] of [[15, 8, 8], [13, 8, 8], [12, 4, 8], [11, 3, 4], [12, 2, 8], [13, 4, 16], [13, 3, 20], [14, 5, 32]] as const) {
  const dict = Buffer.concat(bodies.slice(0, n)).subarray(-((1 << wb) - 300));
  for (const level of [1, 4, 6]) time(`wb${wb} ml${ml} dict ${n}(${dict.length}) l${level}`, (b) => zlib.deflateRawSync(b, { dictionary: dict, level, windowBits: wb, memLevel: ml }));
  const z = rest.map((b) => zlib.deflateRawSync(b, { dictionary: dict, level: 6, windowBits: wb, memLevel: ml }));
  let i = 0;
  time(`  inflate`, () => zlib.inflateRawSync(z[i++] as Buffer, { dictionary: dict, windowBits: wb }));
}
