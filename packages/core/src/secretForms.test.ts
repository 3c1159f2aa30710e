import { base64Forms, decodedForms, maskSecretForms } from './secretForms';

const mask = (text: string, secrets: string[]) => maskSecretForms(text, secrets, '***');

/** How the WHATWG URL serializer writes a value set as a query parameter of an http(s) URL. */
function urlSerialized(secret: string): string {
  const url = new URL(`http://h.example/q?k=${encodeURIComponent(secret)}`);
  return url.search.slice('?k='.length);
}

describe('maskSecretForms', () => {
  const secret = "it's a s3cr3t/é+(x)!*~";
  const forms: Array<[string, string]> = [
    ['raw', secret],
    ['encodeURIComponent', encodeURIComponent(secret)],
    ['the URL serializer (%27 for a quote)', urlSerialized(secret)],
    ['URLSearchParams (+ for a space)', new URLSearchParams({ k: secret }).toString().slice(2)],
    ['lower-case percent escapes', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
    ['double percent-encoding', encodeURIComponent(encodeURIComponent(secret))],
    ['encodeURI', encodeURI(secret)],
    ['every character percent-encoded', [...Buffer.from(secret)].map((b) => `%${b.toString(16)}`).join('')],
    ['a JSON string', JSON.stringify(secret).slice(1, -1)],
    ['JSON \\u escapes', [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['HTML references', [...secret].map((c) => (c === "'" ? '&#39;' : c === '&' ? '&amp;' : c)).join('')],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64url', Buffer.from(secret).toString('base64url')],
  ];

  test.each(forms)('masks the secret written as %s, inside other text', (_how, form) => {
    const out = mask(`before ${form} after`, [secret]);
    expect(out).toMatch(/^before .*\*\*\*.* after$/);
    expect(out).not.toContain('s3cr3t');
    expect(out).not.toContain(form);
  });

  test.each([0, 1, 2, 3, 4, 5])('masks the secret inside a Basic credential with a user name of %i characters', (userChars) => {
    const header = `Basic ${Buffer.from(`${'u'.repeat(userChars)}:${secret}`).toString('base64')}`;
    const out = mask(`sent Authorization: ${header}.`, [secret]);
    expect(out).toContain('***');
    // At most a character or two at either end of the secret's base64 stays visible.
    const visible = out.replace('sent Authorization: Basic ', '').replace('.', '').replace('***', '');
    expect(visible.length).toBeLessThanOrEqual(Math.ceil(((userChars + 1) * 4) / 3) + 4);
  });

  test('masks the decoded credential and its password when the secret is a Basic credential', () => {
    const credential = Buffer.from('alice:pa55word').toString('base64');
    const out = mask(`user alice:pa55word, password pa55word, header Basic ${credential}`, [credential]);
    expect(out).toBe('user ***, password ***, header Basic ***');
  });

  test('masks every occurrence, and mixes of encodings within one occurrence', () => {
    const mixed = 'it%27s%20a s3cr3t%2F%C3%A9%2B(x)!*~';
    expect(mask(`${secret} ${mixed} ${secret}`, [secret])).toBe('*** *** ***');
  });

  test('leaves text without the secret, and secrets under four characters, alone', () => {
    const text = 'Invalid API call: symbol=IBM, apikey missing';
    expect(mask(text, ['s3cr3t-value'])).toBe(text);
    expect(mask('the cat sat', ['cat'])).toBe('the cat sat');
  });
});

describe('base64Forms', () => {
  test('gives a form found in the base64 of any text holding the secret, whatever its offset', () => {
    const secret = 'k3y-valu3';
    const forms = base64Forms(secret);
    for (let prefix = 0; prefix < 6; prefix++) {
      for (const suffix of ['', 'x', 'yz']) {
        const encoded = Buffer.from(`${'p'.repeat(prefix)}${secret}${suffix}`).toString('base64');
        expect({ prefix, suffix, found: forms.some((form) => encoded.includes(form)) }).toEqual({ prefix, suffix, found: true });
      }
    }
  });
});

describe('decodedForms', () => {
  test('decodes a base64 credential to its text and its password', () => {
    expect(decodedForms(Buffer.from('bob:hunter22').toString('base64'))).toEqual(['bob:hunter22', 'hunter22']);
  });

  test('gives nothing for a secret that is not base64 of text', () => {
    expect(decodedForms('not base64!')).toEqual([]);
    expect(decodedForms(Buffer.from([0, 1, 2, 3, 255, 254]).toString('base64'))).toEqual([]);
  });
});
