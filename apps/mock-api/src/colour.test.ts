import { cleanHex, colourBody } from './colour';

describe('colourBody', () => {
  it('emulates thecolorapi.com fields for a valid hex', () => {
    const body = JSON.parse(colourBody('FF00AA'));
    expect(body.hex).toEqual({ value: '#FF00AA', clean: 'FF00AA' });
    expect(body.rgb).toEqual({ r: 255, g: 0, b: 170, value: 'rgb(255, 0, 170)' });
    expect(body.hsl).toEqual({ h: 320, s: 100, l: 50, value: 'hsl(320, 100%, 50%)' });
    expect(body.name).toMatchObject({ value: expect.any(String), closest_named_hex: expect.stringMatching(/^#[0-9A-F]{6}$/) });
  });

  it('upper-cases lower-case input and answers the same body', () => {
    expect(colourBody('ff00aa')).toBe(colourBody('FF00AA'));
    expect(JSON.parse(colourBody('abcdef')).hex.clean).toBe('ABCDEF');
  });

  it.each([null, '', 'FFF', 'GGGGGG', 'FF00AA0', ' FF00A', '#FF00A'])('answers black for malformed hex %p', (hex) => {
    expect(cleanHex(hex)).toBe('000000');
    expect(JSON.parse(colourBody(hex)).hex.clean).toBe('000000');
  });

  it('stays valid, compact JSON with a deterministic name across the colour space', () => {
    for (let n = 0; n <= 0xffffff; n += 0x0f0f0f) {
      const hex = n.toString(16).padStart(6, '0');
      const text = colourBody(hex);
      expect(text.length).toBeGreaterThanOrEqual(300);
      expect(text.length).toBeLessThanOrEqual(400);
      expect(JSON.parse(text).name.value).toBe(JSON.parse(colourBody(hex.toUpperCase())).name.value);
    }
  });

  it('marks exact named colours', () => {
    expect(JSON.parse(colourBody('FF0099')).name).toMatchObject({ closest_named_hex: '#FF0099', exact_match_name: true, distance: 0 });
  });
});
