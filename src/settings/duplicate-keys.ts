// Keys given twice in one JSON object: JSON.parse silently keeps the last, so a settings file can say one thing
// and do another. Found with jsonc-parser's visitor (the scanner VS Code uses), with line and column.
import { visit } from 'jsonc-parser';

export interface DuplicateKey {
  /** Dotted path of the repeated key, e.g. "timeouts.connect". */
  readonly key: string;
  readonly line: number;
  readonly column: number;
}

export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const objects: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => void objects.push(new Set()),
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (name, _offset, _length, startLine, startCharacter, pathSupplier) => {
      const seen = objects.at(-1);
      if (!seen) return;
      if (seen.has(name)) {
        const parents = pathSupplier().filter((p): p is string => typeof p === 'string');
        found.push({ key: [...parents, name].join('.'), line: startLine + 1, column: startCharacter + 1 });
      }
      seen.add(name);
    },
  });
  return found;
}
