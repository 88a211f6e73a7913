// Package detecttest checks the simulator's output against the built-in detection rules
// (content/rules) with the scripted detection suite's real store and evaluator: a day of
// benign noise must raise no alert, and the demo attack must raise the alerts its story is
// about. It holds only tests; it is a package of its own so that the simulator's unit tests
// do not link the DuckDB store.
package detecttest
