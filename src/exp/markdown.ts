/**
 * Generated sections of a markdown file: the text between `<!-- sculpt-exp:<name>:begin -->` and
 * `<!-- sculpt-exp:<name>:end -->` belongs to the experiment runner and is replaced whole; every
 * byte outside the markers is kept, so prose written by hand around a table survives a rerun.
 */
import { SculptError } from '../errors.js';

/** The two marker lines of a section. */
export function sectionMarkers(name: string): { readonly begin: string; readonly end: string } {
  return { begin: `<!-- sculpt-exp:${name}:begin -->`, end: `<!-- sculpt-exp:${name}:end -->` };
}

/**
 * The markdown with the section's body replaced; a missing section is appended at the end under
 * `## <title>`. Throws BAD_DATA when the markers are out of order or repeated.
 */
export function replaceSection(markdown: string, name: string, body: string, title: string): string {
  const { begin, end } = sectionMarkers(name);
  const content = `${begin}\n${body.endsWith('\n') ? body : `${body}\n`}${end}`;
  const first = markdown.indexOf(begin);
  const last = markdown.indexOf(end);
  if (first < 0 && last < 0) {
    const base = markdown.length === 0 ? '' : markdown.endsWith('\n\n') ? markdown : markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`;
    return `${base}## ${title}\n\n${content}\n`;
  }
  if (first < 0 || last < 0 || last < first || markdown.indexOf(begin, first + 1) >= 0 || markdown.indexOf(end, last + 1) >= 0) {
    throw new SculptError('BAD_DATA', `the markers of section '${name}' are missing, repeated or out of order; keep exactly one '${begin}' followed by one '${end}'`);
  }
  return markdown.slice(0, first) + content + markdown.slice(last + end.length);
}
