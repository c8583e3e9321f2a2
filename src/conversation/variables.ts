// {{name}} placeholders in step strings, filled from values captured earlier in the scenario.
import { ApiChatError } from '../base/errors.ts';
import { PLACEHOLDER } from '../base/text.ts';

export class Variables {
  private readonly values = new Map<string, string>();

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  setAll(values: Record<string, string>): void {
    for (const [k, v] of Object.entries(values)) this.set(k, v);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  entries(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  /** Replaces every {{name}}; an unknown name is an error that lists the known ones. */
  interpolate(text: string): string {
    return text.replace(PLACEHOLDER, (_all, raw: string) => {
      // The shared regex keeps what follows the name (bot files' {{random 1-9}}); here "{{ ref }}" is ref.
      const name = raw.trim();
      const v = this.values.get(name);
      if (v === undefined) {
        const known = [...this.values.keys()];
        throw new ApiChatError(
          'APICHAT_UNKNOWN_VARIABLE',
          `unknown variable {{${name}}}: ${known.length ? `known variables are ${known.map((k) => `{{${k}}}`).join(', ')}` : 'no variable has been captured yet'} — capture one with a named group, e.g. Then the bot replies matching /reference (?<${name}>\\S+)/`,
        );
      }
      return v;
    });
  }
}
