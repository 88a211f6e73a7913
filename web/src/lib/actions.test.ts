import { describe, expect, it } from 'vitest';
import { disruptionState } from './actions';

describe('disruptionState', () => {
  it('words the attack disruption setting', () => {
    expect(disruptionState({ level: 'semi', fourEyes: true, attackDisruption: true })).toMatch(/^On: /);
    expect(disruptionState({ level: 'full', fourEyes: false, attackDisruption: true, disruptionDryRun: true })).toMatch(/^Dry run: /);
    expect(disruptionState({ level: 'semi', fourEyes: true, attackDisruption: false })).toMatch(/^Off: /);
    // Automation off refuses every automated request, attack disruption's too.
    expect(disruptionState({ level: 'none', fourEyes: true, attackDisruption: true })).toMatch(/^Off: /);
  });
});
