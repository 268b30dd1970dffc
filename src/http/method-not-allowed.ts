/**
 * The methods an app serves on a path, for a 405 with `Allow` instead of a 404 when a client uses
 * the wrong method on a path that exists. Read from the app's routes the first time it is asked
 * (all are registered by then); middleware (`ALL`) and wildcard routes are left out.
 */
export function allowedMethodsOf(app: { routes: readonly { method: string; path: string }[] }): (path: string) => string[] {
  let table: { pattern: RegExp; method: string }[] | undefined;
  return (path) => {
    table ??= app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map((r) => ({ pattern: patternOf(r.path), method: r.method }));
    return [...new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
  };
}

/** `/v1/customers/:customer_id` → a regex matching one non-empty segment per parameter. */
function patternOf(routePath: string): RegExp {
  const source = routePath
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
