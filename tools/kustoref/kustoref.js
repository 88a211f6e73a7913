#!/usr/bin/env node
// kustoref runs the official Kusto parser (npm @kusto/language-service-next)
// over KQL queries so Vigil's parser can be checked against it.
//
// Usage:
//   node kustoref.js FILE...        one query per file
//   node kustoref.js < queries.json a JSON array of query strings on stdin
//
// It prints a JSON array with one result per query, in input order:
//   {"name": FILE or index, "ok": true if there are no syntax errors,
//    "errors": [{"message", "start", "length"}], "ops": ["Filter", ...]}
// "ops" lists the tabular operators in pre-order (source order, an
// operator before the operators nested inside it), named by the parser's
// syntax node class without the "Operator" suffix (FilterOperator ->
// "Filter"). Only syntax is checked: no schema, so unknown names are fine.
'use strict';

const fs = require('fs');
require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');

const K = global.Kusto.Language;
const toArray = global.Bridge.toArray;

// opName turns a syntax node into its operator name, or '' for nodes that
// are not tabular operators.
function opName(node) {
  if (!(node instanceof K.Syntax.QueryOperator)) return '';
  const full = node.constructor.$$name || '';
  return full.slice(full.lastIndexOf('.') + 1).replace(/Operator$/, '');
}

// check parses one query and describes its syntax errors and operators.
function check(name, text) {
  const code = K.KustoCode.Parse(text);
  const errors = toArray(code.GetSyntaxDiagnostics())
    .filter((d) => d.Severity === 'Error')
    .map((d) => ({ message: d.Message, start: d.Start, length: d.Length }));
  const ops = [];
  K.Syntax.SyntaxElement.WalkNodes(code.Syntax, (n) => {
    const op = opName(n);
    if (op) ops.push(op);
  });
  return { name, ok: errors.length === 0, errors, ops };
}

function main(argv) {
  let inputs;
  if (argv.length > 0) {
    inputs = argv.map((f) => [f, fs.readFileSync(f, 'utf8')]);
  } else {
    const queries = JSON.parse(fs.readFileSync(0, 'utf8'));
    if (!Array.isArray(queries)) throw new Error('stdin: want a JSON array of strings');
    inputs = queries.map((q, i) => [String(i), String(q)]);
  }
  const out = inputs.map(([name, text]) => check(name, text));
  process.stdout.write(JSON.stringify(out) + '\n');
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`kustoref: ${err.message}\n`);
  process.exit(2);
}
