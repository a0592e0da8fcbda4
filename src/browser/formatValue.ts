import { formatText } from '../read/exportValue.js';

/** The text a page shows for a value: an em dash when there is none. */
export function formatValue(value: unknown): string {
  return formatText(value) ?? '\u2014';
}
