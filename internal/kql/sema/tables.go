package sema

import "sync"

func onceTable[T any](build func() T) func() T { return sync.OnceValue(build) }
