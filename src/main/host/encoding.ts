/**
 * Which text encoding a file is in. chardet (the statistical detector most of npm uses) decides
 * whenever it is sure; a byte-order mark or valid UTF-8 decides before it. Its statistics need
 * text: a spreadsheet saved by Excel on Chinese Windows (GBK) is often numbers under a header of a
 * few Chinese words, too little for it (it answers ISO-8859-1 with low confidence). For such a
 * sample the East Asian encodings are tried in turn, and one is taken when the characters its
 * decoding yields are nearly all among its common ones (GB2312 level 1, Big5's frequent
 * characters, JIS level 1 and kana); otherwise the file is read as Windows-1252.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';
import type { TextEncoding } from '../../shared/api';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** How: a byte-order mark, valid UTF-8 (or plain ASCII), chardet, or the common-character test. */
  by: 'bom' | 'utf-8' | 'chardet' | 'common-characters' | 'fallback';
}

/** chardet's names for the encodings this app reads. */
const fromChardet: Record<string, TextEncoding> = {
  'UTF-8': 'utf-8',
  'UTF-16LE': 'utf-16le',
  'UTF-16BE': 'utf-16be',
  GB18030: 'gb18030',
  Big5: 'big5',
  Shift_JIS: 'shift_jis',
  'windows-1252': 'windows-1252',
  'ISO-8859-1': 'windows-1252',
};

/** Below this, chardet's answer is a guess and the common-character test decides. */
const SURE = 50;

export function detectEncoding(sample: Uint8Array): DetectedEncoding {
  const bom = bomEncoding(sample);
  if (bom) return { encoding: bom, by: 'bom' };
  if (isUtf8(sample)) return { encoding: 'utf-8', by: 'utf-8' };
  const sure = chardet
    .analyse(sample)
    .find((m) => m.confidence >= SURE && fromChardet[m.name] !== undefined);
  if (sure) return { encoding: fromChardet[sure.name], by: 'chardet' };
  const eastAsian = (['gb18030', 'big5', 'shift_jis'] as const)
    .map((encoding) => ({ encoding, share: commonShare(sample, encoding) }))
    .filter((c) => c.share >= 0.8)
    .sort((a, b) => b.share - a.share)[0];
  if (eastAsian) return { encoding: eastAsian.encoding, by: 'common-characters' };
  return { encoding: 'windows-1252', by: 'fallback' };
}

function bomEncoding(bytes: Uint8Array): TextEncoding | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** Valid UTF-8, allowing a character cut at the sample's end. */
function isUtf8(sample: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The share of double-byte characters in `encoding`'s common range, or 0 when the sample is not
 * valid in it (a lead byte without its trail) or holds no double-byte character.
 */
function commonShare(bytes: Uint8Array, encoding: 'gb18030' | 'big5' | 'shift_jis'): number {
  // The sample may end inside a character: drop its last bytes from the test.
  const end = bytes.length - 4;
  let chars = 0;
  let common = 0;
  for (let i = 0; i < end; i++) {
    const lead = bytes[i];
    if (lead < 0x80) continue;
    if (encoding === 'shift_jis' && lead >= 0xa1 && lead <= 0xdf) continue; // half-width kana
    const trail = bytes[i + 1];
    if (encoding === 'gb18030' && trail >= 0x30 && trail <= 0x39) {
      // GB18030's four-byte form (lead, digit, lead, digit): valid, and never a common character.
      chars++;
      i += 3;
      continue;
    }
    if (!validPair(lead, trail, encoding)) return 0;
    chars++;
    if (isCommon(lead, trail, encoding)) common++;
    i++;
  }
  return chars === 0 ? 0 : common / chars;
}

function validPair(lead: number, trail: number, encoding: string): boolean {
  switch (encoding) {
    case 'gb18030': // GBK's two-byte range
      return lead >= 0x81 && lead <= 0xfe && trail >= 0x40 && trail <= 0xfe && trail !== 0x7f;
    case 'big5':
      return (
        lead >= 0x81 &&
        lead <= 0xfe &&
        ((trail >= 0x40 && trail <= 0x7e) || (trail >= 0xa1 && trail <= 0xfe))
      );
    default: // Shift-JIS
      return (
        ((lead >= 0x81 && lead <= 0x9f) || (lead >= 0xe0 && lead <= 0xfc)) &&
        trail >= 0x40 &&
        trail <= 0xfc &&
        trail !== 0x7f
      );
  }
}

function isCommon(lead: number, trail: number, encoding: string): boolean {
  const code = (lead << 8) | trail;
  switch (encoding) {
    case 'gb18030': // GB2312 level 1 (3,755 characters) and its punctuation row
      return (lead >= 0xb0 && lead <= 0xd7 && trail >= 0xa1) || (lead === 0xa1 && trail >= 0xa1);
    case 'big5': // the 5,401 frequently used characters and the symbols before them
      return (code >= 0xa440 && code <= 0xc67e) || (lead >= 0xa1 && lead <= 0xa3);
    default: // hiragana, katakana, JIS level 1 kanji, and the punctuation row
      return (
        (lead === 0x82 && trail >= 0x9f) ||
        (lead === 0x83 && trail <= 0x96) ||
        (code >= 0x889f && code <= 0x9872) ||
        lead === 0x81
      );
  }
}

/** iconv-lite's name for an encoding. */
function iconvName(encoding: TextEncoding): string {
  return encoding === 'utf-8' ? 'utf8' : encoding;
}

/** A decoding stream (the byte-order mark, if any, left out). */
export function decodeStream(encoding: TextEncoding): NodeJS.ReadWriteStream {
  return iconv.decodeStream(iconvName(encoding), { stripBOM: true });
}

/** Decodes a whole buffer (a sample, a pasted table), the byte-order mark left out. */
export function decodeBytes(bytes: Uint8Array, encoding: TextEncoding): string {
  return iconv.decode(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    iconvName(encoding),
    {
      stripBOM: true,
    },
  );
}
