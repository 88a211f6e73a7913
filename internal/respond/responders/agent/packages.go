package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// PackageBucket is the JetStream object store bucket investigation packages are kept in.
const PackageBucket = "VIGIL_PACKAGES"

// ObjectPackages keeps investigation packages in the JetStream object store, as
// <tenant>/<action id>.tar.gz.
type ObjectPackages struct {
	store jetstream.ObjectStore
}

// NewObjectPackages creates (or opens) the package bucket.
func NewObjectPackages(ctx context.Context, nc *nats.Conn) (*ObjectPackages, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	os, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: PackageBucket,
		Description: "investigation packages collected by endpoint agents", Storage: jetstream.FileStorage})
	if err != nil {
		return nil, fmt.Errorf("package bucket: %w", err)
	}
	return &ObjectPackages{store: os}, nil
}

func packageName(tenant, actionID string) string { return tenant + "/" + actionID + ".tar.gz" }

// PutPackage implements PackageStore.
func (p *ObjectPackages) PutPackage(ctx context.Context, tenant, actionID string, data []byte) (map[string]any, error) {
	name := packageName(tenant, actionID)
	if _, err := p.store.PutBytes(ctx, name, data); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return map[string]any{"bucket": PackageBucket, "name": name, "size": len(data), "sha256": hex.EncodeToString(sum[:]),
		"download": "/api/v1/agents/packages/" + actionID}, nil
}

// ErrNoPackage is returned when an action has no package.
var ErrNoPackage = errors.New("no investigation package for this action")

// Package returns the package of tenant's action actionID.
func (p *ObjectPackages) Package(ctx context.Context, tenant, actionID string) (io.ReadCloser, error) {
	r, err := p.store.Get(ctx, packageName(tenant, actionID))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, ErrNoPackage
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}
