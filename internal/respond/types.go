package respond

import "fmt"

// typeInfo is what the Action Center knows of an action type.
type typeInfo struct {
	// key returns the target field the type acts on; it must not be empty.
	key func(Target) string
	// field names that target field, for errors.
	field string
	// undo is the type that reverses this one; empty when it cannot be undone.
	undo Type
}

func device(t Target) string    { return t.Device }
func account(t Target) string   { return t.Account }
func fileHash(t Target) string  { return t.FileHash }
func indicator(t Target) string { return t.Indicator }
func message(t Target) string   { return t.MessageID }

// messageOrFile is what restoreEmail acts on: the message of a softDeleteEmail or the
// attachment hash of a purgeAttachment it undoes.
func messageOrFile(t Target) string {
	if t.MessageID != "" {
		return t.MessageID
	}
	return t.FileHash
}

// types is the table of action types.
var types = map[Type]typeInfo{
	IsolateDevice:               {key: device, field: "device", undo: ReleaseIsolation},
	ReleaseIsolation:            {key: device, field: "device"},
	StopAndQuarantineFile:       {key: fileHash, field: "fileSha256", undo: RestoreFile},
	RestoreFile:                 {key: fileHash, field: "fileSha256"},
	DisableAccount:              {key: account, field: "account", undo: EnableAccount},
	EnableAccount:               {key: account, field: "account"},
	ResetPassword:               {key: account, field: "account"},
	CollectInvestigationPackage: {key: device, field: "device"},
	BlockIndicator:              {key: indicator, field: "indicator", undo: UnblockIndicator},
	UnblockIndicator:            {key: indicator, field: "indicator"},
	RunScript:                   {key: device, field: "device"},
	SoftDeleteEmail:             {key: message, field: "messageId", undo: RestoreEmail},
	RestoreEmail:                {key: messageOrFile, field: "messageId or target.fileSha256"},
	PurgeAttachment:             {key: fileHash, field: "fileSha256", undo: RestoreEmail},
}

// fleetWide are the types that act on every device of the tenant when the target names no
// device (an indicator blocked fleet-wide): an actor scoped to device groups may not request
// them so, as they reach devices outside its groups.
var fleetWide = map[Type]bool{BlockIndicator: true, UnblockIndicator: true}

// Types returns the known action types.
func Types() []Type {
	out := make([]Type, 0, len(types))
	for t := range types {
		out = append(out, t)
	}
	return out
}

// TargetKey returns the value of the target field t acts on: the device, account, file
// hash, indicator or message id.
func TargetKey(t Type, target Target) string {
	if info, ok := types[t]; ok {
		return info.key(target)
	}
	return ""
}

// validate checks that r names a known type and the target field it needs.
func (r Request) validate() error {
	info, ok := types[r.Type]
	switch {
	case !ok:
		return &InvalidError{fmt.Errorf("unknown action type %q", r.Type)}
	case info.key(r.Target) == "":
		return &InvalidError{fmt.Errorf("action %s needs target.%s", r.Type, info.field)}
	case r.Type == RunScript && r.Parameters["script"] == nil:
		return &InvalidError{fmt.Errorf("action %s needs parameters.script", r.Type)}
	}
	return nil
}
