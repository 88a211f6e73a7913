// Charts for `render` (recharts, loaded with this module only when a chart is shown).
import {
  Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Scatter, ScatterChart,
  Tooltip, XAxis, YAxis,
} from 'recharts';
import { tokens } from '@fluentui/react-components';
import type { ChartKind, Series } from '../lib/render';

const palette = ['#0f6cbd', '#c50f1f', '#13a10e', '#8764b8', '#ca5010', '#038387', '#986f0b', '#e3008c', '#4f6bed', '#616161'];

function shortTime(v: unknown): string {
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toISOString().replace('T', ' ').slice(0, 16);
}

export default function ResultChart({ kind, series }: { kind: ChartKind; series: Series }) {
  const axis = { stroke: tokens.colorNeutralForeground3, fontSize: 11 };
  const x = <XAxis dataKey={series.x} tickFormatter={series.xIsTime ? shortTime : undefined} tick={axis} stroke={tokens.colorNeutralStroke1} minTickGap={24} />;
  const y = <YAxis tick={axis} stroke={tokens.colorNeutralStroke1} />;
  const grid = <CartesianGrid strokeDasharray="3 3" stroke={tokens.colorNeutralStroke2} />;
  const tip = <Tooltip labelFormatter={series.xIsTime ? shortTime : undefined} contentStyle={{ background: tokens.colorNeutralBackground1, border: `1px solid ${tokens.colorNeutralStroke1}` }} />;
  const legend = series.ys.length > 1 ? <Legend /> : null;
  let chart;
  switch (kind) {
    case 'piechart': {
      const y0 = series.ys[0] ?? '';
      chart = (
        <PieChart>
          <Pie data={series.data.map((d, i) => ({ ...d, fill: palette[i % palette.length] }))} dataKey={y0} nameKey={series.x} outerRadius="80%" label isAnimationActive={false} />
          {tip}<Legend />
        </PieChart>
      );
      break;
    }
    case 'columnchart':
    case 'barchart':
      chart = (
        <BarChart data={series.data} layout={kind === 'barchart' ? 'vertical' : 'horizontal'}>
          {grid}
          {kind === 'barchart' ? <XAxis type="number" tick={axis} /> : x}
          {kind === 'barchart' ? <YAxis type="category" dataKey={series.x} tick={axis} width={140} /> : y}
          {tip}{legend}
          {series.ys.map((k, i) => <Bar key={k} dataKey={k} fill={palette[i % palette.length]} isAnimationActive={false} />)}
        </BarChart>
      );
      break;
    case 'scatterchart':
      chart = (
        <ScatterChart>
          {grid}{x}{y}{tip}{legend}
          {series.ys.map((k, i) => <Scatter key={k} name={k} data={series.data} dataKey={k} fill={palette[i % palette.length]} isAnimationActive={false} />)}
        </ScatterChart>
      );
      break;
    case 'areachart':
      chart = (
        <AreaChart data={series.data}>
          {grid}{x}{y}{tip}{legend}
          {series.ys.map((k, i) => <Area key={k} dataKey={k} stroke={palette[i % palette.length]} fill={palette[i % palette.length]} fillOpacity={0.25} isAnimationActive={false} />)}
        </AreaChart>
      );
      break;
    default:
      chart = (
        <LineChart data={series.data}>
          {grid}{x}{y}{tip}{legend}
          {series.ys.map((k, i) => <Line key={k} dataKey={k} stroke={palette[i % palette.length]} dot={series.data.length < 60} strokeWidth={2} isAnimationActive={false} connectNulls />)}
        </LineChart>
      );
  }
  return (
    <div data-testid="result-chart" data-chart={kind} style={{ width: '100%', height: 360, padding: 8, boxSizing: 'border-box' }}>
      <ResponsiveContainer width="100%" height="100%">{chart}</ResponsiveContainer>
    </div>
  );
}
