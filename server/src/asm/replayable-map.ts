// A Map that logs its writes, so that its content at an earlier moment can be rebuilt from a
// length of the log. Checkpoints of the assembler's walk keep a log length instead of a copy of
// the label maps (thousands of entries): only the checkpoint a re-assembly resumes from is built.

const DELETED = Symbol('deleted');

export class ReplayableMap<K, V> extends Map<K, V> {
  /** Writes in order: key, value (or DELETED), key, value... Only ever appended to. */
  private log: unknown[] = [];

  override set(key: K, value: V): this {
    // Map's constructor may call set before the field exists; none is given entries that way.
    this.log.push(key, value);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.log.push(key, DELETED);
    return super.delete(key);
  }

  override clear(): void {
    for (const key of this.keys()) this.log.push(key, DELETED);
    super.clear();
  }

  static isDeletion(value: unknown): boolean {
    return value === DELETED;
  }

  /** Applies another map's writes from `start` to `moment.length` (logging them here too). */
  replay(moment: { log: unknown[]; length: number }, start: number): void {
    const log = moment.log;
    for (let i = start; i < moment.length; i += 2) {
      const value = log[i + 1];
      if (value === DELETED) this.delete(log[i] as K);
      else this.set(log[i] as K, value as V);
    }
  }

  /**
   * Makes this map hold another map's writes from `start` to `moment.length` in place of its own
   * there, where both wrote the same keys in the same order (and this map's later writes follow):
   * the values and log entries are replaced, so key order stays. Values are distinct objects. False (nothing done) on a deletion.
   */
  overwrite(moment: { log: unknown[]; length: number }, start: number): boolean {
    const log = moment.log;
    for (let i = start; i < moment.length; i += 2) if (log[i + 1] === DELETED || this.log[i] !== log[i] || this.log[i + 1] === DELETED) return false;
    for (let i = start; i < moment.length; i += 2) {
      const key = log[i] as K;
      // A later write of the same key (a name set again) stays the map's value.
      if (super.get(key) === this.log[i + 1]) super.set(key, log[i + 1] as V);
      this.log[i + 1] = log[i + 1];
    }
    return true;
  }

  /** A moment of this map: rebuilt later by replayed(). The log is shared, never rewritten. */
  mark(): { log: unknown[]; length: number } {
    return { log: this.log, length: this.log.length };
  }

  /** A new map with the content this map had at `moment` (writes replayed in order). */
  static replayed<K, V>(moment: { log: unknown[]; length: number }): ReplayableMap<K, V> {
    const m = new ReplayableMap<K, V>();
    const log = moment.log.slice(0, moment.length);
    for (let i = 0; i < log.length; i += 2) {
      const value = log[i + 1];
      if (value === DELETED) Map.prototype.delete.call(m, log[i]);
      else Map.prototype.set.call(m, log[i], value);
    }
    m.log = log;
    return m;
  }
}
