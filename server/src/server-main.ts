// Entry of the one server bundle: `--stdio` runs the language server over stdin/stdout, `--dap`
// the debug adapter (DAP over stdin/stdout, server/src/dap).

import { KboostDebugSession } from './dap/kboost-debug-session';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startLanguageServer } from './lsp/language-server';
import { preparedJsonContentEncoder } from './lsp/prepared-json-content-encoder';

function main(argv: string[]): number {
  if (argv.includes('--stdio')) {
    // Our own writer, so that prepared diagnostics JSON is written without JSON.stringify.
    const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: preparedJsonContentEncoder });
    const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), writer);
    const lifecycle = startLanguageServer(connection);
    // As createConnection does for streams: the client went away, so does the server (exit code 0
    // only after a shutdown request, as the protocol says of the exit notification).
    const exit = (): never => process.exit(lifecycle.state === 'shut down' ? 0 : 1);
    process.stdin.on('end', exit);
    process.stdin.on('close', exit);
    return 0;
  }
  if (argv.includes('--dap')) {
    const session = new KboostDebugSession();
    // The client closing the pipe ends the adapter.
    process.stdin.on('end', () => process.exit(0));
    session.start(process.stdin, process.stdout);
    return 0;
  }
  process.stderr.write('usage: kboost-server --stdio   (language server over stdin/stdout)\n       kboost-server --dap     (debug adapter over stdin/stdout)\n');
  return 2;
}

if (require.main === module) {
  const code = main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
}
