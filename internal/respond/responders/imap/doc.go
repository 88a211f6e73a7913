// Package imap is the mail responder. It soft-deletes a message (moves the message with a
// given Internet Message-ID from a mailbox to a quarantine folder of the same mailbox, as
// Defender's "move to deleted items / soft delete"), restores it, and removes on sight
// across the mail system: purgeAttachment quarantines, in every configured mailbox, each
// message carrying an attachment with a given SHA-256. It reaches any mailbox through a
// Dovecot master user (LOGIN user*master) or SASL PLAIN proxy authorization (an admin
// authenticating for the user), and reports every message it moved so that the undo
// (restoreEmail) puts each back where it was.
package imap
