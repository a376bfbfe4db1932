/**
 * Hash routes (`/#/personas/gen-z`): the server serves one page at `/`, so
 * no path of the console can shadow an API route, and a reload stays put.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** The path after `#`, without query: '/personas/gen-z'. */
  path: string;
  /** Its segments: ['personas', 'gen-z']. */
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const raw = decodeURIComponent(location.hash.replace(/^#/, '')) || '/playground';
  const [path = '/playground', q = ''] = raw.split('?');
  return { path, parts: path.split('/').filter(Boolean), query: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(path: string): void {
  location.hash = `#${path}`;
}

export function href(path: string): string {
  return `#${path}`;
}
