// Detection rule dialogs: create a rule from a hunting query (form), and edit a rule (form or
// its stored source document, with the API's findings shown at their lines).
import { useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, MessageBar, MessageBarBody,
  MessageBarTitle, Option, Select, Spinner, Tab, TabList, Text, Textarea, tokens,
} from '@fluentui/react-components';
import { Add16Regular, Delete16Regular } from '@fluentui/react-icons';
import { ApiError, errorText } from '../lib/api';
import { createRule, getRuleSource, putSource, type Rule, type RuleSource } from '../lib/rules';
import { formNote, initialSource, onSourceTab, resetSource, toSave } from '../lib/ruleSource';
import { draftError, entityKinds, findingsOf, severities, tacticList, toYaml, type Finding, type RuleDraft } from '../lib/ruleYaml';
import { useAsync } from '../lib/useAsync';
import { ErrorBar } from './common';

function RuleForm({ d, set, columns }: { d: RuleDraft; set: (d: RuleDraft) => void; columns: string[] }) {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <Field label="Name" required><Input aria-label="Rule name" value={d.name} onChange={(_, v) => set({ ...d, name: v.value })} /></Field>
      <Field label="Description"><Textarea value={d.description} onChange={(_, v) => set({ ...d, description: v.value })} /></Field>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <Field label="Severity">
          <Select aria-label="Severity" value={d.severity} onChange={(_, v) => set({ ...d, severity: v.value as RuleDraft['severity'] })}>
            {severities.map((s) => <option key={s}>{s}</option>)}
          </Select>
        </Field>
        <Field label="Runs every" hint="5m, 1h, 1d"><Input aria-label="Frequency" value={d.frequency} style={{ width: 90 }} onChange={(_, v) => set({ ...d, frequency: v.value.trim() })} /></Field>
        <Field label="Looks back" hint="at least the frequency"><Input aria-label="Lookback" value={d.period} style={{ width: 90 }} onChange={(_, v) => set({ ...d, period: v.value.trim() })} /></Field>
        <Field label="Tactics" style={{ minWidth: 220, flex: 1 }}>
          <Dropdown multiselect aria-label="Tactics" selectedOptions={d.tactics} value={d.tactics.join(', ')} placeholder="None"
            onOptionSelect={(_, v) => set({ ...d, tactics: v.selectedOptions })}>
            {tacticList.map((t) => <Option key={t} value={t}>{t}</Option>)}
          </Dropdown>
        </Field>
      </div>
      <Field label="Query"><Textarea value={d.query} rows={5} style={{ fontFamily: tokens.fontFamilyMonospace }} onChange={(_, v) => set({ ...d, query: v.value })} /></Field>
      <Field label="Entity mappings" hint={columns.length ? 'Which result columns name the alert\'s entities.' : 'Run the query to map its result columns, or type column names.'}>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
          {d.entities.map((m, i) => (
            <div key={i} style={{ display: 'flex', gap: 6 }}>
              <Select aria-label={`Entity ${i + 1}`} value={`${m.entityType}/${m.identifier}`} onChange={(_, v) => {
                const [entityType = '', identifier = ''] = v.value.split('/');
                set({ ...d, entities: d.entities.map((x, j) => (j === i ? { ...x, entityType, identifier } : x)) });
              }}>
                {entityKinds.map((k) => <option key={k.label} value={`${k.entityType}/${k.identifier}`}>{k.label}</option>)}
              </Select>
              {columns.length ? (
                <Select aria-label={`Entity ${i + 1} column`} value={m.column} onChange={(_, v) => set({ ...d, entities: d.entities.map((x, j) => (j === i ? { ...x, column: v.value } : x)) })}>
                  <option value="">Column</option>
                  {columns.map((c) => <option key={c}>{c}</option>)}
                </Select>
              ) : (
                <Input aria-label={`Entity ${i + 1} column`} value={m.column} placeholder="Column" onChange={(_, v) => set({ ...d, entities: d.entities.map((x, j) => (j === i ? { ...x, column: v.value } : x)) })} />
              )}
              <Button appearance="subtle" icon={<Delete16Regular />} aria-label={`Remove entity ${i + 1}`} onClick={() => set({ ...d, entities: d.entities.filter((_, j) => j !== i) })} />
            </div>
          ))}
          <Button size="small" icon={<Add16Regular />} style={{ alignSelf: 'flex-start' }}
            onClick={() => set({ ...d, entities: [...d.entities, { entityType: 'Host', identifier: 'HostName', column: '' }] })}>Add mapping</Button>
        </div>
      </Field>
    </div>
  );
}

function Findings({ findings }: { findings: Finding[] }) {
  return (
    <MessageBar intent="error" role="alert" data-testid="rule-findings">
      <MessageBarBody>
        <MessageBarTitle>The rules API refused the rule</MessageBarTitle>
        {findings.map((f, i) => <div key={i} style={{ fontFamily: tokens.fontFamilyMonospace, fontSize: 12 }}>{f.line ? `line ${f.line}:${f.column}: ` : ''}{f.message}</div>)}
      </MessageBarBody>
    </MessageBar>
  );
}

function apiFindings(e: unknown): Finding[] {
  if (e instanceof ApiError && e.code === 'invalidRule') return findingsOf(e.message);
  return [{ line: 0, column: 0, message: errorText(e) }];
}

/** CreateRuleDialog makes a scheduled rule of a hunting query and links to it. */
export function CreateRuleDialog({ initial, columns, onClose }: { initial: RuleDraft; columns: string[]; onClose: () => void }) {
  const [d, setD] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [created, setCreated] = useState<Rule | null>(null);
  const problem = draftError(d);
  const submit = async () => {
    setBusy(true);
    setFindings([]);
    try {
      setCreated(await createRule(d));
    } catch (e) {
      setFindings(apiFindings(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, v) => { if (!v.open) onClose(); }}>
      <DialogSurface style={{ maxWidth: 760 }}>
        <DialogBody>
          <DialogTitle>Create detection rule</DialogTitle>
          <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
            {created ? (
              <MessageBar intent="success" data-testid="rule-created"><MessageBarBody>
                <MessageBarTitle>Rule created</MessageBarTitle>
                <RouterLink to={`/rules?id=${encodeURIComponent(created.id)}`} onClick={onClose}>{created.displayName}</RouterLink> runs every {d.frequency}.
              </MessageBarBody></MessageBar>
            ) : (
              <>
                <RuleForm d={d} set={setD} columns={columns} />
                {findings.length > 0 && <Findings findings={findings} />}
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{created ? 'Close' : 'Cancel'}</Button>
            {!created && <Button appearance="primary" disabled={busy || !!problem} title={problem} onClick={() => void submit()} icon={busy ? <Spinner size="tiny" /> : undefined}>Create</Button>}
          </DialogActions>
          {!created && problem && <span style={{ gridColumn: '1 / -1', color: tokens.colorPaletteDarkOrangeForeground1, fontSize: 12 }}>{problem}</span>}
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** EditRule loads rule's stored source document, then opens the editor on it. */
export function EditRule({ rule, draft, onSaved, onClose }: { rule: Rule; draft: RuleDraft; onSaved: () => void; onClose: () => void }) {
  const src = useAsync((sig) => getRuleSource(rule.id, sig), [rule.id]);
  if (src.loading || src.error) {
    return (
      <Dialog open onOpenChange={(_, v) => { if (!v.open) onClose(); }}>
        <DialogSurface style={{ maxWidth: 820 }}><DialogBody>
          <DialogTitle>Edit {rule.displayName}</DialogTitle>
          <DialogContent>{src.error ? <ErrorBar error={src.error} title="The rule's source document could not be read" /> : <Spinner label="Reading the rule's source" />}</DialogContent>
          <DialogActions><Button onClick={onClose}>Cancel</Button></DialogActions>
        </DialogBody></DialogSurface>
      </Dialog>
    );
  }
  return <EditRuleDialog rule={rule} draft={draft} source={src.data ?? null} onSaved={onSaved} onClose={onClose} />;
}

/** EditRuleDialog changes a rule with a form, or as its source document: the YAML (or JSON)
 * it was created or loaded from, comments and field order kept. A rule without a stored
 * document of its own gets YAML written from the form. */
export function EditRuleDialog({ rule, draft, source, onSaved, onClose }: {
  rule: Rule; draft: RuleDraft; source: RuleSource | null; onSaved: () => void; onClose: () => void;
}) {
  const [mode, setMode] = useState<'form' | 'source'>('form');
  const [d, setD] = useState(draft);
  const [src, setSrc] = useState(() => initialSource(source, draft));
  const [busy, setBusy] = useState(false);
  const [findings, setFindings] = useState<Finding[]>([]);
  const lines = useMemo(() => src.text.split('\n'), [src.text]);
  const bad = new Set(findings.map((f) => f.line));
  const readOnly = rule.origin === 'content';
  const problem = readOnly ? 'Rules from content files cannot be changed here' : mode === 'form' ? draftError(d) : '';
  const label = src.kind === 'json' ? 'JSON' : 'YAML';
  const note = formNote(source);
  const submit = async () => {
    setBusy(true);
    setFindings([]);
    try {
      await putSource(rule.id, toSave(mode, src, d), rule.version);
      onSaved();
    } catch (e) {
      const f = apiFindings(e);
      setFindings(f);
      if (mode === 'form' && f.some((x) => x.line > 0)) {
        // The findings' lines are those of the YAML the form wrote: show that YAML.
        setSrc({ text: toYaml(d), kind: 'yaml', origin: 'form' });
        setMode('source');
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, v) => { if (!v.open) onClose(); }}>
      <DialogSurface style={{ maxWidth: 820 }}>
        <DialogBody>
          <DialogTitle>{readOnly ? 'View' : 'Edit'} {rule.displayName}</DialogTitle>
          <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
            <TabList size="small" selectedValue={mode} onTabSelect={(_, v) => {
              if (v.value === 'source' && mode === 'form') setSrc(onSourceTab(src, draft, d));
              setMode(v.value as 'form' | 'source');
            }}>
              <Tab value="form">Form</Tab>
              <Tab value="source">{label}</Tab>
            </TabList>
            {readOnly && <MessageBar intent="warning"><MessageBarBody>This rule comes from a content file on the server: switch it on or off in the list; to change it, change the file or import a copy under a new id.</MessageBarBody></MessageBar>}
            {mode === 'form' && !readOnly && note && <MessageBar intent="info"><MessageBarBody>{note}</MessageBarBody></MessageBar>}
            {mode === 'source' && (
              <div style={{ display: 'flex', alignItems: 'center', gap: 8 }} data-testid="rule-source-origin">
                <Text size={200} style={{ color: tokens.colorNeutralForeground3 }}>
                  {src.origin === 'stored' ? `The rule's stored ${label} document, as written.`
                    : source ? 'Written from the form: the stored document\'s comments and the fields the form does not show are not in it.'
                      : 'This rule has no stored document of its own: the YAML is written from its fields.'}
                </Text>
                {source && src.origin === 'form' && <Button size="small" onClick={() => setSrc(resetSource(source, d))}>Back to the stored {label}</Button>}
              </div>
            )}
            {mode === 'form' ? <RuleForm d={d} set={setD} columns={[]} /> : (
              <div style={{ display: 'flex', border: `1px solid ${tokens.colorNeutralStroke1}`, borderRadius: 4, maxHeight: 380, overflow: 'auto' }}>
                <pre aria-hidden style={{ margin: 0, padding: '6px 4px', textAlign: 'right', color: tokens.colorNeutralForeground3, fontSize: 12, lineHeight: '18px', userSelect: 'none' }}>
                  {lines.map((_, i) => <div key={i} style={bad.has(i + 1) ? { color: tokens.colorPaletteRedForeground1, fontWeight: 700 } : undefined}>{i + 1}</div>)}
                </pre>
                <textarea aria-label={`Rule ${label}`} value={src.text} onChange={(e) => setSrc({ ...src, text: e.target.value })} spellCheck={false} rows={lines.length + 1}
                  readOnly={readOnly}
                  style={{ flex: 1, border: 'none', resize: 'none', fontFamily: tokens.fontFamilyMonospace, fontSize: 12, lineHeight: '18px', padding: 6, background: 'transparent', color: 'inherit', whiteSpace: 'pre', overflow: 'hidden' }} />
              </div>
            )}
            {findings.length > 0 && <Findings findings={findings} />}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Cancel</Button>
            <Button appearance="primary" disabled={busy || !!problem} title={problem} onClick={() => void submit()}>Save</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
