// Entry of the one server bundle: `--stdio` runs the language server over stdin/stdout (the debug
// adapter's `--dap` mode will live here too).

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from './lsp/language-server';

function main(argv: string[]): number {
  if (argv.includes('--stdio')) {
    startLanguageServer(createConnection(ProposedFeatures.all, process.stdin, process.stdout));
    return 0;
  }
  process.stderr.write('usage: kboost-server --stdio   (language server over stdin/stdout)\n');
  return 2;
}

if (require.main === module) {
  const code = main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
}
