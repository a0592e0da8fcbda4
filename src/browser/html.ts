import escapeHtml from 'escape-html';

const CREATED_BY_HTML = Symbol('SafeHtml');

/** Markup made by the `html` template: the only text that is written into a page without escaping. */
export class SafeHtml {
  readonly #text: string;

  constructor(token: typeof CREATED_BY_HTML, text: string) {
    if (token !== CREATED_BY_HTML) {
      throw new TypeError('SafeHtml is made by the html`` template only');
    }
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

/** What a page may interpolate: markup from `html`, plain values (escaped), or lists of them; null shows nothing. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return (value as readonly HtmlValue[]).map(render).join('');
  }
  if (value === null || value === undefined) {
    return '';
  }
  // History is hostile input: every value is escaped by escape-html (& < > " ' all become entities).
  return escapeHtml(String(value as string | number | bigint | boolean));
}

/**
 * The tagged template every page is written with: each interpolated value is escaped unless it is `SafeHtml`
 * produced by `html` itself. Values go only in text content or in double-quoted attributes.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0]!;
  values.forEach((value, i) => {
    text += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(CREATED_BY_HTML, text);
}
