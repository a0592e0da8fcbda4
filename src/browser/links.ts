/** Query parameters of a browser link; `undefined` and empty values are left out, arrays repeat the name. */
export type LinkParams = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/**
 * A query-only relative URL (`?view=history&entity=Person`): it resolves against the page's own path, so links
 * work wherever the browser is mounted. Built with URLSearchParams only, never from a stored value's text.
 */
export function link(params: LinkParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? (value as readonly string[]) : [value]) {
      if (item !== undefined && item !== '') {
        search.append(name, String(item as string | number));
      }
    }
  }
  return `?${search.toString()}`;
}
