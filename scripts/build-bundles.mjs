// Bundles the kboost command, the server (language server --stdio, debug adapter --dap) and the VS Code
// client with esbuild into dist/. `npm run build` runs this.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'info' };

await Promise.all([
  build({ ...common, entryPoints: ['server/src/cli/kboost-main.ts'], outfile: 'dist/kboost.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['server/src/server-main.ts'], outfile: 'dist/kboost-server.js' }),
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
]);
