/**
 * The only places a link in model-written text may point to: public investor-education and government
 * sources. Any other link is shown as inert text (the model may have been told to add it by text it read).
 */
export const ALLOWED_LINK_HOSTS = ["investor.gov", "sec.gov", "finra.org", "irs.gov", "ssa.gov"];

/** True for an https link to an allow-listed host (or a subdomain of one), or a #fragment on the page. */
export function isAllowedLink(href: string): boolean {
  const target = href.trim();
  if (target.startsWith("#")) return true;
  if (!URL.canParse(target)) return false;
  const url = new URL(target);
  return (
    url.protocol === "https:" &&
    ALLOWED_LINK_HOSTS.some((host) => url.hostname === host || url.hostname.endsWith(`.${host}`))
  );
}

/** A bare `www.` address as the https URL it names (`www.investor.gov` is an allowed source, not a stray link). */
const withScheme = (target: string) => (/^www\./i.test(target) ? `https://${target}` : target);

/** A markdown link or image target, or a bare URL (as GFM autolinks it). */
const LINK_TARGET = /\]\(\s*<?([^)\s>]+)|((?:https?:\/\/|www\.)[^\s<>()[\]]+)/gi;

/**
 * Every link target in the text — markdown links and images, bare `http(s)://` and `www.` URLs — that is not
 * allowed to stay live, in order, once each. Needs no markdown parser (the quality gate runs in a small Lambda).
 */
export function disallowedLinks(text: string): string[] {
  const targets = [...text.matchAll(LINK_TARGET)].map((m) => (m[1] ?? m[2]).replace(/[.,;:!?'"]+$/, ""));
  return [...new Set(targets.filter((target) => !isAllowedLink(withScheme(target))))];
}
