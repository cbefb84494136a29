/** `--name value` flags of a bench script; anything else is an error naming the script's flags. */
export function benchArgs<const T extends readonly string[]>(names: T, argv = process.argv.slice(2)) {
  const values = new Map<T[number], string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!argv[i].startsWith('--') || !(names as readonly string[]).includes(name) || value === undefined) {
      throw new Error(
        `Unknown or incomplete flag "${argv[i]}". Flags: ${names.map((n) => `--${n} <value>`).join(' ')}`,
      );
    }
    values.set(name as T[number], value);
  }
  return {
    has(name: T[number]): boolean {
      return values.has(name);
    },
    number(name: T[number], fallback: number): number {
      const text = values.get(name);
      if (text === undefined) return fallback;
      const number = Number(text);
      if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number`);
      return number;
    },
    numbers(name: T[number], fallback: number[]): number[] {
      const text = values.get(name);
      if (text === undefined) return fallback;
      const numbers = text.split(',').map(Number);
      if (numbers.some((n) => !Number.isFinite(n) || n <= 0))
        throw new Error(`--${name} takes positive numbers, a,b,c`);
      return numbers;
    },
    list(name: T[number], fallback: string[]): string[] {
      return values.get(name)?.split(',') ?? fallback;
    },
  };
}
