// Asks the client to report changes on disk to the files that open documents include
// (`workspace/didChangeWatchedFiles`, registered dynamically when the client supports it). One
// watcher per folder names its files; the registration is replaced when the set of files changes.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeWatchedFilesNotification, type ClientCapabilities, type Connection, type Disposable, type FileSystemWatcher } from 'vscode-languageserver/node';

/** Watchers for `files` (resolved paths), grouped by folder. */
export function watchersFor(files: readonly string[], relativePatterns: boolean): FileSystemWatcher[] {
  const byFolder = new Map<string, string[]>();
  for (const file of files) {
    const folder = path.dirname(file);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), path.basename(file)]);
  }
  return [...byFolder].map(([folder, names]) => {
    const pattern = names.length === 1 ? names[0]! : `{${names.join(',')}}`;
    return { globPattern: relativePatterns ? { baseUri: pathToFileURL(folder).toString(), pattern } : `${folder.split(path.sep).join('/')}/${pattern}` };
  });
}

export class WatchedIncludeRegistration {
  private supported = false;
  private relativePatterns = false;
  private ready = false;
  private registeredKey = '';
  private registration: Promise<Disposable | null> = Promise.resolve(null);

  constructor(private readonly connection: Connection) {}

  clientCapabilities(capabilities: ClientCapabilities): void {
    const watched = capabilities.workspace?.didChangeWatchedFiles;
    this.supported = watched?.dynamicRegistration === true;
    this.relativePatterns = watched?.relativePatternSupport === true;
  }

  /** After `initialized`: the server may register capabilities from now on. */
  initialized(files: readonly string[]): void {
    this.ready = true;
    this.update(files);
  }

  /** Watches exactly `files` (sorted resolved paths) when the client supports it. */
  update(files: readonly string[]): void {
    if (!this.supported || !this.ready) return;
    const watchers = watchersFor(files, this.relativePatterns);
    const key = JSON.stringify(watchers);
    if (key === this.registeredKey) return;
    this.registeredKey = key;
    // Registrations run one after another: the new one is in place before the old one goes.
    this.registration = this.registration.then(async (previous) => {
      const next = watchers.length === 0 ? null : await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => null);
      previous?.dispose();
      return next;
    });
  }
}
