// dralloc is an ES module. This file answers `require('dralloc')` (the "require" condition of
// package.json "exports") with a clear message instead of ERR_PACKAGE_PATH_NOT_EXPORTED.
throw new Error(
  "dralloc is an ES module and cannot be loaded with require() on Node 20. Use `import { Engine } from 'dralloc'` " +
    "in an ES module (\"type\": \"module\" or a .mjs file), or `const { Engine } = await import('dralloc')` from CommonJS.",
);
