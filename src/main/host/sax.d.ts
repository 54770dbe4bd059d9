/**
 * The part of sax (isaacs/sax-js, which ships no types) that the .xlsx reader uses: a strict
 * parser fed text chunks, reporting tags and text through handlers.
 */
declare module 'sax' {
  export interface SaxOptions {
    /** Only the five predefined XML entities (and character references). */
    strictEntities?: boolean;
    /** Track line, column and position (slower). */
    position?: boolean;
    trim?: boolean;
    normalize?: boolean;
    xmlns?: boolean;
  }
  export interface SaxTag {
    name: string;
    attributes: Record<string, string>;
    isSelfClosing: boolean;
  }
  export interface SaxParser {
    onopentag: ((tag: SaxTag) => void) | null;
    onclosetag: ((name: string) => void) | null;
    ontext: ((text: string) => void) | null;
    oncdata: ((text: string) => void) | null;
    ondoctype: ((doctype: string) => void) | null;
    onerror: ((error: Error) => void) | null;
    write(chunk: string): SaxParser;
    close(): SaxParser;
  }
  export function parser(strict: boolean, options?: SaxOptions): SaxParser;
  const sax: { parser: typeof parser };
  export default sax;
}
