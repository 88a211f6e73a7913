// Package compat measures how much real-world KQL Vigil understands. It has
// no code of its own, only tests over testdata:
//
//   - testdata/*.kql is a corpus of hunting and detection queries written
//     in the style of the public Defender XDR and Sentinel collections (each
//     query starts with a "// ==== name" line). TestCompileShare compiles
//     every one against the built-in schema, reports the share that
//     compiles grouped by the first diagnostic (REPORT.md, rewritten with
//     -update) and fails only when the share drops below a recorded floor.
//   - TestKustoReference runs the official Kusto parser (tools/kustoref,
//     npm @kusto/language-service-next) over the parser corpus, this corpus
//     and testdata/invalid, and compares accept/reject and the sequence of
//     tabular operators with internal/kql/syntax.
package compat
