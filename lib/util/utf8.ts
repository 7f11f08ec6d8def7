/** Size of `text` in UTF-8 bytes: what the Kubernetes API server's Go `len()` counts. */
export const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The longest start of `text` that fits in `maxBytes` of UTF-8 without splitting a character
 * (a cut inside a multi-byte sequence backs up to the character's first byte).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let cut = Math.max(0, maxBytes);
  // 0b10xxxxxx is a continuation byte: the character started before it.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString('utf8');
}
