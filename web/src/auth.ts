// The API token the dashboard sends (Authorization: Bearer ...). Mutations need one
// when the server requires auth (AUTH_REQUIRED, the default for `npm start`); create one
// with `npm run token -- create --name me --scope launch`. Kept in this browser only.
const KEY = "realismlab.apiToken";

export function getToken(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(KEY, token.trim());
    else window.localStorage.removeItem(KEY);
  } catch {
    // Storage disabled: the token lasts until the page reloads.
  }
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Downloads a URL with the token (links cannot send headers). */
export async function downloadWithToken(url: string, filename: string): Promise<void> {
  const response = await fetch(url, { headers: authHeaders() });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.error?.message ?? `The server answered ${response.status}`);
  }
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
