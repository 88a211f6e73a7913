// Package syntax is the front end of Vigil's KQL (Kusto Query Language)
// compiler: a lexer, a recursive-descent parser, the abstract syntax tree it
// builds, a canonical printer and the diagnostics shared by every later phase.
//
// The package imports only the standard library so that tools (the CLI
// checker, the portal's language service tests) can use it alone.
//
// # Overview
//
// [Lex] splits a query into [Token] values; keywords are contextual, so every
// word is an identifier token and the parser decides what it means from its
// position ("where" may be a column name). [Parse] builds a [Script] of
// statements (let, set, query). Every node carries the byte [Span] it was
// parsed from, and [Format] prints any node back as canonical KQL that parses
// to the same tree.
//
// Tabular operators are dispatched through a table from operator name to parse
// function (see op_table.go); each operator family has its own file
// (op_project.go, op_summarize.go, op_join.go, ...).
//
// # Diagnostics
//
// The parser never stops at the first error: it reports a [Diagnostic] and
// resynchronizes at the next '|' or ';' (or at the closing bracket of the
// enclosing group), so one run reports every independent mistake. Messages
// are lowercase and say what was expected. [Render] turns a diagnostic into
// the "line:col: message" form with the source line and a caret line.
//
// Nesting is limited to [MaxDepth] levels so hostile input cannot exhaust the
// stack; deeper input produces a diagnostic instead of a crash.
package syntax
