// Package playbook runs declarative playbooks: YAML workflows of steps that act on an
// incident or alert through the Action Center (every response action, requested as the
// playbook so that the tenant's automation level applies), HTTP webhooks, SMTP mail,
// incident comments, tags and severity, and approval gates.
//
// A playbook is parsed and validated whole before it is saved or run (Parse): unknown
// fields, unknown actions, bad expressions and references to steps not run before are
// errors carrying file:line:col and a reason. Expressions (step conditions and ${{ }}
// templates) are github.com/expr-lang/expr programs over the run's environment: incident,
// alert, entities, inputs, steps (earlier steps' status and output), item (the foreach
// element) and run.
//
// The Runner keeps every run in the state store with each step's status, output, attempts
// and error, so that runs survive a restart: a run waiting for approval goes on waiting, and
// a step that was running when the process stopped is retried when its retry policy allows
// it, or failed with "interrupted by restart".
//
// docs/automation.md is the reference for the file format and the expression language.
package playbook
