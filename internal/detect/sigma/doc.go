// Package sigma loads Sigma rules (specification v2), compiles them to matchers over the rows of
// Vigil's schema tables, and runs them as a stream detector.
//
// The phases are separate, as in the KQL compiler: load.go reads rule YAML into a Rule keeping
// line numbers; condition.go parses the condition language into an expression with byte
// positions; modifier.go turns a field's modifiers and values into value tests; mapping.go reads
// the embedded mapping.yaml, which maps a rule's logsource to a table and Sigma field names to
// columns (data, not code), checked against the schema registry; compile.go builds a RuleSet, an
// immutable value holding each table's rules and a literal prefilter (prefilter.go, an
// Aho-Corasick automaton with case folding built in) so that an event only meets the rules whose
// necessary literals it contains; match.go evaluates a rule on a row; correlation.go evaluates
// correlation rules with bounded state; kql.go prints the KQL equivalent of a rule; detector.go
// is the stream.Detector, whose rule set is swapped atomically on reload.
//
// A Detector is safe for concurrent use; a RuleSet is immutable after Compile.
package sigma
