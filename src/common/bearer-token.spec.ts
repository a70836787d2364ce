import { bearerToken, SecretSet } from './bearer-token';

describe(bearerToken.name, () => {
  test.each([
    ['Bearer abc', 'abc'],
    ['bearer  abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
    [['Bearer abc'], undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe(SecretSet.name, () => {
  test('knows each of its secrets and nothing else', () => {
    const keys = new SecretSet(['first-key-0123456789', 'second-key-0123456789']);
    expect(keys.size).toBe(2);
    expect(keys.has('first-key-0123456789')).toBe(true);
    expect(keys.has('second-key-0123456789')).toBe(true);
    expect(keys.has('first-key-012345678')).toBe(false);
    expect(keys.has('')).toBe(false);
    expect(keys.has(undefined)).toBe(false);
    expect(new SecretSet([]).has('anything')).toBe(false);
  });
});
