import { maskName, maskPhone } from '../../core/http/mask';

// Mobile numbers (11 digits from 1[3-9]), landlines with an area code, 18-character ID card numbers and
// e-mail addresses, each standing alone (not inside a longer run of digits such as a request number).
const MOBILE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
const LANDLINE = /(?<![0-9])0[0-9]{2,3}-?[0-9]{7,8}(?![0-9])/g;
const ID_CARD = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/**
 * Free text on its way into a public reply (a description, a reply, a comment): personal data a citizen
 * or a handler typed into it is masked — phone numbers, ID card numbers, e-mail addresses, and the
 * requester's own name (whole, and each part of a Western name). Names of anybody else cannot be
 * recognised here; that is why confidential requests publish no text at all.
 */
export function scrubPersonalData(text: string, requesterName?: string | null): string {
  let out = text
    .replace(EMAIL, (m) => `${m[0]}***@***`)
    .replace(ID_CARD, (m) => `${m.slice(0, 3)}***************`)
    .replace(MOBILE, (m) => maskPhone(m)!)
    .replace(LANDLINE, (m) => maskPhone(m.replace('-', ''))!);
  const name = requesterName?.trim();
  if (name) {
    const names = new Set([name, ...name.split(/\s+/).filter((part) => [...part].length >= 2)]);
    for (const n of [...names].sort((a, b) => b.length - a.length)) {
      if ([...n].length < 2) continue;
      out = out.split(n).join(maskName(n)!);
    }
  }
  return out;
}
