import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { MemoryRouter } from 'react-router-dom';
import { EditRuleDialog } from './RuleDialog';
import { draftOf, type Rule, type RuleSource } from '../lib/rules';

afterEach(cleanup);

// jsdom has no ResizeObserver, which Fluent's overflow handling asks for.
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

const rule: Rule = {
  id: 'r1', displayName: 'Rubeus on a device', isEnabled: true, origin: 'api', kind: 'Scheduled', format: 'sentinel-yaml', version: 3,
  queryCondition: { queryText: 'DeviceProcessEvents\n| where FileName =~ "rubeus.exe"' }, queryFrequency: '5m0s', queryPeriod: '1h0m0s',
  lastRunDetails: null, detectionAction: { alertTemplate: { severity: 'medium', description: 'A Kerberos tool ran.' } }, tactics: ['CredentialAccess'],
  entityMappings: [{ entityType: 'Host', fieldMappings: [{ identifier: 'HostName', columnName: 'DeviceName' }] }],
};

const stored: RuleSource = {
  kind: 'yaml',
  text: '# Owned by the SOC: keep this comment.\nid: r1\nname: Rubeus on a device  # the tool\nseverity: Medium\nqueryFrequency: 5m\nqueryPeriod: 1h\nquery: |\n  DeviceProcessEvents\n',
};

function open(source: RuleSource | null, r: Rule = rule) {
  render(
    <FluentProvider theme={webLightTheme}><MemoryRouter>
      <EditRuleDialog rule={r} draft={draftOf(r)} source={source} onSaved={vi.fn()} onClose={vi.fn()} />
    </MemoryRouter></FluentProvider>,
  );
}

const sourceText = (label = 'Rule YAML') => screen.getByLabelText<HTMLTextAreaElement>(label).value;

// Fluent's first render in jsdom takes seconds on a busy machine.
describe('EditRuleDialog', { timeout: 30_000 }, () => {
  it('shows the stored YAML as written, and the form with the entity mappings', () => {
    open(stored);
    expect(screen.getByLabelText<HTMLSelectElement>('Entity 1').value).toBe('Host/HostName');
    expect(screen.getByLabelText<HTMLInputElement>('Entity 1 column').value).toBe('DeviceName');
    expect(screen.getByText(/its comments and the fields the form does not show/)).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    expect(sourceText()).toBe(stored.text);
    expect(screen.getByTestId('rule-source-origin').textContent).toContain("The rule's stored YAML document, as written.");
  });

  it('writes YAML from a changed form, and goes back to the stored document on request', () => {
    open(stored);
    fireEvent.change(screen.getByLabelText('Rule name'), { target: { value: 'Rubeus, renamed' } });
    fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    expect(sourceText()).toContain('name: "Rubeus, renamed"');
    expect(sourceText()).not.toContain('# Owned by the SOC');
    fireEvent.click(screen.getByRole('button', { name: 'Back to the stored YAML' }));
    expect(sourceText()).toBe(stored.text);
  });

  it('keeps edits made in the YAML tab across a visit to the unchanged form', () => {
    open(stored);
    fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    fireEvent.change(screen.getByLabelText('Rule YAML'), { target: { value: stored.text.replace('Medium', 'High') } });
    fireEvent.click(screen.getByRole('tab', { name: 'Form' }));
    fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    expect(sourceText()).toContain('severity: High');
    expect(sourceText()).toContain('# Owned by the SOC');
  });

  it('falls back to YAML written from the rule when there is no stored document', () => {
    open(null);
    fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    expect(sourceText()).toContain('name: "Rubeus on a device"');
    expect(sourceText()).toContain('columnName: "DeviceName"');
    expect(screen.getByTestId('rule-source-origin').textContent).toContain('no stored document of its own');
    expect(screen.queryByRole('button', { name: /Back to the stored/ })).toBeNull();
  });

  it('names a JSON document JSON, and refuses to save a content rule', () => {
    open({ kind: 'json', text: '{"id":"r1"}' }, { ...rule, origin: 'content' });
    fireEvent.click(screen.getByRole('tab', { name: 'JSON' }));
    expect(sourceText('Rule JSON')).toBe('{"id":"r1"}');
    expect(screen.getByText(/comes from a content file on the server/)).toBeTruthy();
    expect(screen.getByText('View Rubeus on a device')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save' }).disabled).toBe(true);
  });
});
