import { EMBEDDING_DIMENSIONS, type Embedder } from "./types.js";
import { l2Normalize } from "./vectors.js";

const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const CHAR_NGRAM_WEIGHT = 0.5;
const CHAR_NGRAM_SIZES = [3, 4, 5];
const utf8 = new TextEncoder();

const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here hers him his
  how i if in into is it its itself just may me might more most much must my no nor not now of off on once only or other
  our ours out over own per same she should so some such than that the their theirs them then there these they this
  those through to too under until up upon us very via was we were what when where which while who whom why will with
  within would you your yours`.split(/\s+/),
);

/**
 * A deterministic, dependency-free embedder for local runs and tests (recipe in reference/db.md §3):
 * word unigrams (w 1), word bigrams (w 0.5) and character 3–5-grams (w 0.5) of lower-cased,
 * accent-stripped, stopword-filtered, lightly stemmed tokens, hashed with signed FNV-1a into 384
 * dimensions with sublinear term frequency, then L2-normalised. Lexical only: it matches words and
 * tickers, not synonyms.
 */
export class HashEmbedder implements Embedder {
  readonly name = "hash-v1";
  readonly dimensions = EMBEDDING_DIMENSIONS;

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, weight] of weightedFeatures(tokenize(text))) {
      const hash = fnv1a(feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      vector[hash % this.dimensions] += sign * weight;
    }
    return l2Normalize(vector);
  }
}

/** Lower-cases, strips accents, splits into words (keeping "s&p" and "401(k)" whole), drops stopwords, stems. */
export function tokenize(text: string): string[] {
  const normalized = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\((\w)\)/g, "$1");
  const words = normalized.match(/[a-z0-9]+(?:&[a-z0-9]+)*/g) ?? [];
  return words.filter((w) => !STOPWORDS.has(w)).map(stem);
}

/** A tiny suffix stemmer: plurals, -ing, -ed and a final -e, enough to join "rebalance/rebalancing/bonds/bond". */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length >= 6) w = w.slice(0, -3);
  else if (w.endsWith("ed") && w.length >= 5) w = w.slice(0, -2);
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

function weightedFeatures(tokens: string[]): Map<string, number> {
  const counts = new Map<string, { weight: number; count: number }>();
  const add = (feature: string, weight: number) => {
    const entry = counts.get(feature);
    if (entry) entry.count += 1;
    else counts.set(feature, { weight, count: 1 });
  };
  tokens.forEach((token, i) => {
    add(`w:${token}`, WORD_WEIGHT);
    if (i > 0) add(`b:${tokens[i - 1]} ${token}`, BIGRAM_WEIGHT);
    for (const gram of charNgrams(token)) add(`c:${gram}`, CHAR_NGRAM_WEIGHT);
  });
  const features = new Map<string, number>();
  for (const [feature, { weight, count }] of counts) features.set(feature, weight * (1 + Math.log(count)));
  return features;
}

function charNgrams(token: string): string[] {
  const padded = `#${token}#`;
  const grams: string[] = [];
  for (const n of CHAR_NGRAM_SIZES) {
    for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n));
  }
  return grams;
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`, as an unsigned integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
