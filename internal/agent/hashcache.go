package agent

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

// fileID names a version of a file: its device and inode, modification time and size.
type fileID struct {
	dev, ino  uint64
	mtimeNano int64
	size      int64
}

// HashCache keeps the SHA-256 of executables by inode and modification time, so a binary
// is hashed once however many processes start from it. It is safe for concurrent use.
type HashCache struct {
	mu sync.Mutex
	m  map[fileID]string
}

// maxHashCache bounds the cache; it is emptied when full.
const maxHashCache = 8192

// Hash returns the SHA-256 of the file at path (a path under /proc/<pid>/exe works for
// a deleted executable too).
func (c *HashCache) Hash(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return HashFile(path)
	}
	id := fileID{uint64(st.Dev), st.Ino, fi.ModTime().UnixNano(), fi.Size()} //nolint:unconvert // Dev's type differs by architecture
	c.mu.Lock()
	h, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err = HashFile(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxHashCache {
		c.m = map[fileID]string{}
	}
	c.m[id] = h
	c.mu.Unlock()
	return h, nil
}
