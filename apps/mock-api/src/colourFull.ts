import { cleanHex, colourBody } from './colour';

/**
 * thecolorapi.com's `GET /id?hex=RRGGBB` in its full shape (~1,030 bytes, as the real API
 * answers): the trimmed body plus the fields the real one also sends (fractions, HSV, XYZ,
 * image links, `_links`). Served for `&shape=full`, so storage benchmarks measure real-sized
 * bodies while every other user keeps the trimmed, faster ones.
 */
export function colourBodyFull(hexParam: string | null): string {
  const clean = cleanHex(hexParam);
  const trimmed = JSON.parse(colourBody(clean)) as {
    hex: object;
    rgb: { r: number; g: number; b: number };
    hsl: { h: number; s: number; l: number };
    cmyk: { c: number; m: number; y: number; k: number };
    name: object;
    contrast: object;
  };
  const { r, g, b } = trimmed.rgb;
  const { h, s, l } = trimmed.hsl;
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const v = Math.round(max * 100);
  const sv = max === 0 ? 0 : Math.round(((max - min) / max) * 100);
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  const [lr, lg, lb] = [lin(r), lin(g), lin(b)];
  const xyz = [
    0.4124 * lr + 0.3576 * lg + 0.1805 * lb,
    0.2126 * lr + 0.7152 * lg + 0.0722 * lb,
    0.0193 * lr + 0.1192 * lg + 0.9505 * lb,
  ].map((n) => Math.round(n * 10_000) / 10_000) as [number, number, number];
  const [X, Y, Z] = xyz.map((n) => Math.round(n * 100)) as [number, number, number];
  const { c, m, y, k } = trimmed.cmyk;
  const full = trimmed;
  return JSON.stringify({
    hex: full.hex,
    rgb: { fraction: { r: r / 255, g: g / 255, b: b / 255 }, ...full.rgb },
    hsl: { fraction: { h: h / 360, s: s / 100, l: l / 100 }, ...full.hsl },
    hsv: { fraction: { h: h / 360, s: sv / 100, v: v / 100 }, value: `hsv(${h}, ${sv}%, ${v}%)`, h, s: sv, v },
    name: full.name,
    cmyk: { fraction: { c: c / 100, m: m / 100, y: y / 100, k: k / 100 }, ...full.cmyk },
    XYZ: { fraction: { X: xyz[0], Y: xyz[1], Z: xyz[2] }, value: `XYZ(${X}, ${Y}, ${Z})`, X, Y, Z },
    image: {
      bare: `https://www.thecolorapi.com/id?format=svg&named=false&hex=${clean}`,
      named: `https://www.thecolorapi.com/id?format=svg&hex=${clean}`,
    },
    contrast: full.contrast,
    _links: { self: { href: `/id?hex=${clean}` } },
    _embedded: {},
  });
}
