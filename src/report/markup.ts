/**
 * Safe HTML building: the `html` template tag escapes every interpolated value unless it is
 * already markup, so report text (labels, commands, file names from a results file) can never
 * inject tags or attributes.
 */

/** A piece of HTML that is already safe to emit. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Template tag: literal parts are trusted markup, interpolated values are escaped (arrays joined). */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): Markup {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Markup(out);
}

/** Trusted markup from code (never from a results file). */
export function trusted(text: string): Markup {
  return new Markup(text);
}

/**
 * JSON for a `<script type="application/json">` block: '<' and the two JS line separators are
 * written as \u escapes (still valid JSON), so no value can close the script element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Embedded script or style text with any closing tag of its element defused. */
export function embeddable(text: string, element: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${element})`, 'gi'), '<\\/$1');
}
