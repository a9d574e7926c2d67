// When and how the server publishes a document's diagnostics. A change is analysed at once when
// changes come slower than analyses take; a burst waits for as long as the last analysis took (at
// most DEBOUNCE_MS), so typing never queues analyses. The diagnostics go out as prepared JSON
// (document-diagnostics.ts, prepared-json-content-encoder.ts). With KBOOST_TIMING=1 in its
// environment the server also sends `$/kboost/timing` after each publish: where the time went,
// from the change's arrival to the message written.

import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnalysis } from '../editor/document-analysis';
import { expectedDiagnosticsJsonBytes, writeDocumentDiagnosticsJson, type PublishedDiagnostics } from './document-diagnostics';
import type { ServerSettings } from './editor-settings-from-configuration';
import { asciiBytes, JsonByteBuilder } from './json-byte-builder';
import { asciiJson, PreparedJson } from './prepared-json-content-encoder';

/** Room for the message envelope before the params (`{"jsonrpc":"2.0","method":...,"params":`). */
const ENVELOPE_ROOM = 128;

const DEBOUNCE_MS = 150;
const MIN_DEBOUNCE_MS = 10;

/** The `$/kboost/timing` notification's params (milliseconds, wall clock, in the server). */
export interface PublishTiming {
  uri: string;
  version: number;
  /** From the first unpublished change's arrival to the start of the analysis (debounce, queue). */
  waitMs: number;
  /** Assembly, line summaries and the instruction table (probes are looked up on demand). */
  analysisMs: number;
  /** The probes under the selected profile (functions analysed again where they changed) and the diagnostics' JSON text. */
  diagnosticsMs: number;
  /** Encoding the message and writing it to the client's pipe. */
  writeMs: number;
  /** From the change's arrival to the message written. */
  totalMs: number;
  /** Size of the params' JSON (ASCII: characters are bytes); the envelope adds about 70. */
  paramsBytes: number;
}

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each document last changed, and how long its last analysis took (ms). */
  private readonly lastChange = new Map<string, number>();
  private readonly lastAnalysisMs = new Map<string, number>();
  /** When the oldest change not yet published arrived. */
  private readonly pendingSince = new Map<string, number>();
  private readonly timing = process.env.KBOOST_TIMING === '1';
  /**
   * Each document's last published diagnostics: the next version copies what did not change from
   * its bytes, so its buffer is kept until then.
   */
  private readonly previous = new Map<string, PublishedDiagnostics>();
  /** Buffers of messages not yet written out. */
  private readonly inFlight = new Set<Buffer>();
  /** A buffer nobody reads any more: the next message is built in it. */
  private spare: Buffer | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly analysisOf: (doc: TextDocument) => DocumentAnalysis,
    private readonly settings: () => ServerSettings,
    /** Called after each publish (the server drops what the version did not reuse). */
    private readonly published: (uri: string) => void,
  ) {}

  /** A document opened or changed (opening fires both: the first analysis runs at once). */
  changed(doc: TextDocument): void {
    const now = performance.now();
    const last = this.lastAnalysisMs.get(doc.uri);
    const wait = Math.min(DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, last ?? DEBOUNCE_MS));
    // Changes slower than analyses: at once. Faster: wait, so that the burst is analysed once.
    const quiet = now - (this.lastChange.get(doc.uri) ?? -Infinity) > Math.min(DEBOUNCE_MS, last ?? DEBOUNCE_MS);
    this.lastChange.set(doc.uri, now);
    if (!this.pendingSince.has(doc.uri)) this.pendingSince.set(doc.uri, now);
    this.schedule(doc.uri, quiet ? 0 : wait);
  }

  closed(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.lastChange.delete(uri);
    this.lastAnalysisMs.delete(uri);
    this.pendingSince.delete(uri);
    const last = this.previous.get(uri);
    this.previous.delete(uri);
    if (last !== undefined) this.recycle(last.buffer);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Keeps a buffer for the next message once neither a pipe nor a next version reads it. */
  private recycle(buffer: Buffer): void {
    if (this.inFlight.has(buffer)) return;
    for (const p of this.previous.values()) if (p.buffer === buffer) return;
    this.spare = buffer;
  }

  private schedule(uri: string, delay: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      const current = this.documents.get(uri);
      if (current) void this.publish(current);
    }, delay));
  }

  /** Analyses the document (or takes its current analysis) and publishes its diagnostics. */
  async publish(doc: TextDocument): Promise<void> {
    try {
      const arrived = this.pendingSince.get(doc.uri) ?? performance.now();
      this.pendingSince.delete(doc.uri);
      const started = performance.now();
      const analysis = this.analysisOf(doc);
      const analysed = performance.now();
      this.lastAnalysisMs.set(doc.uri, analysed - started);
      const recycled = this.spare;
      this.spare = undefined;
      const before = this.previous.get(doc.uri) ?? null;
      const out = new JsonByteBuilder(ENVELOPE_ROOM, expectedDiagnosticsJsonBytes(analysis), recycled);
      out.bytes(asciiBytes(`{"uri":${asciiJson(doc.uri)},"version":${doc.version},"diagnostics":`));
      const entries = writeDocumentDiagnosticsJson(analysis, this.settings(), out, before);
      out.bytes(asciiBytes('}'));
      this.published(doc.uri);
      const { buffer, start, end } = out.finish();
      entries.buffer = buffer;
      this.previous.set(doc.uri, entries);
      if (before !== null) this.recycle(before.buffer);
      const params = new PreparedJson(buffer, start, end);
      const built = performance.now();
      this.inFlight.add(buffer);
      try {
        await this.connection.sendNotification('textDocument/publishDiagnostics', params);
      } finally {
        this.inFlight.delete(buffer);
      }
      // Written out (the stream's callback has run): free for a later message once no version reads it.
      this.recycle(buffer);
      if (!this.timing) return;
      const written = performance.now();
      const timing: PublishTiming = {
        uri: doc.uri, version: doc.version, waitMs: started - arrived, analysisMs: analysed - started, diagnosticsMs: built - analysed,
        writeMs: written - built, totalMs: written - arrived, paramsBytes: params.length,
      };
      void this.connection.sendNotification('$/kboost/timing', timing);
    } catch (e) {
      this.connection.console.error(`kboost: analysis of ${doc.uri} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
}
