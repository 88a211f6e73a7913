import { describe, expect, it } from 'vitest';
import { investigationStatusLabel, sortEvidence, type Evidence } from './investigations';

describe('investigations', () => {
  it('orders evidence by verdict, then kind and value', () => {
    const ev: Evidence[] = [
      { kind: 'ip', value: '8.8.8.8', verdict: 'noThreatsFound' },
      { kind: 'ip', value: '203.0.113.9', verdict: 'malicious' },
      { kind: 'file', value: 'aa', verdict: 'suspicious' },
      { kind: 'file', value: 'bb', verdict: 'malicious' },
    ];
    expect(sortEvidence(ev).map((e) => e.value)).toEqual(['bb', '203.0.113.9', 'aa', '8.8.8.8']);
  });
  it('words statuses as Defender does and keeps unknown ones', () => {
    expect(investigationStatusLabel('pendingAction')).toBe('Pending action');
    expect(investigationStatusLabel('somethingNew')).toBe('somethingNew');
  });
});
