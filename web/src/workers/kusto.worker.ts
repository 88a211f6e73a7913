// The Kusto language service worker, with the `global` name it needs defined first (imports
// run in order).
import './worker-global';
import '@kusto/monaco-kusto/release/esm/kusto.worker';
