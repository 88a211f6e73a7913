import { describe, expect, it } from 'vitest';
import { formNote, initialSource, onSourceTab, resetSource, toSave } from './ruleSource';
import { entitiesOf, type RuleSource } from './rules';
import { toYaml, type RuleDraft } from './ruleYaml';

const draft: RuleDraft = {
  id: 'r1', name: 'Rubeus', description: '', severity: 'Medium', frequency: '5m', period: '1h', tactics: [], techniques: [],
  query: 'DeviceProcessEvents', entities: [{ entityType: 'Host', identifier: 'HostName', column: 'DeviceName' }],
};
const stored: RuleSource = { text: '# keep me\nid: r1\nname: Rubeus  # tool\nseverity: Medium\nquery: DeviceProcessEvents\n', kind: 'yaml' };

describe('the rule source tab', () => {
  it('starts from the stored document, or from the form when there is none', () => {
    expect(initialSource(stored, draft)).toEqual({ ...stored, origin: 'stored' });
    expect(initialSource(null, draft)).toEqual({ text: toYaml(draft), kind: 'yaml', origin: 'form' });
    const json: RuleSource = { text: '{"id":"4242"}', kind: 'json' };
    expect(initialSource(json, draft)).toEqual({ text: '{"id":"4242"}', kind: 'json', origin: 'stored' });
  });

  it('keeps its edits while the form is unchanged, and takes the form once it changed', () => {
    const edited = { ...initialSource(stored, draft), text: stored.text.replace('Medium', 'High') };
    expect(onSourceTab(edited, draft, { ...draft })).toBe(edited);
    const changed = { ...draft, severity: 'Low' as const };
    expect(onSourceTab(edited, draft, changed)).toEqual({ text: toYaml(changed), kind: 'yaml', origin: 'form' });
    expect(resetSource(stored, changed)).toEqual({ ...stored, origin: 'stored' });
    expect(resetSource(null, changed)).toEqual({ text: toYaml(changed), kind: 'yaml', origin: 'form' });
  });

  it('saves the form as YAML and the tab in its own format', () => {
    const json = { text: '{"id":"4242"}', kind: 'json' as const, origin: 'stored' as const };
    expect(toSave('source', json, draft)).toEqual({ text: '{"id":"4242"}', kind: 'json' });
    expect(toSave('source', { ...stored, origin: 'stored' }, draft)).toEqual(stored);
    expect(toSave('form', json, draft)).toEqual({ text: toYaml(draft), kind: 'yaml' });
  });

  it('says what saving the form loses', () => {
    expect(formNote(null)).toBe('');
    expect(formNote(stored)).toMatch(/comments and the fields the form does not show .* are dropped/);
    expect(formNote({ text: '{}', kind: 'json' })).toMatch(/replaces the rule's JSON document with Sentinel YAML/);
  });
});

describe('entitiesOf', () => {
  it('flattens entity mappings into one row per identifier', () => {
    expect(entitiesOf({})).toEqual([]);
    expect(entitiesOf({ entityMappings: [
      { entityType: 'Account', fieldMappings: [{ identifier: 'Name', columnName: 'AccountName' }, { identifier: 'NTDomain', columnName: 'AccountDomain' }] },
      { entityType: 'Host', fieldMappings: [{ identifier: 'FullName', columnName: 'DeviceName' }] },
    ] })).toEqual([
      { entityType: 'Account', identifier: 'Name', column: 'AccountName' },
      { entityType: 'Account', identifier: 'NTDomain', column: 'AccountDomain' },
      { entityType: 'Host', identifier: 'FullName', column: 'DeviceName' },
    ]);
  });
});
