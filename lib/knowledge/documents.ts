import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { KnowledgeDocument } from "./types.js";

/** The market notes written for this project, ingested into a fresh local index. */
export const BUNDLED_CORPUS_DIR = fileURLToPath(new URL("./corpus/", import.meta.url));

const INGESTIBLE_EXTENSIONS = new Set([".md", ".markdown", ".txt"]);
const DATE_LINE = /^[ \t]*(?:\*\*)?Date:(?:\*\*)?[ \t]*(.+?)[ \t]*$/im;
const FIRST_HEADING = /^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/m;

/** Title = first heading (else `fallbackTitle`); date = a "Date: …" line, which is removed from the text. */
export function parseDocument(content: string, source: string, fallbackTitle: string): KnowledgeDocument {
  const title = FIRST_HEADING.exec(content)?.[1] ?? fallbackTitle;
  const date = DATE_LINE.exec(content)?.[1];
  const text = content.replace(DATE_LINE, "").trim();
  return { source, title, text, ...(date ? { date } : {}) };
}

/** Reads one .md/.txt file; `source` is its path relative to `root` (POSIX separators), so keys are stable. */
export async function readDocumentFile(path: string, root = process.cwd()): Promise<KnowledgeDocument> {
  if (!INGESTIBLE_EXTENSIONS.has(extname(path).toLowerCase())) {
    throw new Error(`${path}: only .md, .markdown and .txt files can be ingested`);
  }
  const content = await readFile(path, "utf8");
  const source = relative(root, path).split(sep).join("/") || basename(path);
  return parseDocument(content, source, basename(path, extname(path)));
}

/** The bundled corpus, sources named "corpus/<file>.md". */
export async function loadBundledCorpus(dir = BUNDLED_CORPUS_DIR): Promise<KnowledgeDocument[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".md")).sort();
  return Promise.all(files.map((file) => readDocumentFile(join(dir, file), join(dir, ".."))));
}
