import { describe, expect, it } from 'vitest';
import { isDisrupted } from './common';

describe('isDisrupted', () => {
  it('finds the attack disruption tag among custom or system tags', () => {
    expect(isDisrupted({ customTags: ['Attack disruption'], systemTags: [] })).toBe(true);
    expect(isDisrupted({ customTags: [], systemTags: ['Attack disruption'] })).toBe(true);
    expect(isDisrupted({ customTags: ['Attack disruption (dry run)'], systemTags: [] })).toBe(false);
    expect(isDisrupted({ customTags: [], systemTags: null as unknown as string[] })).toBe(false);
  });
});
