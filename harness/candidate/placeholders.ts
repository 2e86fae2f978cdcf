import { KitError } from '../common/errors.ts';

/** Fills `{name}` placeholders; an unknown placeholder is an error naming it, never silently left in. */
export function fillPlaceholders(text: string, values: Record<string, string>, where: string): string {
  return text.replace(/\{([A-Za-z][\w]*)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new KitError(
        'MANIFEST_PLACEHOLDER',
        `${where}: unknown placeholder ${whole} (known here: ${Object.keys(values)
          .map((k) => `{${k}}`)
          .join(', ')})`,
        { field: where, placeholder: name },
      );
    }
    return value;
  });
}
