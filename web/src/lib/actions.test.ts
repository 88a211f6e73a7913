import { afterEach, describe, expect, it, vi } from 'vitest';
import { disruptionState, listActions, requesterLabel, requesterTypes } from './actions';

describe('disruptionState', () => {
  it('words the attack disruption setting', () => {
    expect(disruptionState({ level: 'semi', fourEyes: true, attackDisruption: true })).toMatch(/^On: /);
    expect(disruptionState({ level: 'full', fourEyes: false, attackDisruption: true, disruptionDryRun: true })).toMatch(/^Dry run: /);
    expect(disruptionState({ level: 'semi', fourEyes: true, attackDisruption: false })).toMatch(/^Off: /);
    // Automation off refuses every automated request, attack disruption's too.
    expect(disruptionState({ level: 'none', fourEyes: true, attackDisruption: true })).toMatch(/^Off: /);
  });
});


describe('the requester filter', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('labels each requester type the server takes (respond.RequesterType)', () => {
    expect([...requesterTypes].sort()).toEqual(['disruption', 'investigation', 'playbook', 'rule', 'user']);
    const labels = requesterTypes.map(requesterLabel);
    expect(new Set(labels).size).toBe(labels.length);
    expect(requesterLabel('disruption')).toBe('Attack disruption');
  });

  it('asks the server for one requester type', async () => {
    const fetch = vi.fn<(url: string) => Promise<Response>>(() => Promise.resolve(new Response('{"value":[]}', { status: 200 })));
    vi.stubGlobal('fetch', fetch);
    await listActions({ status: 'completed', requestorType: 'disruption' });
    await listActions({});
    expect(fetch.mock.calls.map((c) => c[0])).toEqual([
      '/api/v1/security/actions?status=completed&requestorType=disruption&%24top=1000',
      '/api/v1/security/actions?%24top=1000',
    ]);
  });
});
