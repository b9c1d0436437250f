/** A passage of a document, with the heading of the section it came from. */
export interface Passage {
  heading?: string;
  text: string;
}

export interface ChunkOptions {
  /** Paragraphs are merged up to this many characters; longer paragraphs are split by sentence. */
  maxChars?: number;
}

const DEFAULT_MAX_CHARS = 900;

/** Splits markdown into passages: by heading, then by paragraph, merged or split to stay near `maxChars`. */
export function chunkMarkdown(markdown: string, options: ChunkOptions = {}): Passage[] {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  return splitSections(markdown).flatMap(({ heading, body }) =>
    packParagraphs(paragraphs(body), maxChars).map((text) => ({ ...(heading ? { heading } : {}), text })),
  );
}

function splitSections(markdown: string): { heading?: string; body: string }[] {
  const sections: { heading?: string; lines: string[] }[] = [{ lines: [] }];
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) sections.push({ heading: heading[1], lines: [] });
    else sections[sections.length - 1].lines.push(line);
  }
  return sections.map(({ heading, lines }) => ({ heading, body: lines.join("\n") }));
}

function paragraphs(body: string): string[] {
  return body
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter((p) => p.length > 0);
}

function packParagraphs(items: string[], maxChars: number): string[] {
  const pieces = items.flatMap((p) => (p.length > maxChars ? splitLong(p, maxChars) : [p]));
  const passages: string[] = [];
  let current = "";
  for (const piece of pieces) {
    if (current && current.length + 1 + piece.length > maxChars) {
      passages.push(current);
      current = piece;
    } else {
      current = current ? `${current}\n${piece}` : piece;
    }
  }
  if (current) passages.push(current);
  return passages;
}

function splitLong(paragraph: string, maxChars: number): string[] {
  const sentences = paragraph.match(/[^.!?]+(?:[.!?]+|$)\s*/g) ?? [paragraph];
  const parts: string[] = [];
  let current = "";
  for (const sentence of sentences) {
    if (current && current.length + sentence.length > maxChars) {
      parts.push(current.trim());
      current = "";
    }
    current += sentence;
    while (current.length > maxChars) {
      parts.push(current.slice(0, maxChars).trim());
      current = current.slice(maxChars);
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
