import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { VuEventLoop } from '../event-loop.js';
import type { K6Module } from './k6-module.js';

/**
 * `k6/experimental/fs`: `await open(path)` gives a File (path relative to the script) with
 * read(buffer), seek(offset, whence) and stat(), all asynchronous as in k6. The content is read
 * once per thread and shared by every VU's File, each with its own offset. Every promise is
 * tracked by the VU's event loop (a `.then` on a read still runs inside the iteration).
 */

export const SeekMode = Object.freeze({ Start: 0, Current: 1, End: 2 });

/** One copy of each file per thread, as k6 keeps one per test. */
const contents = new Map<string, Buffer>();

export class K6File {
  private offset = 0;
  /** Fills the buffer from the current offset; the number of bytes read, or null at the end of the file. */
  readonly read: (buffer: Uint8Array) => Promise<number | null>;
  /** Moves the offset (whence: SeekMode.Start, Current or End) and returns the new one. */
  readonly seek: (offset: number, whence?: number) => Promise<number>;
  readonly stat: () => Promise<{ name: string; size: number }>;

  constructor(
    readonly path: string,
    /** @internal the bytes, shared between Files of the same path */
    readonly data: Buffer,
    /** the VU's event loop, which waits for the file's promises */
    loop?: Pick<VuEventLoop, 'tracked'>,
  ) {
    const track = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (loop ? loop.tracked(fn) : fn);
    this.read = track((buffer: Uint8Array) => this.readNow(buffer));
    this.seek = track((offset: number, whence?: number) => this.seekNow(offset, whence));
    this.stat = track(async () => ({ name: basename(this.path), size: this.data.length }));
  }

  private async readNow(buffer: Uint8Array): Promise<number | null> {
    if (!(buffer instanceof Uint8Array)) throw new TypeError('File.read: the buffer must be a Uint8Array');
    if (this.offset >= this.data.length) return null;
    const n = Math.min(buffer.byteLength, this.data.length - this.offset);
    buffer.set(this.data.subarray(this.offset, this.offset + n));
    this.offset += n;
    return n;
  }

  private async seekNow(offset: number, whence: number = SeekMode.Start): Promise<number> {
    if (!Number.isInteger(offset)) throw new TypeError(`File.seek: the offset must be an integer, got ${String(offset)}`);
    const base = whence === SeekMode.Start ? 0 : whence === SeekMode.Current ? this.offset : whence === SeekMode.End ? this.data.length : NaN;
    if (Number.isNaN(base)) throw new TypeError(`File.seek: whence must be SeekMode.Start, Current or End, got ${String(whence)}`);
    const next = base + offset;
    if (next < 0) throw new RangeError(`File.seek: offset ${next} is before the start of ${this.path}`);
    this.offset = next;
    return next;
  }
}

export const fsModule: K6Module = {
  specifier: 'k6/experimental/fs',
  blocking: [],
  create(vu) {
    const open = vu.loop.tracked(async (path: string): Promise<K6File> => {
      if (typeof path !== 'string' || path === '') throw new TypeError('fs.open: the path must be a non-empty string');
      const full = resolve(vu.instance.scriptDir, path);
      let data = contents.get(full);
      if (!data) {
        try {
          data = readFileSync(full);
        } catch {
          throw new Error(`fs.open("${path}"): ${full} does not exist or cannot be read`);
        }
        contents.set(full, data);
      }
      return new K6File(full, data, vu.loop);
    });
    const api = { open, SeekMode };
    return { ...api, default: api };
  },
};
