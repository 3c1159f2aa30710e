import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { buildDictionary, createBodyCodec, DICTIONARY_BYTES } from './bodyCodec';

/** A body shaped like the colour API's: fixed structure, a few values that vary with the key. */
function colourLike(n: number): string {
  const hex = n.toString(16).toUpperCase().padStart(6, '0');
  const [r, g, b] = [n >> 16, (n >> 8) & 255, n & 255];
  return JSON.stringify({
    hex: { value: `#${hex}`, clean: hex },
    rgb: { fraction: { r: r / 255, g: g / 255, b: b / 255 }, r, g, b, value: `rgb(${r}, ${g}, ${b})` },
    image: {
      bare: `https://www.thecolorapi.com/id?format=svg&named=false&hex=${hex}`,
      named: `https://www.thecolorapi.com/id?format=svg&hex=${hex}`,
    },
    contrast: { value: r + g + b > 380 ? '#000000' : '#ffffff' },
    _links: { self: { href: `/id?hex=${hex}` } },
    _embedded: {},
  });
}

describe('body codec', () => {
  const samples = Array.from({ length: 100 }, (_, i) => colourLike(i * 7919));
  const dictionary = buildDictionary(samples);
  const codec = createBodyCodec(dictionary);
  const compressBody = (body: string, dict: Buffer) => (dict === dictionary ? codec : createBodyCodec(dict)).compress(body);
  const decompressBody = (packed: Buffer, dict: Buffer) => (dict === dictionary ? codec : createBodyCodec(dict)).decompress(packed);

  test('a body comes back byte for byte, non-ASCII text included', () => {
    for (const body of [colourLike(0x3a7bd5), colourLike(0xffffff), `${colourLike(1).slice(0, -1)},"name":"Ébène ☕ 日本"}`]) {
      const packed = compressBody(body, dictionary);
      expect(packed).not.toBeNull();
      expect(decompressBody(packed as Buffer, dictionary)).toBe(body);
    }
  });

  test('colour-shaped bodies shrink at least 3× against a dictionary of their siblings', () => {
    let plain = 0;
    let packed = 0;
    for (let n = 1_000_000; n < 1_000_000 + 500 * 4099; n += 4099) {
      const body = colourLike(n);
      plain += Buffer.byteLength(body);
      packed += (compressBody(body, dictionary) as Buffer).length;
    }
    expect(plain / packed).toBeGreaterThanOrEqual(3);
  });

  test('the dictionary is the last sample bodies, at most DICTIONARY_BYTES long', () => {
    expect(dictionary.length).toBeLessThanOrEqual(DICTIONARY_BYTES);
    expect(dictionary.toString('utf8').endsWith(samples.at(-1) as string)).toBe(true);
    expect(buildDictionary(['x'.repeat(10_000)], 1000).length).toBe(1000);
    expect(buildDictionary(['a', 'b'])).toEqual(Buffer.from('ab'));
  });

  test('a body that would not shrink is left to be stored plain', () => {
    expect(compressBody('{}', dictionary)).toBeNull();
    const noise = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97 + 13) % 251)).toString('base64');
    expect(compressBody(noise, dictionary)).toBeNull();
  });

  test('an empty dictionary (every sample body empty) still round-trips', () => {
    const empty = buildDictionary(['', '']);
    expect(empty.length).toBe(0);
    const body = colourLike(42).repeat(3);
    expect(decompressBody(compressBody(body, empty) as Buffer, empty)).toBe(body);
  });

  test('the reused zlib stream makes exactly what the one-shot zlib functions make, and reads it back', () => {
    for (let n = 0; n < 300; n++) {
      const body = colourLike(n * 65_537);
      const packed = codec.compress(body) as Buffer;
      expect(packed.equals(deflateRawSync(Buffer.from(body), { dictionary, level: 6 }))).toBe(true);
      expect(inflateRawSync(packed, { dictionary }).toString()).toBe(body);
      expect(codec.decompress(packed)).toBe(body);
    }
  });

  test('a body larger than the reused buffer and corrupt input take the one-shot path', () => {
    const big = JSON.stringify(Array.from({ length: 40_000 }, (_, i) => colourLike(i)));
    const packed = codec.compress(big) as Buffer;
    expect(codec.decompress(packed)).toBe(big);
    expect(() => codec.decompress(Buffer.from([0xff, 0xff, 0xff, 0x00, 0x13]))).toThrow();
    // The codec still works after an error.
    const body = colourLike(7);
    expect(codec.decompress(codec.compress(body) as Buffer)).toBe(body);
  });
});
