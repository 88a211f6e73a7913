// edcore.main is Monaco's editor with every editor contribution and no bundled language:
// the same API as editor.api.
declare module 'monaco-editor/esm/vs/editor/edcore.main' {
  export * from 'monaco-editor/esm/vs/editor/editor.api';
}
