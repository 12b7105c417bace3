// Picks a media type from an Accept header (RFC 9110 §12.5.1). Small on purpose: the demo
// offers three types. The header is client input: bounded, no regular expression on it.

const MAX_RANGES = 64;

interface Range {
  type: string;
  subtype: string;
  q: number;
  index: number;
}

function parseQ(text: string): number | undefined {
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  if (text.length === 0 || text.length > 5) return undefined;
  const q = Number(text);
  if (!Number.isFinite(q) || q < 0 || q > 1) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 0x2e /* . */ || (c >= 0x30 && c <= 0x39))) return undefined;
  }
  return q;
}

function parseAccept(header: string): Range[] {
  const ranges: Range[] = [];
  const parts = header.split(',', MAX_RANGES);
  for (let index = 0; index < parts.length; index++) {
    const params = parts[index]!.split(';');
    const media = params[0]!.trim().toLowerCase();
    const slash = media.indexOf('/');
    if (slash <= 0 || slash === media.length - 1) continue;
    let q: number | undefined = 1;
    for (let i = 1; i < params.length; i++) {
      const param = params[i]!.trim();
      if (param.length > 2 && (param[0] === 'q' || param[0] === 'Q') && param[1] === '=') {
        q = parseQ(param.slice(2));
      }
    }
    // A range with a malformed q is ignored rather than guessed at.
    if (q === undefined) continue;
    ranges.push({ type: media.slice(0, slash), subtype: media.slice(slash + 1), q, index });
  }
  return ranges;
}

/**
 * Returns the offer the client prefers: highest q, then the most specific matching range, then
 * the range listed first, then the order of `offers`. An absent or unusable header, or one that
 * accepts none of the offers, gets `offers[0]`.
 */
export function negotiateType(header: string | undefined, offers: readonly string[]): string {
  const fallback = offers[0] ?? '';
  if (header === undefined || header.trim() === '') return fallback;
  const ranges = parseAccept(header);
  let best: { offer: string; q: number; specificity: number; index: number } | undefined;
  for (const offer of offers) {
    const [type, subtype] = offer.split('/') as [string, string];
    let match: { q: number; specificity: number; index: number } | undefined;
    for (const range of ranges) {
      let specificity: number;
      if (range.type === type && range.subtype === subtype) specificity = 2;
      else if (range.type === type && range.subtype === '*') specificity = 1;
      else if (range.type === '*' && range.subtype === '*') specificity = 0;
      else continue;
      if (match === undefined || specificity > match.specificity) {
        match = { q: range.q, specificity, index: range.index };
      }
    }
    if (match === undefined || match.q === 0) continue;
    if (
      best === undefined ||
      match.q > best.q ||
      (match.q === best.q &&
        (match.specificity > best.specificity ||
          (match.specificity === best.specificity && match.index < best.index)))
    ) {
      best = { offer, ...match };
    }
  }
  return best?.offer ?? fallback;
}
