/**
 * How long a website takes, from the start of its process, until each kind of page is
 * right: the list (its first 100 names are the database's first 100), a filtered list
 * (the names a filter selects), a workflow's page, and `/healthz` saying ok. Polled every
 * 50 ms; a page that answers but is not yet right does not count.
 */

export interface Expected {
  listPath: string;
  listNames: readonly string[];
  filteredPath: string;
  filteredNames: readonly string[];
  workflowPath: string;
  workflowName: string;
}

export interface StartTimes {
  listMs: number;
  filteredMs: number;
  workflowMs: number;
  healthyMs: number;
}

/** Names of the workflows a list page shows, in order. */
export function namesOnPage(html: string): string[] {
  return [...html.matchAll(/<h2 class="wf-name"><a href="[^"]*">([^<]*)<\/a><\/h2>/g)].map(
    (m) => m[1] as string,
  );
}

export async function timeToCorrectPages(
  origin: string,
  expected: Expected,
  startedAt: number,
  timeoutMs: number,
): Promise<StartTimes> {
  const sameNames = (html: string, names: readonly string[]) => {
    const shown = namesOnPage(html);
    return shown.length === names.length && shown.every((name, i) => name === names[i]);
  };
  const checks: Record<keyof StartTimes, () => Promise<boolean>> = {
    listMs: async () =>
      page(origin, expected.listPath, (html) => sameNames(html, expected.listNames)),
    filteredMs: async () =>
      page(origin, expected.filteredPath, (html) => sameNames(html, expected.filteredNames)),
    workflowMs: async () =>
      page(origin, expected.workflowPath, (html) => html.includes(`>${expected.workflowName}<`)),
    healthyMs: async () => page(origin, '/healthz', (body) => body.includes('"status":"ok"')),
  };
  const times: Partial<StartTimes> = {};
  const deadline = startedAt + timeoutMs;
  while (Object.keys(times).length < Object.keys(checks).length) {
    if (performance.now() > deadline)
      throw new Error(
        `the website was not right within ${timeoutMs / 1000} s: ${JSON.stringify(times)}`,
      );
    await Promise.all(
      (Object.keys(checks) as Array<keyof StartTimes>)
        .filter((key) => times[key] === undefined)
        .map(async (key) => {
          if (await checks[key]()) times[key] = performance.now() - startedAt;
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return times as StartTimes;
}

async function page(
  origin: string,
  path: string,
  right: (body: string) => boolean,
): Promise<boolean> {
  try {
    const response = await fetch(`${origin}${path}`);
    const body = await response.text();
    return response.status === 200 && right(body);
  } catch {
    return false;
  }
}
