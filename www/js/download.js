import { api } from './api.js';

/** Downloads an authenticated file: links cannot carry the access token, so fetch it and save the blob. */
export async function download(path, fallbackName) {
  const response = await api('GET', path, undefined, { raw: true });
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
