import { Marked, type Tokens } from "marked";
import { isAllowedLink } from "./links.js";

export { ALLOWED_LINK_HOSTS, disallowedLinks, isAllowedLink } from "./links.js";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for an HTML element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * Markdown → HTML for text written by a model: text is data, never markup. Raw HTML is shown
 * escaped, bare addresses and URLs stay text (no autolinks: an email address in a name never becomes a
 * `mailto:` link), written links stay live only when allow-listed (`isAllowedLink`; others become their
 * text and their target as plain text), and images become their alt text (a self-contained page loads nothing from
 * elsewhere). Headings shift down by `headingOffset`.
 */
export function renderMarkdown(markdown: string, { headingOffset = 0 } = {}): string {
  return markedFor(headingOffset).parse(markdown, { async: false });
}

const instances = new Map<number, Marked>();

function markedFor(headingOffset: number): Marked {
  let instance = instances.get(headingOffset);
  if (!instance) {
    instance = createMarked(headingOffset);
    instances.set(headingOffset, instance);
  }
  return instance;
}

/** A link that stays text: its label, then an http(s) target as plain text (other schemes are dropped). */
function inertLink(label: string, href: string): string {
  const target = href.trim();
  if (!/^https?:\/\//i.test(target) || label === escapeHtml(target)) return label;
  return `${label} (${escapeHtml(target)})`;
}

function createMarked(headingOffset: number): Marked {
  return new Marked({
    gfm: true,
    breaks: true,
    // No token for `<…>` autolinks or GFM's bare URLs and email addresses: they stay plain text.
    tokenizer: { url: () => undefined, autolink: () => undefined },
    renderer: {
      html: ({ text }) => escapeHtml(text),
      image: ({ text }) => escapeHtml(text),
      heading({ tokens, depth }) {
        const level = Math.min(6, depth + headingOffset);
        return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
      },
      link({ href, title, tokens }: Tokens.Link) {
        const label = this.parser.parseInline(tokens);
        if (!isAllowedLink(href)) return inertLink(label, href);
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : "";
        return `<a href="${escapeHtml(href.trim())}"${titleAttr} rel="noopener noreferrer">${label}</a>`;
      },
    },
  });
}
