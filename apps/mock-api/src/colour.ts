/**
 * thecolorapi.com's `GET /id?hex=RRGGBB`, trimmed to the fields Sluice's demo stores. Bodies
 * are built from a template, not an object tree, because benchmarks push 10k+ requests/s
 * through this on two cores.
 */

const HEX6 = /^[0-9a-fA-F]{6}$/;

const HUES = ['Red', 'Orange', 'Yellow', 'Chartreuse', 'Green', 'Spring Green', 'Cyan', 'Azure', 'Blue', 'Violet', 'Magenta', 'Rose'];

function toHsl(r: number, g: number, b: number): [h: number, s: number, l: number] {
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const l = (max + min) / 2;
  const delta = max - min;
  if (delta === 0) return [0, 0, Math.round(l * 100)];
  const s = delta / (1 - Math.abs(2 * l - 1));
  let h: number;
  if (max === r / 255) h = ((g - b) / 255 / delta) % 6;
  else if (max === g / 255) h = (b - r) / 255 / delta + 2;
  else h = (r - g) / 255 / delta + 4;
  return [Math.round((h * 60 + 360) % 360), Math.round(s * 100), Math.round(l * 100)];
}

function nameOf(r: number, g: number, b: number): string {
  const [h, s, l] = toHsl(r, g, b);
  if (l <= 5) return 'Black';
  if (l >= 95) return 'White';
  const tone = l < 25 ? 'Midnight ' : l < 40 ? 'Dark ' : l < 60 ? '' : l < 80 ? 'Light ' : 'Pale ';
  if (s < 15) return `${tone}Gray`;
  const vivid = s >= 80 && l >= 40 && l < 60 ? 'Vivid ' : '';
  return `${vivid}${tone}${HUES[Math.round(h / 30) % 12]}`;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** The 216 web-safe colours play the named colours: one per step of 0x33 on each channel. */
const NAMED: readonly { hex: string; name: string }[] = Array.from({ length: 216 }, (_, i) => {
  const r = Math.floor(i / 36) * 51;
  const g = (Math.floor(i / 6) % 6) * 51;
  const b = (i % 6) * 51;
  return { hex: `#${hex2(r)}${hex2(g)}${hex2(b)}`, name: nameOf(r, g, b) };
});

/** Upper-cased six hex digits, or `000000` for anything else, as the real API answers black. */
export function cleanHex(hexParam: string | null): string {
  return hexParam !== null && HEX6.test(hexParam) ? hexParam.toUpperCase() : '000000';
}

/** The JSON body for `GET /id?hex=...`; the name depends only on the colour. */
export function colourBody(hexParam: string | null): string {
  const clean = cleanHex(hexParam);
  const n = Number.parseInt(clean, 16);
  const r = n >> 16;
  const g = (n >> 8) & 255;
  const b = n & 255;
  const [h, s, l] = toHsl(r, g, b);
  const qr = Math.round(r / 51);
  const qg = Math.round(g / 51);
  const qb = Math.round(b / 51);
  const named = NAMED[qr * 36 + qg * 6 + qb] as { hex: string; name: string };
  const distance = (r - qr * 51) ** 2 + (g - qg * 51) ** 2 + (b - qb * 51) ** 2;
  const k = 1 - Math.max(r, g, b) / 255;
  const cmy = (c: number) => (k === 1 ? 0 : Math.round(((1 - c / 255 - k) / (1 - k)) * 100));
  const [c, m, y, kk] = [cmy(r), cmy(g), cmy(b), Math.round(k * 100)];
  return (
    `{"hex":{"value":"#${clean}","clean":"${clean}"},` +
    `"rgb":{"r":${r},"g":${g},"b":${b},"value":"rgb(${r}, ${g}, ${b})"},` +
    `"hsl":{"h":${h},"s":${s},"l":${l},"value":"hsl(${h}, ${s}%, ${l}%)"},` +
    `"cmyk":{"c":${c},"m":${m},"y":${y},"k":${kk},"value":"cmyk(${c}, ${m}, ${y}, ${kk})"},` +
    `"name":{"value":"${named.name}","closest_named_hex":"${named.hex}","exact_match_name":${distance === 0},"distance":${distance}},` +
    `"contrast":{"value":"${l > 50 ? '#000000' : '#ffffff'}"}}`
  );
}

/** The colour API's answer (status 200) to a call over a quota in `'body'` mode. */
export const COLOUR_THROTTLE_BODY = '{"error":"rate limit exceeded"}';
