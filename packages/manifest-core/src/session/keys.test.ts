/** @module Tests of the shared SIGNING_KEYS parser: rotation order, secrets with colons, and every problem named. */
import { describe, expect, it } from 'vitest';
import { parseSigningKeys } from './keys.ts';

describe('parseSigningKeys', () => {
  it('makes the last key active unless told otherwise, and keeps colons inside secrets', () => {
    expect(parseSigningKeys(' k1:old-secret-0123456789 , k2:new:secret-0123456789', undefined)).toEqual({
      keyring: { activeKid: 'k2', keys: { k1: 'old-secret-0123456789', k2: 'new:secret-0123456789' } },
      problems: [],
    });
    expect(parseSigningKeys('k1:old-secret-0123456789,k2:new-secret-0123456789', 'k1').keyring.activeKid).toBe('k1');
  });

  it('names every problem: missing keys, short secrets, bad kids, an unknown active kid', () => {
    expect(parseSigningKeys(undefined, undefined).problems).toEqual([
      'SIGNING_KEYS is required (kid:secret[,kid:secret…]); the edge and every zone must share it',
    ]);
    expect(parseSigningKeys('k1:short', undefined).problems).toHaveLength(2);
    expect(parseSigningKeys('bad kid:secret-0123456789abcdef,:secret-0123456789abcdef', undefined).problems[0]).toMatch(
      /^SIGNING_KEYS: expected kid:secret pairs/,
    );
    expect(parseSigningKeys('k1:secret-0123456789abcdef', 'k9').problems).toEqual([
      'SIGNING_ACTIVE_KID=k9: not a kid of SIGNING_KEYS',
    ]);
  });
});
