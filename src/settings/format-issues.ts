// Turns zod's validation issues into sentences that name the file, the field, what was found and the fix.
import type { $ZodIssue } from 'zod/v4/core';
import { closest, distance } from 'fastest-levenshtein';
import { SECRET_FIELDS } from './publish-targets.js';

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array ${JSON.stringify(v)}`;
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `the boolean ${v}`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  boolean: 'true or false (without quotes)',
  string: 'a string in double quotes',
  number: 'a number',
  int: 'a whole number',
  array: 'an array, like ["x86_64", "arm64"]',
  object: 'an object { ... }',
};

/** The closest known key, when it is close enough to be a plausible typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const best = closest(key, [...known]);
  return distance(key, best) <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

export function formatIssue(issue: $ZodIssue, knownKeysAt: (path: readonly PropertyKey[]) => readonly string[]): string[] {
  const field = fieldName(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const full = field ? `${field}.${key}` : key;
        if (field.startsWith('publish') && SECRET_FIELDS.includes(key))
          return `field "${full}" would keep a secret in settings.json: remove it. Credentials come from the environment (AWS: its variables, profile or role; Azure: "connectionStringEnv" names a variable, or the default Azure credential).`;
        const hint = suggestKey(key, knownKeysAt(issue.path));
        return hint
          ? `unknown field "${full}": did you mean "${hint}"? Rename it.`
          : `unknown field "${full}": remove it (known fields: ${knownKeysAt(issue.path).join(', ')}).`;
      });
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [`field "${field}" must be ${expected}, found ${describeValue(issue.input)}.`];
    }
    case 'invalid_value':
      return [
        `field "${field}" must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describeValue(issue.input)}.`,
      ];
    case 'invalid_union':
      // A tagged choice ("mode", "type") with a tag that is none of the choices: name them, and the tag found.
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        const found = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        const choices = issue.options.map((v) => JSON.stringify(v)).join(', ');
        return [
          found === undefined
            ? `field "${field}" is missing: give one of ${choices}.`
            : `field "${field}" must be one of ${choices}, found ${describeValue(found)}.`,
        ];
      }
      return [`field "${field}" ${issue.message}${issue.input === undefined ? '' : `, found ${describeValue(issue.input)}`}.`];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const what =
        issue.origin === 'array'
          ? `must list ${bound} item(s)`
          : issue.origin === 'string'
            ? `must have ${bound} character(s)`
            : `must be ${bound}`;
      return [`field "${field}" ${what}, found ${describeValue(issue.input)}.`];
    }
    default:
      return [`field "${field}" ${issue.message}${issue.input === undefined ? '' : `, found ${describeValue(issue.input)}`}.`];
  }
}
