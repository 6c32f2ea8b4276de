import { describe, expect, it } from 'vitest';
import { VuEventLoop } from '../event-loop.js';
import { csvModule } from './csv.js';
import { K6File } from './fs.js';
import { secretsModule } from './secrets.js';
import { streamsModule } from './streams.js';

/** The promises of k6's asynchronous module APIs are on the VU's event loop: an iteration waits for them. */

const vuWith = (loop: VuEventLoop) => ({ loop, instance: { secrets: { sources: { '': { pin: '0000' } }, defaultSource: '' } } }) as never;

describe("async module APIs on the VU's event loop", () => {
  it('a File read, seek and stat, a csv parse and Parser.next keep the loop busy until they settle', async () => {
    const loop = new VuEventLoop();
    const file = new K6File('/data/words.csv', Buffer.from('word\nalpha\n'), loop);
    const csv = csvModule.create(vuWith(loop)) as { parse(f: unknown): Promise<unknown>; Parser: new (f: unknown) => { next(): Promise<unknown> } };
    for (const start of [() => file.read(new Uint8Array(4)), () => file.seek(0), () => file.stat(), () => csv.parse(file), () => new csv.Parser(file).next()]) {
      void start();
      expect(loop.busy).toBe(true);
      await loop.drain();
      expect(loop.busy).toBe(false);
    }
  });

  it('secrets.get and a stream reader read keep the loop busy until they settle', async () => {
    const loop = new VuEventLoop();
    const secrets = secretsModule.create(vuWith(loop)) as { get(key: string): Promise<string> };
    let pin = '';
    void secrets.get('pin').then((value) => (pin = value));
    expect(loop.busy).toBe(true);
    await loop.drain();
    expect(pin).toBe('0000');

    const { ReadableStream } = streamsModule.create(vuWith(loop)) as { ReadableStream: typeof globalThis.ReadableStream };
    let enqueue!: (chunk: string) => void;
    const reader = new ReadableStream<string>({ start: (controller) => void (enqueue = (chunk) => controller.enqueue(chunk)) }).getReader();
    let read: unknown;
    void reader.read().then((r) => (read = r.value));
    expect(loop.busy).toBe(true);
    enqueue('chunk');
    await loop.drain();
    expect(read).toBe('chunk');
  });
});
