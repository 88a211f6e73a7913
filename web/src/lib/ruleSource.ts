// The rule editor's source tab: what it shows when opened, and what saving sends. The stored
// source (GET .../detectionRules/{id}/source) is shown as written, comments and field order
// kept; a rule without one gets YAML written from the form, as before sources were stored.
import type { RuleSource } from './rules';
import { toYaml, type RuleDraft } from './ruleYaml';

/** SourceText is what the source tab holds and where it came from. */
export interface SourceText extends RuleSource {
  /** origin: stored is the server's document as it is or as edited here; form is YAML
   * written from the form's fields. */
  origin: 'stored' | 'form';
}

function sameDraft(a: RuleDraft, b: RuleDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** initialSource is what the source tab starts from: the stored document, else the form's YAML. */
export function initialSource(stored: RuleSource | null, draft: RuleDraft): SourceText {
  return stored ? { ...stored, origin: 'stored' } : { text: toYaml(draft), kind: 'yaml', origin: 'form' };
}

/** onSourceTab is what the source tab shows when the user switches to it from the form.
 * While the form is as it was opened, the tab keeps its text (the stored document, with any
 * edits made in the tab). Once the form has changed, the form's fields win: the tab shows
 * YAML written from them, and the stored document's comments and the fields the form does
 * not have are no longer in it (resetSource brings the stored document back). */
export function onSourceTab(current: SourceText, opened: RuleDraft, draft: RuleDraft): SourceText {
  if (sameDraft(opened, draft)) return current;
  return { text: toYaml(draft), kind: 'yaml', origin: 'form' };
}

/** resetSource is the stored document again, throwing away the tab's edits. */
export function resetSource(stored: RuleSource | null, draft: RuleDraft): SourceText {
  return initialSource(stored, draft);
}

/** toSave is the document a save sends: from the form, Sentinel YAML written from its
 * fields; from the source tab, the tab's text in its own format. */
export function toSave(mode: 'form' | 'source', src: SourceText, draft: RuleDraft): RuleSource {
  return mode === 'form' ? { text: toYaml(draft), kind: 'yaml' } : { text: src.text, kind: src.kind };
}

/** formNote says what saving the form does to a rule's stored document; '' when nothing is lost. */
export function formNote(stored: RuleSource | null): string {
  if (!stored) return '';
  if (stored.kind === 'json') {
    return 'Saving the form replaces the rule\'s JSON document with Sentinel YAML written from these fields; edit the JSON tab to keep its format and the fields the form does not show.';
  }
  return 'Saving the form writes the rule\'s YAML anew from these fields: its comments and the fields the form does not show (custom details, alert details, incident grouping) are dropped. Edit the YAML tab to keep them.';
}
