import { describe, expect, it } from 'vitest';
import { renderOf, seriesOf } from './render';

describe('renderOf', () => {
  it.each([
    ['T | take 1', 'table'],
    ['T | summarize count() by bin(Timestamp, 1h) | render timechart', 'timechart'],
    ['T\n| render piechart with (title="x")', 'piechart'],
    ['T | render columnchart // | render piechart', 'columnchart'],
    ['T | render unknownchart', 'table'],
  ])('%s -> %s', (q, want) => expect(renderOf(q)).toBe(want));
});

describe('seriesOf', () => {
  it('pivots one series per string value on a time axis', () => {
    const r = {
      schema: [{ Name: 'Timestamp', Type: 'datetime' }, { Name: 'DeviceName', Type: 'string' }, { Name: 'count_', Type: 'long' }],
      results: [
        { Timestamp: '2024-01-01T01:00:00Z', DeviceName: 'a', count_: 2 },
        { Timestamp: '2024-01-01T00:00:00Z', DeviceName: 'b', count_: 1 },
        { Timestamp: '2024-01-01T01:00:00Z', DeviceName: 'b', count_: 3 },
      ],
    };
    const s = seriesOf(r, 'timechart');
    expect(s?.ys).toEqual(['a', 'b']);
    expect(s?.data).toEqual([{ Timestamp: '2024-01-01T00:00:00Z', b: 1 }, { Timestamp: '2024-01-01T01:00:00Z', a: 2, b: 3 }]);
  });
  it('needs a number', () => {
    expect(seriesOf({ schema: [{ Name: 'a', Type: 'string' }], results: [] }, 'piechart')).toBeNull();
  });
});
