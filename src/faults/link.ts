import type { Socket } from 'node:net';
import { toxicRegistry, type StageOutput, type ToxicStage } from './toxics/index.js';
import type { ToxicState } from './toxic-state.js';
import { READ_BUFFER_SIZE, useReadBuffer } from './read-buffer.js';

/** Above this many bytes held in toxics or in the destination's buffer, stop reading the source. */
const HIGH_WATER = 1 << 20;
/** A read this large filled Node's default 64 KiB buffer: this direction carries bulk data. */
const BULK_READ = 64 * 1024;

interface Entry {
  toxic: ToxicState;
  /** null when this connection's toxicity roll said "not this one": the toxic is skipped */
  stage: ToxicStage | null;
  gone: boolean;
}

/** What a link needs from its connection: closing or resetting both sockets. */
export interface LinkOwner {
  close(): void;
  reset(): void;
}

/**
 * One direction of one proxied connection: bytes from `source` run through this direction's
 * toxics, in the order they were added, into `dest`. With no active toxic a chunk goes straight
 * to `dest.write` (the fast path); toxics can be added and removed while bytes flow, and removal
 * hands the toxic's held bytes on first, so the byte order never changes. Once a direction moves
 * bulk data it reads into one reusable buffer (read-buffer.ts): a chunk written out in full at once
 * frees it for the next read, one that a write or a toxic still holds is paused for or copied.
 */
export class Link {
  private readonly entries: Entry[] = [];
  private active = 0;
  private inFlight = 0;
  private ended = false;
  /** undefined: Node's own reads so far; null: tried, not available */
  private readBuffer: Buffer | null | undefined;
  /** the write that still refers to `readBuffer` (0: none); reading resumes when it completes */
  private heldBy = 0;
  private writes = 0;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly owner: LinkOwner,
    toxics: readonly ToxicState[],
  ) {
    for (const toxic of toxics) this.add(toxic);
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.on('end', () => this.onEnd());
    dest.on('drain', () => this.maybeResume());
  }

  add(toxic: ToxicState): void {
    const entry: Entry = { toxic, stage: null, gone: false };
    // Toxicity is rolled once per connection, when the toxic reaches it (as Toxiproxy).
    if (toxic.toxicity >= 1 || Math.random() < toxic.toxicity) {
      entry.stage = toxicRegistry.get(toxic.type)!.stage(() => toxic.attributes, this.outputFor(entry));
      this.active++;
    }
    this.entries.push(entry);
  }

  remove(toxic: ToxicState): void {
    const index = this.entries.findIndex((e) => e.toxic === toxic);
    if (index < 0) return;
    const entry = this.entries[index]!;
    if (entry.stage) {
      entry.stage.detach();
      this.active--;
    }
    entry.gone = true;
    this.entries.splice(index, 1);
    this.maybeResume();
  }

  dispose(): void {
    for (const entry of this.entries) {
      entry.gone = true;
      entry.stage?.dispose();
    }
    this.entries.length = 0;
    this.active = 0;
  }

  private onData(chunk: Buffer): void {
    if (this.active > 0) return this.toToxics(chunk);
    if (!this.dest.write(chunk)) this.source.pause();
    if (chunk.length >= BULK_READ && this.readBuffer === undefined) {
      const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
      this.readBuffer = useReadBuffer(this.source, buffer, (bytes) => this.onRead(buffer.subarray(0, bytes))) ? buffer : null;
    }
  }

  /** a read into `readBuffer`: the bytes are only ours until the next read */
  private onRead(view: Buffer): void {
    // toxics keep chunks, and a write queued behind another keeps it too: those get a copy
    if (this.active > 0) return this.toToxics(Buffer.from(view));
    if (this.dest.writableLength > 0) {
      if (!this.dest.write(Buffer.from(view))) this.source.pause();
      return;
    }
    const id = ++this.writes;
    this.dest.write(view, () => {
      if (this.heldBy !== id) return;
      this.heldBy = 0;
      this.maybeResume();
    });
    // not all of it reached the kernel: the socket still refers to the buffer, so read no more until it has
    if (this.dest.writableLength > 0) {
      this.heldBy = id;
      this.source.pause();
    }
  }

  private toToxics(chunk: Buffer): void {
    this.inFlight += chunk.length;
    this.forward(-1, chunk);
    if (this.inFlight + this.dest.writableLength > HIGH_WATER) this.source.pause();
  }

  private onEnd(): void {
    this.forward(-1, null);
  }

  /** hands a chunk (or the end, as null) to the first active toxic after `index`, or to the destination */
  private forward(index: number, chunk: Buffer | null): void {
    for (let i = index + 1; i < this.entries.length; i++) {
      const stage = this.entries[i]!.stage;
      if (!stage) continue;
      if (chunk === null) stage.end();
      else stage.data(chunk);
      return;
    }
    if (chunk === null) {
      if (!this.ended) {
        this.ended = true;
        if (!this.dest.destroyed) this.dest.end();
      }
      return;
    }
    this.inFlight -= chunk.length;
    if (this.dest.destroyed || this.ended) return;
    this.dest.write(chunk);
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.heldBy === 0 && this.source.isPaused() && this.inFlight + this.dest.writableLength <= HIGH_WATER / 2) this.source.resume();
  }

  private outputFor(entry: Entry): StageOutput {
    // A removed toxic's late timers must not inject bytes: it is no longer in the chain.
    const live = (): boolean => !entry.gone;
    return {
      data: (chunk) => {
        if (live()) this.forward(this.entries.indexOf(entry), chunk);
      },
      end: () => {
        if (live()) this.forward(this.entries.indexOf(entry), null);
      },
      dropped: (bytes) => {
        this.inFlight -= bytes;
        this.maybeResume();
      },
      close: () => {
        if (live()) this.owner.close();
      },
      reset: () => {
        if (live()) this.owner.reset();
      },
    };
  }
}
