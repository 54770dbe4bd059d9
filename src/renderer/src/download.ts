import Papa from 'papaparse';

/** Offers data as a file to save (a browser download; Electron asks where). */
export function downloadFile(fileName: string, data: BlobPart, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A table offered as a CSV file. */
export function downloadCsv(fileName: string, header: string[], rows: (string | number)[][]): void {
  downloadFile(fileName, Papa.unparse({ fields: header, data: rows }), 'text/csv');
}
