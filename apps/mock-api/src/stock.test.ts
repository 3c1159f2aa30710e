import { stockBody } from './stock';

const body = (query: string, invalid: string[] = []) => JSON.parse(stockBody(new URLSearchParams(query), new Set(invalid)));

describe('stockBody', () => {
  it('answers OVERVIEW with Alpha Vantage fields, numbers as strings, same every time', () => {
    const overview = body('function=OVERVIEW&symbol=IBM&apikey=demo');
    expect(overview).toMatchObject({ Symbol: 'IBM', AssetType: 'Common Stock', Exchange: 'NYSE', Currency: 'USD' });
    expect(overview.MarketCapitalization).toMatch(/^\d+$/);
    for (const field of ['PERatio', 'EPS', 'DividendYield']) expect(overview[field]).toMatch(/^\d+\.\d+$/);
    expect(body('function=OVERVIEW&symbol=IBM&apikey=other')).toEqual(overview);
    expect(body('function=OVERVIEW&symbol=MSFT&apikey=demo').Name).toEqual(expect.any(String));
  });

  it('answers GLOBAL_QUOTE and TIME_SERIES_DAILY', () => {
    const quote = body('function=GLOBAL_QUOTE&symbol=BRK.B&apikey=k')['Global Quote'];
    expect(quote['01. symbol']).toBe('BRK.B');
    expect(quote['05. price']).toMatch(/^\d+\.\d{4}$/);
    const series = body('function=TIME_SERIES_DAILY&symbol=IBM&apikey=k');
    expect(series['Meta Data']['2. Symbol']).toBe('IBM');
    expect(Object.keys(series['Time Series (Daily)'])).toHaveLength(5);
    expect(Object.values(series['Time Series (Daily)'])[0]).toHaveProperty(['1. open']);
  });

  it.each(['ibm', 'TOOLONGSYMBOL', '', 'A B', 'LISTED'])('answers an Error Message for invalid symbol %p', (symbol) => {
    expect(body(`function=OVERVIEW&symbol=${encodeURIComponent(symbol)}&apikey=k`, ['LISTED'])).toEqual({
      'Error Message':
        'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for OVERVIEW.',
    });
  });

  it('answers an Error Message when apikey is missing or empty', () => {
    for (const query of ['function=OVERVIEW&symbol=IBM', 'function=OVERVIEW&symbol=IBM&apikey=']) {
      expect(body(query)['Error Message']).toMatch(/^the parameter apikey is invalid or missing\./);
    }
  });

  it('answers an Error Message for unknown or missing functions', () => {
    expect(body('function=FOO&symbol=IBM&apikey=k')).toEqual({ 'Error Message': 'This API function (FOO) does not exist.' });
    expect(body('function=toString&symbol=IBM&apikey=k')['Error Message']).toMatch(/does not exist/);
    expect(body('symbol=IBM&apikey=k')['Error Message']).toMatch(/does not exist/);
  });
});
