import * as zlib from 'node:zlib';
import { colourBodyFull } from './apps/mock-api/src/colourFull';
const hex = (i: number) => i.toString(16).toUpperCase().padStart(6, '0');
const N = 10000;
for (const [label, order] of [['seq', (i: number) => i], ['rand', (i: number) => (i * 2654435761) % 16777216]] as const) {
const bodies = Array.from({ length: N }, (_, i) => Buffer.from(colourBodyFull(hex(order(i)))));
const rest = bodies.slice(200);
const avg = rest.reduce((a, b) => a + b.length, 0) / rest.length;
for (const n of [2, 4, 8, 16]) {
  const dict = Buffer.concat(bodies.slice(0, n));
  const c0 = process.cpuUsage(); let total = 0;
  for (const b of rest) total += zlib.deflateRawSync(b, { dictionary: dict, level: 6 }).length;
  const c = process.cpuUsage(c0);
  console.log(label, 'body', avg.toFixed(0), 'dict', n, dict.length, 'avg', (total / rest.length).toFixed(1), 'cpu us', ((c.user + c.system) / rest.length).toFixed(1), 'row est', ((avg + 87) / (total / rest.length + 87)).toFixed(2));
}}
