/**
 * Text from a host made safe for one line of a terminal listing: titles can hold newlines and tabs
 * (130 such titles once turned 30,184 issues into 30,314 lines) and escape sequences that would
 * recolour or move the cursor. Whitespace runs become one space; other control characters are
 * shown escaped (`\x1b`), never sent to the terminal.
 */
export function oneLine(text: string): string {
  let line = '';
  for (const char of text.replace(/[\s\u2028\u2029]+/g, ' ').trim()) {
    const code = char.charCodeAt(0);
    line += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return line;
}
