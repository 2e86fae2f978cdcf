/**
 * CBOR decoding off the ingress loop, in worker threads (`MERIDIAN_DECODE=cbor`): the Node analogue
 * of Tokio's `spawn_blocking`.
 *
 * Payloads are copied (once, synchronously, at publish time) into a staging buffer. Copying
 * decouples decoding from the socket chunks and pooled buffers the handlers are still reading
 * (transferring those would detach them under the handlers' feet). The staged batch is posted with
 * one `postMessage`, transferring the staging ArrayBuffer rather than cloning it; the worker
 * transfers it back with its verdicts and it is reused.
 *
 * Batching adapts to load: at the end of an event-loop turn the batch goes to the least busy worker
 * if that worker has fewer than {@link SOFT_DEPTH} batches outstanding; otherwise it keeps growing
 * and is posted when a worker answers. A full staging buffer may go to a worker with up to
 * {@link HARD_DEPTH} outstanding. Only when even that is exceeded are payloads skipped (counted in
 * `skipped`): decoding never blocks ingestion and never queues without bound.
 *
 * Malformed payloads are counted in `errors` and logged as `payload-error`. A worker that dies is
 * replaced (a few times at most), its outstanding batches counted as skipped.
 */
import { Worker } from 'node:worker_threads';
import type { EventLog } from './event-log.ts';
import type { DecodeRequest, DecodeResponse } from './decode-worker.ts';

export interface DecodePoolOptions {
  workers: number;
  log: EventLog;
  /** Staging buffer size (a single larger payload gets a buffer of its own size). */
  batchBytes?: number;
  /** Most payloads per batch. */
  batchFrames?: number;
  /** Called whenever a batch completes (shutdown uses it to notice the drain finishing). */
  onProgress?: () => void;
}

interface Batch {
  id: number;
  stations: string[];
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Batch>;
}

/** Outstanding batches per worker below which a batch is posted at the end of a turn. */
export const SOFT_DEPTH = 2;
/** Outstanding batches per worker beyond which payloads are skipped. */
export const HARD_DEPTH = 4;
const MAX_RESTARTS = 8;
const BOOT_URL = new URL('./decode-worker-boot.mjs', import.meta.url);

export class DecodePool {
  /** Payloads decoded successfully. */
  decoded = 0;
  /** Malformed payloads. */
  errors = 0;
  /** Payloads not decoded because the workers were saturated (or died). */
  skipped = 0;
  /** Resolves once every initial worker has loaded (so the first batches are not stuck behind startup). */
  readonly ready: Promise<void>;
  private readonly slots: Slot[] = [];
  private readonly spare: ArrayBuffer[] = [];
  private readonly batchBytes: number;
  private readonly batchFrames: number;
  private readonly log: EventLog;
  private readonly onProgress: (() => void) | undefined;
  private staging: Buffer | null = null;
  private used = 0;
  private ends: number[] = [];
  private stations: string[] = [];
  private scheduled = false;
  private inFlight = 0;
  private nextId = 1;
  private restarts = 0;
  private closing = false;
  private readonly flushBound = (): void => {
    this.scheduled = false;
    this.flush(SOFT_DEPTH);
  };

  constructor(options: DecodePoolOptions) {
    this.log = options.log;
    this.batchBytes = options.batchBytes ?? 1024 * 1024;
    this.batchFrames = options.batchFrames ?? 4096;
    this.onProgress = options.onProgress;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < options.workers; i++) {
      const slot = this.spawn();
      this.slots.push(slot);
      ready.push(
        new Promise((resolve) => {
          slot.worker.once('message', () => resolve());
          slot.worker.once('exit', () => resolve());
        }),
      );
    }
    this.ready = Promise.all(ready).then(() => undefined);
  }

  /** Nothing staged and nothing with the workers. */
  get idle(): boolean {
    return this.inFlight === 0 && this.ends.length === 0;
  }

  /** Queues one payload for decoding (copied now; the caller may reuse its buffer afterwards). */
  submit(station: string, payload: Buffer): void {
    if (this.closing || this.slots.length === 0) {
      this.skipped++;
      return;
    }
    const length = payload.length;
    if (this.staging !== null && (this.used + length > this.staging.length || this.ends.length >= this.batchFrames)) {
      if (!this.flush(HARD_DEPTH)) {
        this.skipped++;
        return;
      }
    }
    if (this.staging === null) this.staging = this.takeStaging(length);
    payload.copy(this.staging, this.used);
    this.used += length;
    this.ends.push(this.used);
    this.stations.push(station);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /**
   * Posts the staged batch to the least busy worker if it has fewer than `depth` batches
   * outstanding. Returns false when it had to keep the batch.
   */
  flush(depth: number): boolean {
    if (this.ends.length === 0 || this.staging === null) return true;
    if (this.slots.length === 0) {
      // Every worker is gone (closing, or restarts exhausted): give up on this batch.
      this.skipped += this.ends.length;
      this.used = 0;
      this.ends = [];
      this.stations = [];
      return true;
    }
    let slot = this.slots[0] as Slot;
    for (const candidate of this.slots) if (candidate.inFlight.size < slot.inFlight.size) slot = candidate;
    if (slot.inFlight.size >= depth) return false; // posted later, when a worker answers
    const id = this.nextId++;
    const data = this.staging.buffer as ArrayBuffer;
    const ends = Uint32Array.from(this.ends);
    slot.inFlight.set(id, { id, stations: this.stations });
    this.inFlight++;
    const request: DecodeRequest = { id, data, ends };
    slot.worker.postMessage(request, [data, ends.buffer]);
    this.staging = null;
    this.used = 0;
    this.ends = [];
    this.stations = [];
    return true;
  }

  /** Stops the workers (pending batches are abandoned). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private takeStaging(minimum: number): Buffer {
    const size = Math.max(this.batchBytes, minimum);
    if (size === this.batchBytes) {
      const reused = this.spare.pop();
      if (reused !== undefined) return Buffer.from(reused);
    }
    // allocUnsafeSlow: an ArrayBuffer of its own (slices of Node's shared pool cannot be transferred).
    return Buffer.allocUnsafeSlow(size);
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT_URL);
    const slot: Slot = { worker, inFlight: new Map() };
    worker.unref();
    worker.on('message', (response: DecodeResponse | 'ready') => {
      if (response !== 'ready') this.onResponse(slot, response);
    });
    worker.on('error', (err) => this.onWorkerDeath(slot, `error: ${err.message}`));
    worker.on('exit', (code) => this.onWorkerDeath(slot, `exit code ${code}`));
    return slot;
  }

  private onResponse(slot: Slot, response: DecodeResponse): void {
    const batch = slot.inFlight.get(response.id);
    if (batch === undefined) return;
    slot.inFlight.delete(response.id);
    this.inFlight--;
    if (response.data.byteLength === this.batchBytes && this.spare.length < HARD_DEPTH * 2) this.spare.push(response.data);
    this.decoded += response.ok;
    for (const [index, reason] of response.errors) {
      this.errors++;
      this.log.event('payload-error', { station: batch.stations[index] ?? 'unknown', reason });
    }
    this.flush(SOFT_DEPTH);
    this.onProgress?.();
  }

  private onWorkerDeath(slot: Slot, why: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    for (const batch of slot.inFlight.values()) this.skipped += batch.stations.length;
    this.inFlight -= slot.inFlight.size;
    slot.inFlight.clear();
    if (this.closing || this.restarts >= MAX_RESTARTS) {
      this.slots.splice(index, 1);
      if (!this.closing) this.log.event('decode-worker-lost', { reason: why });
    } else {
      this.restarts++;
      this.log.event('decode-worker-restart', { reason: why });
      this.slots[index] = this.spawn();
    }
    this.flush(SOFT_DEPTH);
    this.onProgress?.();
  }
}
