/**
 * Decode worker: decodes batches of CBOR payloads off the ingress thread (the Node analogue of
 * Tokio's `spawn_blocking`). Loaded through `decode-worker-boot.mjs`.
 *
 * Request:  `{ id, data: ArrayBuffer, ends: Uint32Array }` — payload i is `data[ends[i-1] .. ends[i])`.
 * Response: `{ id, data, ok, errors: [index, reason][] }` — `data` is transferred back for reuse.
 * The first message a worker sends is the string `'ready'` (loaded and listening).
 * A malformed payload is only counted and reported; nothing here can take the process down.
 */
import { parentPort } from 'node:worker_threads';
import { decode } from 'cbor-x';

export interface DecodeRequest {
  id: number;
  data: ArrayBuffer;
  ends: Uint32Array;
}

export interface DecodeResponse {
  id: number;
  data: ArrayBuffer;
  ok: number;
  errors: [number, string][];
}

/** Decodes every payload of a batch; exported for tests. */
export function decodeBatch(request: DecodeRequest): DecodeResponse {
  const bytes = new Uint8Array(request.data);
  const errors: [number, string][] = [];
  let ok = 0;
  let start = 0;
  for (let i = 0; i < request.ends.length; i++) {
    const end = request.ends[i] as number;
    try {
      decode(bytes.subarray(start, end));
      ok++;
    } catch (err) {
      errors.push([i, err instanceof Error ? err.message : String(err)]);
    }
    start = end;
  }
  return { id: request.id, data: request.data, ok, errors };
}

const port = parentPort;
if (port !== null) {
  port.on('message', (request: DecodeRequest) => {
    const response = decodeBatch(request);
    port.postMessage(response, [response.data]);
  });
  port.postMessage('ready');
}
