// JSON a person wrote (settings.json, an endpoint's mdatp_managed.json): a syntax error is reported as compilers
// report one, with the file, line and column and the offending lines shown (parse-json's code frame).
import { stripVTControlCharacters } from 'node:util';
import parseJson from 'parse-json';

/** "file:line:column: invalid JSON (reason)" with the offending lines shown, as compilers print syntax errors. */
function describeJsonError(e: Error & { codeFrame?: string }, text: string, file: string): string {
  const first = e.message.split('\n')[0] ?? '';
  const m = /at position (\d+)/.exec(first);
  const position = m ? Number(m[1]) : text.length;
  const before = text.slice(0, position).split(/\r?\n/);
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  const reason = first
    .replace(/ in JSON.*$/, '')
    .replace(/ while parsing.*$/, '')
    .replace(new RegExp(` in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), '');
  const frame = e.codeFrame ? `\n${stripVTControlCharacters(e.codeFrame)}` : '';
  return `${file}:${line}:${column}: invalid JSON (${reason}). Fix the syntax at that line and column.${frame}`;
}

/** Parses the text; a syntax error throws an Error whose message is "file:line:column: invalid JSON (…)" and a frame. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return parseJson(text, file);
  } catch (e) {
    throw new Error(describeJsonError(e as Error & { codeFrame?: string }, text, file), { cause: e });
  }
}
