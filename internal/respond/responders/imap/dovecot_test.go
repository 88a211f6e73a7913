package imap

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The test mail system's master user; every user's password is "<user>-pw".
const (
	masterUser = "vigil"
	masterPW   = "master-secret"
)

var mailUsers = []string{"alice", "bob", "carol"}

// dovecotConf is a minimal Dovecot: IMAP on 127.0.0.1 without TLS, passwd-file users, a
// master user passdb, maildirs under the test directory, logs to a file.
const dovecotConf = `base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_master_user_separator = *
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
mail_max_userip_connections = 1000
auth_failure_delay = 0
mail_location = maildir:{dir}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  master = yes
  args = scheme=PLAIN {dir}/masters
  pass = yes
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}
userdb {
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = {port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`

// dovecot is the one Dovecot the tests of the package share (each test uses its own
// messages); TestMain stops it.
var dovecot struct {
	once       sync.Once
	addr, skip string
	err        error
	stop       func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dovecot.stop != nil {
		dovecot.stop()
	}
	os.Exit(code)
}

// startDovecot returns the address of the package's Dovecot, started on a free port on
// first use. It skips when Dovecot is not installed, and fails then when CI is set.
func startDovecot(t *testing.T) string {
	t.Helper()
	dovecot.once.Do(func() { dovecot.addr, dovecot.stop, dovecot.skip, dovecot.err = launchDovecot() })
	if dovecot.skip != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(dovecot.skip + "; CI is set, so the mail responder tests must run")
		}
		t.Skip(dovecot.skip)
	}
	if dovecot.err != nil {
		t.Fatal(dovecot.err)
	}
	return dovecot.addr
}

// launchDovecot starts Dovecot and returns its address and how to stop it, or why it
// cannot run here (skip).
func launchDovecot() (addr string, stop func(), skip string, err error) {
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = "/usr/sbin/dovecot"
	}
	if _, err := os.Stat(bin); err != nil {
		return "", nil, "dovecot is not installed (Debian: apt-get install dovecot-imapd)", nil
	}
	u, g, uid, gid, err := mailOwner()
	if err != nil {
		return "", nil, "", err
	}
	dir, err := mailDir(uid, gid)
	if err != nil {
		return "", nil, "", err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	port, err := freePort()
	if err != nil {
		cleanup()
		return "", nil, "", err
	}
	conf := strings.NewReplacer("{dir}", dir, "{port}", strconv.Itoa(port), "{user}", u, "{group}", g,
		"{uid}", uid, "{gid}", gid).Replace(dovecotConf)
	var users strings.Builder
	for _, name := range mailUsers {
		fmt.Fprintf(&users, "%s:{PLAIN}%s-pw\n", name, name)
	}
	files := map[string]string{"dovecot.conf": conf, "users": users.String(), "masters": masterUser + ":{PLAIN}" + masterPW + "\n"}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			cleanup()
			return "", nil, "", err
		}
	}
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cleanup()
		return "", nil, "", fmt.Errorf("start dovecot: %w", err)
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		cleanup()
	}
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitIMAP(addr); err != nil {
		logs, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		stop()
		return "", nil, "", fmt.Errorf("dovecot did not come up at %s: %w\n%s\n%s", addr, err, out.String(), logs)
	}
	return addr, stop, "", nil
}

// mailDir makes a directory the mail processes, which drop root, can write.
func mailDir(uid, gid string) (string, error) {
	dir, err := os.MkdirTemp("", "vigil-dovecot-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	u, _ := strconv.Atoi(uid)
	g, _ := strconv.Atoi(gid)
	for _, sub := range []string{"mail", "home"} {
		p := filepath.Join(dir, sub)
		if err := os.Mkdir(p, 0o755); err != nil {
			return "", err
		}
		if err := os.Chown(p, u, g); err != nil && os.Geteuid() == 0 {
			return "", err
		}
	}
	return dir, nil
}

// mailOwner returns who the mail processes run as: dovecot when the test runs as root
// (Dovecot will not run mail as root), else the current user.
func mailOwner() (name, group, uid, gid string, err error) {
	u, err := user.Current()
	if err != nil {
		return "", "", "", "", err
	}
	if os.Geteuid() == 0 {
		if u, err = user.Lookup("dovecot"); err != nil {
			return "", "", "", "", fmt.Errorf("running as root needs the dovecot user: %w", err)
		}
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return "", "", "", "", err
	}
	return u.Username, g.Name, u.Uid, u.Gid, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitIMAP waits until alice can log in.
func waitIMAP(addr string) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := imapclient.DialInsecure(addr, nil)
		if err == nil {
			err = c.Login("alice", "alice-pw").Wait()
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// userClient logs in as a user with the user's own password, as the user's mail client
// would: what the tests check, they check independently of the responder.
func userClient(t *testing.T, addr, name string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(name, name+"-pw").Wait(); err != nil {
		t.Fatalf("log in as %s: %v", name, err)
	}
	return c
}

// deliver appends a message to a folder of a user's mailbox, creating the folder.
func deliver(t *testing.T, addr, name, folder, msg string) {
	t.Helper()
	c := userClient(t, addr, name)
	defer c.Close()
	if folder != "INBOX" {
		_ = c.Create(folder, nil).Wait()
	}
	raw := strings.ReplaceAll(msg, "\n", "\r\n")
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("append to %s/%s: %v", name, folder, err)
	}
}

// messageIDs returns the Message-IDs in a folder of a user's mailbox.
func messageIDs(t *testing.T, addr, name, folder string) []string {
	t.Helper()
	c := userClient(t, addr, name)
	defer c.Close()
	d, err := c.Select(folder, &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil // no such folder: no messages
	}
	if d.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(goimap.SeqSetNum(seqRange(d.NumMessages)...), &goimap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.Envelope.MessageID)
	}
	return ids
}

func seqRange(n uint32) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i + 1)
	}
	return out
}
