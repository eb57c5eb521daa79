/** Hands a file to the browser's downloads (an <a download> click); the object URL is freed once it started. */
export function downloadFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "gravix-endpoints-2026-11-20T14-05-00Z.csv": sortable, and free of characters file systems refuse. */
export function downloadName(what: string, extension: string, now = Date.now()): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return `gravix-${what}-${stamp}.${extension}`;
}
