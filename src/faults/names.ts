/**
 * Proxy and toxic names are path segments of the API (`/proxies/{proxy}/toxics/{toxic}`), so a
 * name must be one segment that every client sends unchanged: no `/`, `?`, `#` or whitespace, and
 * not `.` or `..` (which clients and proxies resolve as "this" and "the parent" directory, so
 * `/proxies/..` would address `/`). Toxiproxy itself accepts any string; a name it could never be
 * addressed by again is refused here, for proxies and toxics alike.
 */
export const NAME_RULE = 'at most 200 characters, without / ? # or spaces, and not "." or ".."';

/** Why `name` cannot name a proxy or toxic, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.length > 200 || /[/?#\s]/.test(name) || name === '.' || name === '..') return `name ${JSON.stringify(name.slice(0, 40))} must be ${NAME_RULE}`;
  return undefined;
}
