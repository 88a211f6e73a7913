// The Kusto language service (Bridge.NET output) reads the Node.js name `global` when it finds
// itself wrapped as a CommonJS module, which the bundler does: give it the worker's scope.
(globalThis as unknown as { global: typeof globalThis }).global = globalThis;
