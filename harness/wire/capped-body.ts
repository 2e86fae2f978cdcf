/**
 * Reading an untrusted HTTP answer with a size cap: shared by the typed clients of every contract.
 *
 * @module
 */

/** How an answer went over the cap: by its Content-Length (`declared`) or by the bytes read so far (`read`). */
export type OverCap = { declared: number; read?: undefined } | { read: number; declared?: undefined };

/**
 * Reads at most `maxBytes` of a response body as UTF-8. Beyond the cap it cancels the stream and throws
 * what `tooLarge` builds (each contract keeps its own error class and code).
 */
export async function readCappedBody(response: Response, maxBytes: number, tooLarge: (over: OverCap) => Error): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge({ declared });
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge({ read: total });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
