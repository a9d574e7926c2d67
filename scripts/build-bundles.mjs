// Bundles the kboost command (and, as they arrive, the server and the VS Code client) with esbuild.
// Output goes to dist/; `npm run build` runs this.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'info' };

await build({
  ...common,
  entryPoints: ['server/src/cli/kboost-main.ts'],
  outfile: 'dist/kboost.js',
  banner: { js: '#!/usr/bin/env node' },
});
