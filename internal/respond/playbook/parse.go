package playbook

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// namePattern is what playbook names and step ids look like: they appear in URLs and in
// expressions (steps.<id>).
var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)
var stepIDPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

var (
	playbookFields = []string{"name", "description", "version", "trigger", "inputs", "steps"}
	inputFields    = []string{"name", "description", "default", "required"}
	stepFields     = []string{"id", "name", "if", "foreach", "action", "with", "retry", "continueOnError"}
	retryFields    = []string{"count", "backoff"}
)

// entityKinds are the lists foreach may name directly (sugar for entities.<kind>).
var entityKinds = []string{"accounts", "devices", "ips", "files", "mailboxes", "urls"}

// Parse reads and validates a playbook; file names it in diagnostics. The error is
// Diagnostics listing every problem found with its line, column and reason.
func Parse(file string, src []byte) (*Playbook, error) {
	root, err := ParseDocument(file, src)
	if err != nil {
		return nil, err
	}
	d := &Checker{File: file}
	p := &Playbook{Source: src}
	var stepsNode *yaml.Node
	d.Fields(root, "playbook", playbookFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "name":
			p.Name = d.Str(v, "name")
			if p.Name != "" && !namePattern.MatchString(p.Name) {
				d.At(v, "name %q: use letters, digits, - and _ (up to 64), starting with a letter", p.Name)
			}
		case "description":
			p.Description = d.Str(v, "description")
		case "version":
			p.DeclaredVersion = d.Str(v, "version")
		case "trigger":
			p.Trigger = d.Strs(v, "trigger")
			for _, t := range p.Trigger {
				if !slices.Contains(triggers, t) {
					d.At(v, "unknown trigger %q (known: %s)", t, strings.Join(triggers, ", "))
				}
			}
		case "inputs":
			p.Inputs = d.inputs(v)
		case "steps":
			stepsNode = v
		}
	})
	if root.Kind == yaml.MappingNode {
		if p.Name == "" {
			d.At(root, "name is required")
		}
		if len(p.Trigger) == 0 {
			p.Trigger = []string{TriggerManual, TriggerAutomationRule}
		}
		if stepsNode == nil {
			d.At(root, "steps is required")
		} else {
			p.Steps = d.steps(stepsNode)
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (d *Checker) inputs(n *yaml.Node) []Input {
	var out []Input
	for _, c := range d.List(n, "inputs", false) {
		var in Input
		d.Fields(c, "input", inputFields, func(key string, _, v *yaml.Node) {
			switch key {
			case "name":
				in.Name = d.Str(v, "input name")
			case "description":
				in.Description = d.Str(v, "description")
			case "default":
				if err := v.Decode(&in.Default); err != nil {
					d.At(v, "default: %s", yamlReason(err))
				}
			case "required":
				d.Decode(v, "required", &in.Required)
			}
		})
		if in.Name == "" && c.Kind == yaml.MappingNode {
			d.At(c, "input name is required")
		}
		out = append(out, in)
	}
	return out
}

func (d *Checker) steps(n *yaml.Node) []Step {
	var out []Step
	var ids []string
	for _, c := range d.List(n, "steps", true) {
		s := d.step(c, ids)
		if s.ID != "" {
			if slices.Contains(ids, s.ID) {
				d.At(c, "step id %q is used twice", s.ID)
			}
			ids = append(ids, s.ID)
		}
		out = append(out, s)
	}
	return out
}

// step reads one step; before are the ids of the steps before it.
func (d *Checker) step(n *yaml.Node, before []string) Step {
	s := Step{Line: n.Line, Column: n.Column}
	nodes := map[string]*yaml.Node{}
	d.Fields(n, "step", stepFields, func(key string, _, v *yaml.Node) { nodes[key] = v })
	if n.Kind != yaml.MappingNode {
		return s
	}
	if v := nodes["id"]; v == nil {
		d.At(n, "step id is required")
	} else if s.ID = d.Str(v, "id"); s.ID != "" && !stepIDPattern.MatchString(s.ID) {
		d.At(v, "step id %q: use letters, digits and _ (it is referred to as steps.%s)", s.ID, s.ID)
	}
	if v := nodes["name"]; v != nil {
		s.Name = d.Str(v, "name")
	}
	sc := scope{steps: before, item: nodes["foreach"] != nil}
	if v := nodes["foreach"]; v != nil {
		src := d.Str(v, "foreach")
		if slices.Contains(entityKinds, src) {
			src = "entities." + src
		} else if inner, ok := strings.CutPrefix(strings.TrimSpace(src), "${{"); ok {
			src = strings.TrimSuffix(strings.TrimSpace(inner), "}}")
		}
		if src != "" {
			s.Foreach = d.compile(v, 0, src, scope{steps: before}, false)
		}
	}
	if v := nodes["if"]; v != nil {
		src := d.Str(v, "if")
		if inner, ok := strings.CutPrefix(strings.TrimSpace(src), "${{"); ok {
			src = strings.TrimSuffix(strings.TrimSpace(inner), "}}")
		}
		s.If = d.compile(v, 0, src, sc, true)
	}
	if v := nodes["continueOnError"]; v != nil {
		d.Decode(v, "continueOnError", &s.ContinueOnError)
	}
	if v := nodes["retry"]; v != nil {
		s.Retry = d.retry(v)
	}
	d.action(&s, n, nodes, sc)
	return s
}

func (d *Checker) retry(n *yaml.Node) Retry {
	var r Retry
	d.Fields(n, "retry", retryFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "count":
			d.Decode(v, "count", &r.Count)
			if r.Count < 0 || r.Count > maxRetryCount {
				d.At(v, "retry count must be 0 to %d", maxRetryCount)
			}
		case "backoff":
			var s string
			d.Decode(v, "backoff", &s)
			b, err := time.ParseDuration(s)
			if err != nil || b < 0 {
				d.At(v, "backoff %q: want a duration such as 2s or 1m", s)
			}
			r.Backoff = b
		}
	})
	return r
}

// action reads the step's action and its arguments against the action table.
func (d *Checker) action(s *Step, n *yaml.Node, nodes map[string]*yaml.Node, sc scope) {
	v := nodes["action"]
	if v == nil {
		d.At(n, "step %s: action is required", s.ID)
		return
	}
	s.Action = d.Str(v, "action")
	spec, ok := specs()[s.Action]
	if !ok {
		d.At(v, "unknown action %q (known: %s)", s.Action, strings.Join(ActionNames(), ", "))
		return
	}
	s.With = map[string]value{}
	if w := nodes["with"]; w != nil {
		d.Fields(w, "with of action "+s.Action, spec.params, func(key string, _, x *yaml.Node) {
			s.With[key] = d.compileValue(x, sc)
			if check := spec.checks[key]; check != nil && x.Kind == yaml.ScalarNode && !strings.Contains(x.Value, "${{") {
				if err := check(x.Value); err != nil {
					d.At(x, "%s: %v", key, err)
				}
			}
		})
	}
	for _, req := range spec.required {
		if _, ok := s.With[req]; !ok {
			d.At(v, "action %s needs with.%s", s.Action, req)
		}
	}
	if s.Action == actWaitForApproval && s.Foreach != nil {
		d.At(nodes["foreach"], "waitForApproval cannot run for each item")
	}
}

// checkDuration checks a literal duration argument.
func checkDuration(s string) error {
	if b, err := time.ParseDuration(s); err != nil || b <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 30m or 4h", s)
	}
	return nil
}
