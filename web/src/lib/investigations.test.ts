import { describe, expect, it } from 'vitest';
import { investigationStatusColor, investigationStatusLabel, sortEvidence, summarize, type Evidence, type Investigation } from './investigations';

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

describe('summarize', () => {
  const inv = (status: string, verdicts: Investigation['verdicts']): Investigation => ({
    id: status, tenant: 't', alert: { id: 'a', title: 'x', severity: 'medium' }, state: 'done', status, verdicts, evidence: null,
    createdDateTime: '2026-01-01T00:00:00Z', lastUpdateDateTime: '2026-01-01T00:00:00Z',
  });
  it('counts by status, most pressing first, and sums the verdicts', () => {
    const got = summarize([
      inv('noThreatsFound', { noThreatsFound: 3 }), inv('pendingAction', { malicious: 1, noThreatsFound: 2 }),
      inv('noThreatsFound', { noThreatsFound: 1 }), inv('somethingNew', {}), inv('running', {}), inv('remediated', { malicious: 2, suspicious: 1 }),
    ]);
    expect(got).toEqual({
      total: 6,
      byStatus: [{ status: 'pendingAction', count: 1 }, { status: 'running', count: 1 }, { status: 'remediated', count: 1 },
        { status: 'noThreatsFound', count: 2 }, { status: 'somethingNew', count: 1 }],
      verdicts: { malicious: 3, suspicious: 1, noThreatsFound: 6 },
    });
    expect(summarize([])).toEqual({ total: 0, byStatus: [], verdicts: { malicious: 0, suspicious: 0, noThreatsFound: 0 } });
  });
  it('colors settled statuses success, waiting ones warning, the rest danger', () => {
    expect(['noThreatsFound', 'remediated', 'running', 'pendingAction', 'threatsFound', 'failed'].map(investigationStatusColor))
      .toEqual(['success', 'success', 'warning', 'warning', 'danger', 'danger']);
  });
});
