import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import {
  aliasInsertText, aliasProblem, createBody, csvErrorLine, errorField, guessTypes, inferType, kqlName, lineOf, parseCsv, valueProblem,
  watchlistArgument, watchlistFunction, watchlistQuery, huntingLink,
} from './watchlists';

describe('parseCsv', () => {
  it.each([
    { name: 'plain', csv: 'Hostname,Owner\nsrv-01,alice\nsrv-02,bob\n', header: ['Hostname', 'Owner'], rows: [['srv-01', 'alice'], ['srv-02', 'bob']] },
    { name: 'CRLF and a byte-order mark', csv: '\ufeffA,B\r\n1,2\r\n', header: ['A', 'B'], rows: [['1', '2']] },
    { name: 'no final newline', csv: 'A,B\n1,2', header: ['A', 'B'], rows: [['1', '2']] },
    { name: 'quoted commas, quotes and newlines', csv: 'A,B\n"x, y","say ""hi""\nthere"\n', header: ['A', 'B'], rows: [['x, y', 'say "hi"\nthere']] },
    { name: 'blank lines skipped', csv: 'A\n\n1\n\n2\n', header: ['A'], rows: [['1'], ['2']] },
    { name: 'empty fields kept', csv: 'A,B,C\n,,\n', header: ['A', 'B', 'C'], rows: [['', '', '']] },
    { name: 'header names trimmed', csv: ' A , B\n1,2\n', header: ['A', 'B'], rows: [['1', '2']] },
  ])('reads $name', ({ csv, header, rows }) => {
    const p = parseCsv(csv);
    expect(p.problems).toEqual([]);
    expect(p.header).toEqual(header);
    expect(p.rows).toEqual(rows);
  });

  it.each([
    { name: 'a ragged row, at its line', csv: 'A,B,C\n1,2,3\n4,5\n', problems: [{ line: 3, message: '2 fields, but the header has 3' }] },
    { name: 'a ragged row after a quoted newline', csv: 'A,B\n"x\ny",1\n2\n', problems: [{ line: 4, message: '1 field, but the header has 2' }] },
    { name: 'an empty CSV', csv: '', problems: [{ line: 1, message: 'the CSV is empty: it needs a header row naming the columns' }] },
    { name: 'a bare quote', csv: 'A\nab"c\n', problems: [{ line: 2, message: 'bare " in non-quoted-field' }] },
    { name: 'an unclosed quote', csv: 'A\n"abc\n', problems: [{ line: 2, message: 'extraneous or missing " in quoted-field' }] },
    { name: 'a duplicate column', csv: 'Host,host\n1,2\n', problems: [{ line: 1, message: 'column 2: "host" appears twice (names are compared ignoring case)' }] },
    { name: 'a reserved column', csv: 'SearchKey,B\n1,2\n', problems: [{ line: 1, message: 'column "SearchKey" takes the name of a column _GetWatchlist() adds' }] },
    { name: 'an unnamed column', csv: 'A,,C\n1,2,3\n', problems: [{ line: 1, message: 'column 2 has no name' }] },
  ])('finds $name', ({ csv, problems }) => {
    expect(parseCsv(csv).problems).toEqual(problems);
  });
});

describe('inferType', () => {
  it.each([
    { values: ['1', '-2', '', '300'], want: 'long' },
    { values: ['007', '12'], want: 'long' },
    { values: ['1', '2.5', '1e3'], want: 'real' },
    { values: ['9223372036854775808'], want: 'real' },
    { values: ['2024-01-15T08:00:00Z', '2024-01-15 08:00:00', '2024-01-15', '2024-01-15T08:00:00.5+02:00'], want: 'datetime' },
    { values: ['2024-02-31'], want: 'string' },
    { values: ['true', 'FALSE', ''], want: 'bool' },
    { values: ['1', 'x'], want: 'string' },
    { values: ['', ' '], want: 'string' },
    { values: [], want: 'string' },
  ])('$values is $want', ({ values, want }) => {
    expect(inferType(values)).toBe(want);
  });

  it('guesses each column of a preview', () => {
    expect(guessTypes(parseCsv('Host,Id,Since,Vip\nsrv,7,2024-01-15,true\nws,8,2024-02-01,false\n')))
      .toEqual({ Host: 'string', Id: 'long', Since: 'datetime', Vip: 'bool' });
  });
});

describe('valueProblem', () => {
  it.each([
    { v: '12', t: 'long', bad: false },
    { v: 'twelve', t: 'long', bad: true },
    { v: '', t: 'long', bad: false },
    { v: '1.5', t: 'real', bad: false },
    { v: 'x', t: 'real', bad: true },
    { v: '2024-01-15T08:00:00Z', t: 'datetime', bad: false },
    { v: 'yesterday', t: 'datetime', bad: true },
    { v: 'True', t: 'bool', bad: false },
    { v: 'yes', t: 'bool', bad: true },
    { v: 'anything', t: 'string', bad: false },
  ])('$v as $t', ({ v, t, bad }) => {
    expect(valueProblem(v, t) !== '').toBe(bad);
  });
});

describe('the create form', () => {
  it('sends JSON with the CSV and only the types overridden', () => {
    expect(createBody({ alias: ' VIPs ', name: 'VIP users', description: 'd', searchKey: ' UPN ', csv: 'UPN,Id\na,007\n', source: 'vips.csv', types: { Id: 'string', UPN: '' } }))
      .toEqual({ watchlistAlias: 'VIPs', displayName: 'VIP users', description: 'd', itemsSearchKey: 'UPN', rawContent: 'UPN,Id\na,007\n', contentType: 'text/csv', source: 'vips.csv', columns: [{ name: 'Id', type: 'string' }] });
    expect(createBody({ alias: 'A', name: '', description: '', searchKey: 'k', csv: 'k\n', source: '', types: {} })).not.toHaveProperty('columns');
  });

  it.each([
    { msg: 'CSV: record on line 3: wrong number of fields', status: 400, field: 'csv' },
    { msg: 'the CSV is empty: it needs a header row naming the columns', status: 400, field: 'csv' },
    { msg: 'alias "a b" must be 1 to 64 letters, digits, \'_\', \'.\' or \'-\', starting with a letter or digit: invalid watchlist', status: 400, field: 'alias' },
    { msg: 'alias "VIPs" is in use: conflict', status: 409, field: 'alias' },
    { msg: 'name must be 1 to 200 bytes, not 300: invalid watchlist', status: 400, field: 'name' },
    { msg: 'description is 5000 bytes long; at most 4096: invalid watchlist', status: 400, field: 'description' },
    { msg: 'search key "Host" is not one of the columns: invalid watchlist', status: 400, field: 'searchKey' },
    { msg: 'a type is given for column "X", which the CSV header lacks', status: 400, field: 'types' },
    { msg: 'column "Id": type "number" is not one of string, long, int, real, datetime, bool, timespan, guid, dynamic, decimal: invalid watchlist', status: 400, field: 'types' },
    { msg: 'column 2: "host" appears twice (names are compared ignoring case): invalid watchlist', status: 400, field: 'csv' },
    { msg: 'column "SearchKey": the name is taken by a column _GetWatchlist() adds: invalid watchlist', status: 400, field: 'csv' },
    { msg: 'record watchlist x items: boom', status: 500, field: 'form' },
  ])('puts "$msg" at $field', ({ msg, status, field }) => {
    expect(errorField(new ApiError(status, 'e', msg))).toBe(field);
  });

  it('finds the line a CSV error names', () => {
    expect(csvErrorLine('CSV: record on line 3: wrong number of fields')).toBe(3);
    expect(csvErrorLine('CSV: parse error on line 2, column 5: bare " in non-quoted-field')).toBe(2);
    expect(csvErrorLine('the CSV is empty')).toBe(0);
    expect(lineOf('\ufeffA,B\r\n1,2\r\n3\r\n', 3)).toBe('3');
  });

  it.each([
    { alias: 'VIPUsers', ok: true },
    { alias: 'high-value.assets_2', ok: true },
    { alias: '', ok: false },
    { alias: '-x', ok: false },
    { alias: 'a b', ok: false },
    { alias: 'x'.repeat(65), ok: false },
  ])('alias $alias', ({ alias, ok }) => {
    expect(aliasProblem(alias) === '').toBe(ok);
  });
});

describe('the hunting editor', () => {
  it('writes the query and the link', () => {
    expect(watchlistQuery('VIPUsers')).toBe("_GetWatchlist('VIPUsers')");
    expect(huntingLink('a.b')).toBe(`/hunting?q=${encodeURIComponent("_GetWatchlist('a.b')")}`);
  });

  it.each([
    { before: "_GetWatchlist('", want: { quote: "'", typed: '' } },
    { before: 'let v = _GetWatchlist( "VI', want: { quote: '"', typed: 'VI' } },
    { before: "_GetWatchlist('VIP') | where", want: null },
    { before: "GetWatchlist('", want: null },
    { before: "_GetWatchlist('a b", want: null },
  ])('completes inside $before', ({ before, want }) => {
    expect(watchlistArgument(before)).toEqual(want);
  });

  it.each([
    { after: "')", want: 'VIP' },
    { after: '', want: "VIP')" },
    { after: ') | take 1', want: "VIP'" },
  ])('inserts before $after', ({ after, want }) => {
    expect(aliasInsertText('VIP', "'", after)).toBe(want);
  });

  it('models _GetWatchlist with every watchlist column', () => {
    const f = watchlistFunction([
      { watchlistAlias: 'A', displayName: 'A', description: '', provider: '', source: '', itemsSearchKey: 'Host', itemCount: 1, columns: [{ name: 'Host', type: 'string' }, { name: 'Id', type: 'long' }] },
      { watchlistAlias: 'B', displayName: 'B', description: '', provider: '', source: '', itemsSearchKey: 'Id', itemCount: 1, columns: [{ name: 'Id', type: 'string' }, { name: 'First seen', type: 'datetime' }] },
    ]);
    expect(f.name).toBe('_GetWatchlist');
    expect(f.body).toBe("{ datatable(_DTItemId:string, LastUpdatedTimeUTC:datetime, SearchKey:string, WatchlistItem:dynamic, Host:string, Id:dynamic, ['First seen']:datetime)[] }");
    expect(f.docstring).toContain('Watchlists: A, B.');
    expect(kqlName("it's")).toBe("['it\\'s']");
  });
});
