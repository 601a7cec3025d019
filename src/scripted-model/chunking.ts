/**
 * How replies are cut into stream deltas. Word boundaries, coalesced to a few chunks: enough that
 * clients really reassemble a multi-chunk stream, few enough that 100 concurrent streams stay cheap.
 */
const WORD = /\S+\s*|\s+/g;

export function splitText(text: string, maxChunks = 6): string[] {
  if (text === '') return [];
  const words = text.match(WORD) ?? [text];
  if (words.length <= maxChunks) return words;
  const perChunk = Math.ceil(words.length / maxChunks);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += perChunk) chunks.push(words.slice(i, i + perChunk).join(''));
  return chunks;
}

/** Tool arguments are streamed as raw JSON fragments (not valid JSON on their own), as vendors do. */
export function splitJson(json: string, maxChunks = 3): string[] {
  if (json.length < 8) return [json];
  const size = Math.ceil(json.length / maxChunks);
  const chunks: string[] = [];
  for (let i = 0; i < json.length; i += size) chunks.push(json.slice(i, i + size));
  return chunks;
}
