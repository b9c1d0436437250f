/**
 * A small SQL scanner that knows where quotes, comments and dollar-quoted bodies start and end,
 * so `:name` parameters and `;` separators are only recognised in plain SQL text.
 */

type Segment = { kind: "code" | "literal"; text: string };

/** Splits SQL into plain code and the parts a parameter or separator can never be inside. */
function scan(sql: string): Segment[] {
  const segments: Segment[] = [];
  let code = "";
  let i = 0;
  const pushLiteral = (end: number) => {
    if (code) segments.push({ kind: "code", text: code });
    segments.push({ kind: "literal", text: sql.slice(i, end) });
    code = "";
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      pushLiteral(endOfQuoted(sql, i, ch));
    } else if (ch === "-" && next === "-") {
      const nl = sql.indexOf("\n", i);
      pushLiteral(nl === -1 ? sql.length : nl);
    } else if (ch === "/" && next === "*") {
      pushLiteral(endOfBlockComment(sql, i));
    } else if (ch === "$" && /[A-Za-z_$]/.test(next ?? "") && !/\w/.test(sql[i - 1] ?? "")) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        pushLiteral(close === -1 ? sql.length : close + tag[0].length);
      } else {
        code += ch;
        i++;
      }
    } else {
      code += ch;
      i++;
    }
  }
  if (code) segments.push({ kind: "code", text: code });
  return segments;
}

function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else if (sql[i] === "\\" && quote === "'" && isEscapeString(sql, start)) {
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `E'…'` (backslash escapes), but not a typed literal such as `name'…'` whose type ends in "e". */
function isEscapeString(sql: string, quoteAt: number): boolean {
  return /[eE]/.test(sql[quoteAt - 1] ?? "") && !/[\w$]/.test(sql[quoteAt - 2] ?? "");
}

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith("*/", i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

export interface Positional {
  text: string;
  /** Parameter names in `$n` order: names[0] is `$1`. */
  names: string[];
}

const compiled = new Map<string, Positional>();

/** Rewrites `:name` parameters (Data API style) to `$n` (PostgreSQL style); a repeated name reuses its `$n`. */
export function toPositional(sql: string): Positional {
  const cached = compiled.get(sql);
  if (cached) return cached;
  const names: string[] = [];
  const text = scan(sql)
    .map((s) =>
      s.kind === "literal"
        ? s.text
        : s.text.replace(/(::?)([A-Za-z_]\w*)/g, (match, colons: string, name: string) => {
            if (colons === "::") return match;
            let index = names.indexOf(name);
            if (index === -1) index = names.push(name) - 1;
            return `$${index + 1}`;
          }),
    )
    .join("");
  const result = { text, names };
  compiled.set(sql, result);
  return result;
}

/** Names of the `:name` parameters a statement uses, in first-use order. */
export function parameterNames(sql: string): string[] {
  return toPositional(sql).names;
}

/** Splits a script into statements on `;` outside quotes, comments and dollar-quoted bodies. */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  for (const s of scan(script)) {
    if (s.kind === "literal") {
      current += s.text;
      continue;
    }
    const parts = s.text.split(";");
    current += parts[0];
    for (const part of parts.slice(1)) {
      statements.push(current);
      current = part;
    }
  }
  statements.push(current);
  return statements.map(stripComments).filter((sql) => sql.length > 0);
}

/** Drops comments; a block comment becomes a space, so the tokens either side of it stay apart. */
function stripComments(sql: string): string {
  return scan(sql)
    .map((s) => {
      if (s.kind !== "literal") return s.text;
      if (s.text.startsWith("--")) return "";
      if (s.text.startsWith("/*")) return " ";
      return s.text;
    })
    .join("")
    .trim();
}
