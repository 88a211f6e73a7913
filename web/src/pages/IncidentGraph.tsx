// The incident graph: the incident, its alerts and their entities (cytoscape.js, loaded with
// this module only when the Graph tab opens). Clicking an entity expands its identifiers.
import { useEffect, useRef, useState } from 'react';
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { Button, Text, tokens } from '@fluentui/react-components';
import { Link as RouterLink } from 'react-router-dom';
import { collectEntities, type EntityRef } from '../lib/entities';
import type { Incident } from '../lib/types';
import { huntQueryFor } from './huntLinks';

const colors = {
  incident: '#c50f1f', alert: '#bc4b09', host: '#0f6cbd', account: '#8764b8', ip: '#0b6a0b', process: '#986f0b', other: '#616161', ident: '#8a8886',
};

function kindColor(t: string): string {
  return (colors as Record<string, string>)[t.toLowerCase()] ?? colors.other;
}

export function buildElements(inc: Incident, entities: EntityRef[]): ElementDefinition[] {
  const els: ElementDefinition[] = [{ data: { id: 'incident', label: `#${inc.id} ${inc.displayName}`, kind: 'incident', color: colors.incident } }];
  for (const a of inc.alerts ?? []) {
    els.push({ data: { id: `alert:${a.id}`, label: a.title, kind: 'alert', color: colors.alert } });
    els.push({ data: { id: `e:incident:${a.id}`, source: 'incident', target: `alert:${a.id}` } });
  }
  for (const e of entities) {
    els.push({ data: { id: `ent:${e.key}`, label: `${e.entity.type}: ${e.label}`, kind: 'entity', key: e.key, color: kindColor(e.entity.type) } });
    for (const a of e.alerts) els.push({ data: { id: `e:${a}:${e.key}`, source: `alert:${a}`, target: `ent:${e.key}` } });
  }
  return els;
}

export default function IncidentGraph({ incident, dark }: { incident: Incident; dark: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const [sel, setSel] = useState<EntityRef | null>(null);
  const entities = collectEntities(incident.alerts ?? []);

  useEffect(() => {
    if (!box.current) return;
    const refs = collectEntities(incident.alerts ?? []);
    const c = cytoscape({
      container: box.current,
      elements: buildElements(incident, refs),
      style: [
        { selector: 'node', style: {
          'background-color': 'data(color)', label: 'data(label)', color: dark ? '#f0f0f0' : '#242424', 'font-size': 11,
          'text-valign': 'bottom', 'text-margin-y': 4, 'text-wrap': 'ellipsis', 'text-max-width': '160px', width: 28, height: 28,
        } },
        { selector: 'node[kind = "incident"]', style: { width: 40, height: 40, shape: 'round-diamond' } },
        { selector: 'node[kind = "alert"]', style: { shape: 'round-triangle' } },
        { selector: 'node[kind = "ident"]', style: { width: 14, height: 14, 'font-size': 9, shape: 'round-rectangle' } },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#479ef5' } },
        { selector: 'edge', style: { width: 1.5, 'line-color': dark ? '#666' : '#bbb', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'target-arrow-color': dark ? '#666' : '#bbb' } },
      ],
      layout: { name: 'breadthfirst', directed: true, roots: ['incident'], spacingFactor: 1.2, padding: 24 },
      wheelSensitivity: 0.3,
    });
    c.on('tap', 'node[kind = "entity"]', (ev) => {
      const n = ev.target as cytoscape.NodeSingular;
      const key = String(n.data('key'));
      const ref = refs.find((r) => r.key === key) ?? null;
      setSel(ref);
      const expanded = c.nodes(`[parentKey = "${CSS.escape(key)}"]`);
      if (expanded.length) {
        expanded.remove();
        return;
      }
      if (!ref) return;
      const add: ElementDefinition[] = [];
      Object.entries(ref.entity.identifiers).forEach(([k, v], i) => {
        const id = `ident:${key}:${i}`;
        add.push({ data: { id, label: `${k}: ${v}`, kind: 'ident', parentKey: key, color: colors.ident } });
        add.push({ data: { id: `e:${id}`, source: `ent:${key}`, target: id } });
      });
      c.add(add);
      c.layout({ name: 'breadthfirst', directed: true, roots: ['incident'], spacingFactor: 1.1, padding: 24, animate: false }).run();
    });
    c.on('tap', (ev) => { if (ev.target === c) setSel(null); });
    cy.current = c;
    return () => { c.destroy(); cy.current = null; };
  }, [incident, dark]);

  const hunt = sel ? huntQueryFor(sel.entity) : null;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '1fr 280px', gap: 12, minHeight: 480 }}>
      <div ref={box} data-testid="incident-graph" aria-label="Incident graph: the incident, its alerts and their entities"
        style={{ minHeight: 480, border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: 4, backgroundColor: tokens.colorNeutralBackground1 }} />
      <aside>
        <Text weight="semibold" block>{sel ? `${sel.entity.type}: ${sel.label}` : 'Select an entity'}</Text>
        {sel ? (
          <>
            <dl style={{ fontSize: 12 }}>
              {Object.entries(sel.entity.identifiers).map(([k, v]) => (<div key={k}><dt style={{ fontWeight: 600 }}>{k}</dt><dd style={{ margin: '0 0 6px', wordBreak: 'break-all' }}>{v}</dd></div>))}
            </dl>
            <Text size={200} block>In {sel.alerts.length} alert(s).</Text>
            {hunt && <RouterLink to={`/hunting?q=${encodeURIComponent(hunt)}`}>Hunt for this entity</RouterLink>}
          </>
        ) : (
          <Text size={200} block>
            {entities.length} entities in {incident.alerts?.length ?? 0} alerts. Click an entity to expand its identifiers; click again to fold them.
          </Text>
        )}
        <Button size="small" style={{ marginTop: 12 }} onClick={() => cy.current?.fit(undefined, 24)}>Fit to view</Button>
      </aside>
    </div>
  );
}
