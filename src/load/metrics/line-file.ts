import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';

export interface LineFileOptions {
  /** flush when this many characters are buffered (default 64 KiB) */
  bufferChars?: number;
  /** and at least this often while lines arrive (default 500 ms) */
  flushIntervalMs?: number;
}

/**
 * The file under a file output (`--out json=`, `--out csv=`): lines buffered and written
 * asynchronously, gzipped when the name ends in `.gz` (as k6 does). `close()` flushes and
 * rejects with the first write error, naming the output.
 */
export class LineFile {
  private readonly stream: Writable;
  private readonly sink: Writable;
  private buffer: string[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private error: Error | undefined;
  private closed = false;
  private readonly bufferChars: number;
  private readonly flushIntervalMs: number;

  constructor(
    readonly file: string,
    /** how the output is named in an error, e.g. `--out json=out.json` */
    private readonly label: string,
    options: LineFileOptions = {},
  ) {
    this.bufferChars = options.bufferChars ?? 65_536;
    this.flushIntervalMs = options.flushIntervalMs ?? 500;
    this.sink = createWriteStream(file);
    this.sink.on('error', (e) => (this.error ??= e));
    if (file.endsWith('.gz')) {
      const gzip = createGzip();
      gzip.on('error', (e) => (this.error ??= e));
      gzip.pipe(this.sink);
      this.stream = gzip;
    } else this.stream = this.sink;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(line: string): void {
    this.buffer.push(line);
    this.buffered += line.length;
    if (this.buffered >= this.bufferChars) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Flushes what is buffered, closes the file, and rejects with the first write error. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await new Promise<void>((resolve) => {
      if (this.sink.closed) return resolve();
      this.sink.once('close', () => resolve());
      this.stream.end();
    });
    if (this.error) throw new Error(`${this.label}: ${this.error.message}`, { cause: this.error });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    this.stream.write(chunk);
  }
}
