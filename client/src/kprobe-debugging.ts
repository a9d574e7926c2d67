// The VS Code side of kboost's debugger (type "kboost"): runs the bundled server's debug adapter
// (`dist/kboost-server.js --dap`, DAP over stdio) under VS Code's own Node, fills a launch
// configuration for the active assembly file when there is no launch.json, and the "Debug kprobes
// in this file" command (also a button in the editor title's run menu).

import * as vscode from 'vscode';
import { KBOOST_DEBUG_TYPE, LAUNCH_PROFILES, launchConfigurationFor } from './launch-configuration-for-file';

function activeAssemblyDocument(): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === 'i386-asm' ? document : undefined;
}

function selectedProfile(): string {
  return vscode.workspace.getConfiguration('kboost').get<string>('profile', 'linux-6.1');
}

/** A launch of the document under the profile and kernel settings selected for the diagnostics (the status bar's). */
function configurationFor(document: vscode.TextDocument, profile = selectedProfile()): vscode.DebugConfiguration {
  const kboost = vscode.workspace.getConfiguration('kboost');
  const kernel = { preemption: kboost.get('preemption'), optprobes: kboost.get('optprobes'), postHandler: kboost.get('postHandler') };
  return { ...launchConfigurationFor(document.uri.fsPath, document.getText(), profile, kernel) };
}

const configurationProvider: vscode.DebugConfigurationProvider = {
  // F5 with no launch.json arrives here with an empty configuration.
  resolveDebugConfiguration(_folder, config) {
    if (config.type === undefined && config.request === undefined && config.name === undefined) {
      const document = activeAssemblyDocument();
      if (document === undefined) {
        void vscode.window.showErrorMessage('kboost: open an i386 assembly file (.s, .S, .asm) to debug its kprobes, or add a launch.json');
        return undefined;
      }
      return configurationFor(document);
    }
    return config;
  },
};

/** "Run and Debug" > "kboost...": one launch of the active file per kernel generation. */
const dynamicConfigurations: vscode.DebugConfigurationProvider = {
  provideDebugConfigurations() {
    const document = activeAssemblyDocument();
    return document === undefined ? [] : LAUNCH_PROFILES.map((profile) => configurationFor(document, profile));
  },
};

export function registerKprobeDebugging(context: vscode.ExtensionContext): void {
  const server = context.asAbsolutePath('dist/kboost-server.js');
  const adapterFactory: vscode.DebugAdapterDescriptorFactory = {
    // VS Code's own runtime runs the adapter as Node (ELECTRON_RUN_AS_NODE): no separate node needed.
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterExecutable(process.execPath, [server, '--dap'], { env: { ELECTRON_RUN_AS_NODE: '1' } }),
  };
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(KBOOST_DEBUG_TYPE, adapterFactory),
    vscode.debug.registerDebugConfigurationProvider(KBOOST_DEBUG_TYPE, configurationProvider),
    vscode.debug.registerDebugConfigurationProvider(KBOOST_DEBUG_TYPE, dynamicConfigurations, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.commands.registerCommand('kboost.debugKprobesInFile', async () => {
      const document = activeAssemblyDocument();
      if (document === undefined) return;
      // The adapter reads the file from disk.
      if (document.isDirty) await document.save();
      await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(document.uri), configurationFor(document));
    }),
  );
}
