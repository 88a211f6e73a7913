package agent

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxCollectFile bounds what the investigation package takes of one file.
const maxCollectFile = 4 << 20

// maxLogLines is how many of the last lines of each log the package keeps.
const maxLogLines = 2000

// collectSource is one part of the investigation package: a name in the archive and the
// function that makes its content.
type collectSource struct {
	name string
	make func(d *Device) ([]byte, error)
}

// collectSources is what an investigation package holds.
var collectSources = []collectSource{
	{"processes.tsv", (*Device).processTable},
	{"network/tcp", fileSource("net/tcp")},
	{"network/tcp6", fileSource("net/tcp6")},
	{"network/udp", fileSource("net/udp")},
	{"network/udp6", fileSource("net/udp6")},
	{"network/unix", fileSource("net/unix")},
	{"packages/dpkg-status", plainFile("/var/lib/dpkg/status")},
}

// autorunGlobs are the places programs start from on their own.
var autorunGlobs = []string{
	"/etc/systemd/system/*.service", "/etc/systemd/system/*.timer", "/etc/systemd/system/*/*.service",
	"/lib/systemd/system/*.service", "/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*",
	"/etc/rc.local", "/root/.bashrc", "/root/.profile", "/home/*/.bashrc", "/home/*/.profile",
	"/etc/ld.so.preload", "/etc/profile.d/*",
}

// logGlobs are the logs whose last lines the package keeps.
var logGlobs = []string{"/var/log/auth.log", "/var/log/secure", "/var/log/syslog", "/var/log/messages"}

func fileSource(rel string) func(d *Device) ([]byte, error) {
	return func(d *Device) ([]byte, error) { return readLimited(filepath.Join(d.procDir(), rel)) }
}

func plainFile(path string) func(d *Device) ([]byte, error) {
	return func(*Device) ([]byte, error) { return readLimited(path) }
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxCollectFile))
}

// processTable lists the processes: pid, parent, name, executable and command line.
func (d *Device) processTable() ([]byte, error) {
	procs, err := Processes(d.procDir())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("pid\tppid\tname\texe\tcmdline\n")
	for _, p := range procs {
		info := readProcInfo(d.procDir(), p.PID)
		fmt.Fprintf(&b, "%d\t%d\t%s\t%s\t%s\n", p.PID, info.ppid, p.Name, p.Exe, info.cmdline)
	}
	return b.Bytes(), nil
}

// tailLines returns the last n lines of the file at path.
func tailLines(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxCollectFile {
		if _, err := f.Seek(fi.Size()-maxCollectFile, io.SeekStart); err != nil {
			return nil, err
		}
	}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 2*n {
			lines = append(lines[:0], lines[len(lines)-n:]...)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return []byte(strings.Join(lines, "\n") + "\n"), sc.Err()
}

// CollectPackage builds the investigation package: a tar.gz of the process list, network
// connections, autoruns, the last lines of the auth and system logs and the installed
// packages, with a manifest.json saying what was taken and what could not be read.
func (d *Device) CollectPackage(ctx context.Context) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	now := time.Now().UTC()
	manifest := map[string]any{"collectedAt": now}
	var files []string
	problems := map[string]string{}
	add := func(name string, data []byte, err error) error {
		if err != nil {
			problems[name] = err.Error()
			return nil
		}
		files = append(files, name)
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: now, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	}
	for _, s := range collectSources {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		data, err := s.make(d)
		if err := add(s.name, data, err); err != nil {
			return nil, fmt.Errorf("investigation package: %w", err)
		}
	}
	for _, group := range []struct {
		dir   string
		globs []string
		tail  bool
	}{{"autoruns", autorunGlobs, false}, {"logs", logGlobs, true}} {
		for _, g := range group.globs {
			matches, _ := filepath.Glob(g)
			for _, m := range matches {
				data, err := readLimited(m)
				if group.tail {
					data, err = tailLines(m, maxLogLines)
				}
				if err := add(group.dir+m, data, err); err != nil {
					return nil, fmt.Errorf("investigation package: %w", err)
				}
			}
		}
	}
	manifest["files"], manifest["unreadable"] = files, problems
	mb, _ := json.MarshalIndent(manifest, "", "  ")
	if err := add("manifest.json", mb, nil); err != nil {
		return nil, fmt.Errorf("investigation package: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("investigation package: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("investigation package: %w", err)
	}
	return buf.Bytes(), nil
}
