// Small HTTP helpers for building the bench world through the daemon's own API.

/** Sends a JSON request with a bearer token; throws on any answer other than 2xx. */
export async function call(
  url: string,
  method: string,
  path: string,
  token: string,
  body: unknown,
): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const parsed: any = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${parsed?.error?.code}`);
  return parsed;
}

/** The status and exact body bytes of a GET. */
export async function get(
  url: string,
  path: string,
  token?: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.text() };
}

/** The exact body bytes of a GET that must answer 200. */
export async function text(url: string, path: string, token?: string): Promise<string> {
  const { status, body } = await get(url, path, token);
  if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
  return body;
}
