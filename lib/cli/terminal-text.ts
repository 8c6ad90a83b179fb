/**
 * Terminal escape sequences: CSI (`ESC [` or 0x9B, parameters, final byte), strings (OSC, DCS,
 * APC, PM, SOS: up to BEL, `ESC \`, ST or the end), and the other `ESC x` escapes.
 */
const ESCAPE_SEQUENCES =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r]+/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from elsewhere (an API's error message, an endpoint's answer) made safe to print on one
 * terminal line: escape sequences and C0/C1 control characters removed (they could recolour,
 * rewrite or hide what is shown), line breaks and tabs turned into one space.
 */
export function toTerminalLine(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(LINE_BREAKS_AND_TABS, ' ').replace(CONTROL_CHARACTERS, '');
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
/** What `JSON.stringify` leaves unescaped that a terminal may act on or break a line at. */
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u2028\u2029]/g;

function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * JSON of data from elsewhere (a stored event) safe to print: the same JSON value, with DEL, the C1
 * control characters and the Unicode line separators, which `JSON.stringify` leaves as they are,
 * written as `\u` escapes. Scripts parse it as they would the plain JSON.
 */
export function toTerminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNESCAPED_BY_JSON, unicodeEscape);
}

/**
 * Text of several lines from elsewhere (a body as received) safe to print: its lines kept, every
 * other control character written as a visible `\u` escape rather than dropped, so that what is
 * shown still tells what was there.
 */
export function toTerminalLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(CONTROL_CHARACTERS_BUT_TAB, unicodeEscape))
    .join('\n');
}
