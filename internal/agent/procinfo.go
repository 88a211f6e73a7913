package agent

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procInfo is what /proc/<pid>/{cmdline,status} say of a process.
type procInfo struct {
	ppid    int
	uid     int
	cmdline string
	name    string
}

// readProcInfo reads a process's command line, name, parent and real user; fields it
// cannot read stay zero.
func readProcInfo(procDir string, pid int) procInfo {
	var info procInfo
	dir := filepath.Join(procDir, strconv.Itoa(pid))
	if b, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil {
		info.cmdline = strings.TrimSpace(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
	}
	f, err := os.Open(filepath.Join(dir, "status"))
	if err != nil {
		return info
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Name":
			info.name = v
		case "PPid":
			info.ppid, _ = strconv.Atoi(v)
		case "Uid":
			if f := strings.Fields(v); len(f) > 0 {
				info.uid, _ = strconv.Atoi(f[0])
			}
		}
	}
	return info
}
