/**
 * The one import of zod (dependency-cruiser's `zod-through-domain-zod`): zod itself, with zod's
 * default messages worded as the service has always shown them. Zod 4 rewords its defaults
 * ("Too big: expected number to be <=240"); the checklist and calendar import errors, the care
 * settings form, the user administration and the start-up configuration errors keep the words
 * their users (and the documents that quote them) know: "Number must be less than or equal to
 * 240", "Required", "Invalid enum value. Expected 'a' | 'b', received 'c'". A schema's own message
 * (`.min(1, 'is empty')`) still wins over these.
 */
import { z } from 'zod';

type Issue = Parameters<z.core.$ZodErrorMap>[0];

/** The type names of the messages ("received nan", "received array"). */
function typeName(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number') return Number.isNaN(input) ? 'nan' : 'number';
  if (input instanceof Date) return 'date';
  if (input instanceof Map) return 'map';
  if (input instanceof Set) return 'set';
  if (input instanceof Promise) return 'promise';
  return typeof input;
}

/** 'a' | 'b' (strings quoted, other values as written). */
const joinValues = (values: readonly unknown[], separator = ' | ') =>
  values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(separator);

const sizeWords = {
  too_small: { array: ['element(s)', 'at least', 'more than'], string: ['character(s)', 'at least', 'over'] },
  too_big: { array: ['element(s)', 'at most', 'less than'], string: ['character(s)', 'at most', 'under'] },
} as const;

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string | undefined {
  const small = issue.code === 'too_small';
  const bound = String(small ? issue.minimum : issue.maximum);
  const sized = issue.origin === 'array' ? 'array' : issue.origin === 'string' ? 'string' : undefined;
  if (sized) {
    const [unit, inclusive, exclusive] = sizeWords[issue.code][sized];
    const Kind = sized === 'array' ? 'Array' : 'String';
    return `${Kind} must contain ${issue.exact ? 'exactly' : issue.inclusive ? inclusive : exclusive} ${bound} ${unit}`;
  }
  if (issue.origin === 'number') {
    if (issue.exact) return `Number must be exactly equal to ${bound}`;
    const words = small ? ['greater than or equal to', 'greater than'] : ['less than or equal to', 'less than'];
    return `Number must be ${issue.inclusive ? words[0] : words[1]} ${bound}`;
  }
  return undefined;
}

function invalidValue(issue: Extract<Issue, { code: 'invalid_value' }>): string {
  const kind = (issue.inst as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type;
  if (kind === 'literal') return `Invalid literal value, expected ${JSON.stringify(issue.values[0])}`;
  if (issue.input === undefined) return 'Required';
  if (typeof issue.input !== 'string') return `Expected ${joinValues(issue.values)}, received ${typeName(issue.input)}`;
  return `Invalid enum value. Expected ${joinValues(issue.values)}, received '${issue.input}'`;
}

function invalidFormat(issue: Extract<Issue, { code: 'invalid_format' }>): string {
  if (issue.format === 'regex') return 'Invalid';
  if ('includes' in issue) return `Invalid input: must include "${String(issue.includes)}"`;
  if ('prefix' in issue) return `Invalid input: must start with "${String(issue.prefix)}"`;
  if ('suffix' in issue) return `Invalid input: must end with "${String(issue.suffix)}"`;
  return `Invalid ${issue.format}`;
}

/** Zod's default messages in the service's words; undefined leaves an issue to zod's English. */
export function serviceWording(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'Required';
      if (issue.expected === 'int') return 'Expected integer, received float';
      return `Expected ${issue.expected}, received ${typeName(issue.input)}`;
    case 'invalid_value':
      return invalidValue(issue);
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue);
    case 'invalid_format':
      return invalidFormat(issue);
    case 'unrecognized_keys':
      return `Unrecognized key(s) in object: ${joinValues(issue.keys, ', ')}`;
    case 'not_multiple_of':
      return `Number must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_key':
      // the key's own problem, as the key schema words it ("must be lower-case letters, …")
      return issue.issues[0]?.message;
    case 'custom':
      return 'Invalid input';
    default:
      return undefined;
  }
}

const english = z.locales.en().localeError;
z.config({ localeError: (issue) => serviceWording(issue) ?? english(issue) });

export { z };
