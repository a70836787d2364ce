import { parseNativeChoice } from './native-kernels';

describe('parseNativeChoice', () => {
  it('takes auto (also unset or empty) and off, and refuses anything else', () => {
    expect([undefined, '', 'auto', 'off'].map(parseNativeChoice)).toEqual(['auto', 'auto', 'auto', 'off']);
    expect(() => parseNativeChoice('on')).toThrow(/TF_NATIVE must be auto or off/);
  });
});
