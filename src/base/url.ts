// The one check of "an http(s) URL" (configuration, both clients, the simulator's partner API).

/** `value` as a URL when it is an absolute http: or https: URL; otherwise undefined. */
export function parseHttpUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}
