// Offering a file to the user as a download (an export, a rejected-rows report, a received document).

/** Offers what a URL points at (an object URL of a file already loaded) as a file named `filename`. */
export function saveUrl(url: string, filename: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}

/** Offers a blob as a file named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  saveUrl(url, filename);
  // The browser reads the blob after the click returns; revoke only once it surely has.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
