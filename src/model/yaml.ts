/**
 * The `yaml` package, loaded on first use so that importing dralloc does not pay for it. Its
 * Node build is CommonJS, so it is required synchronously: callers (loadText, lint, the CLI's
 * output) stay synchronous, and `import 'yaml'` elsewhere would get the same instance.
 */

import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

export function yaml(): Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as Yaml);
}
