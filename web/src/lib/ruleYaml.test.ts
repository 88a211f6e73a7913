import { describe, expect, it } from 'vitest';
import { draftError, findingsOf, guessEntities, toYaml, type RuleDraft } from './ruleYaml';

const d: RuleDraft = {
  id: '0b8d', name: ' Office spawns "shell" ', description: 'x: y', severity: 'High', frequency: '1h', period: '1d',
  tactics: ['Execution'], techniques: ['T1059'], query: 'DeviceProcessEvents\n\n| where FileName == "cmd.exe"\n',
  entities: [{ entityType: 'Host', identifier: 'HostName', column: 'DeviceName' }, { entityType: 'Account', identifier: 'Name', column: 'AccountName' },
    { entityType: 'Host', identifier: 'FullName', column: 'Fqdn' }],
};

describe('toYaml', () => {
  it('writes a Sentinel rule', () => {
    expect(toYaml(d)).toBe(`id: "0b8d"
name: "Office spawns \\"shell\\""
description: "x: y"
severity: High
queryFrequency: 1h
queryPeriod: 1d
triggerOperator: gt
triggerThreshold: 0
tactics:
  - Execution
relevantTechniques:
  - "T1059"
query: |-
  DeviceProcessEvents

  | where FileName == "cmd.exe"
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: "DeviceName"
      - identifier: FullName
        columnName: "Fqdn"
  - entityType: Account
    fieldMappings:
      - identifier: Name
        columnName: "AccountName"
version: 1.0.0
kind: Scheduled
`);
  });
});

describe('draftError', () => {
  const cases: [Partial<RuleDraft>, string][] = [
    [{}, ''],
    [{ name: ' ' }, 'Name the rule'],
    [{ query: '' }, 'The rule needs a query'],
    [{ frequency: '1 hour' }, 'Frequency "1 hour" must be a duration such as 5m, 1h or 1d'],
    [{ period: '0h' }, 'Lookback "0h" must be a duration such as 5m, 1h or 1d'],
    [{ frequency: '1d', period: '1h' }, 'The lookback must be at least the frequency, or events fall between runs'],
    [{ entities: [{ entityType: 'IP', identifier: 'Address', column: '' }] }, 'Pick the column of the IP Address mapping'],
  ];
  for (const [over, want] of cases) it(want || 'valid', () => expect(draftError({ ...d, ...over })).toBe(want));
});

describe('findingsOf', () => {
  it('reads line and column', () => {
    expect(findingsOf('invalid rule: rule.yaml:12:3: unknown table "Nope"; rule.yaml:1:1: severity: must be one of a; b')).toEqual([
      { line: 12, column: 3, message: 'unknown table "Nope"' }, { line: 1, column: 1, message: 'severity: must be one of a; b' },
    ]);
    expect(findingsOf('something else')).toEqual([{ line: 0, column: 0, message: 'something else' }]);
  });
});

describe('guessEntities', () => {
  it('maps known column names once per identifier', () => {
    expect(guessEntities(['Timestamp', 'DeviceName', 'AccountName', 'RemoteIP', 'SourceIP'])).toEqual([
      { entityType: 'Host', identifier: 'HostName', column: 'DeviceName' },
      { entityType: 'Account', identifier: 'Name', column: 'AccountName' },
      { entityType: 'IP', identifier: 'Address', column: 'RemoteIP' },
    ]);
  });
});
