// The page uses papaparse only to write CSV. Its @types package references Node's types, which
// the page must not see (src/renderer/tsconfig.json maps 'papaparse' here): this declares the
// part the page uses, with the same signature as @types/papaparse.
declare const Papa: {
  unparse(
    data: { fields: readonly string[]; data: readonly (readonly unknown[])[] },
    config?: { newline?: string },
  ): string;
};
export default Papa;
