// pino-pretty's formatter for one log line, as `log` and --verbose show records to a person; loaded only when asked.
export async function prettyLine(o: { colour: boolean; translateTime: string }): Promise<(line: string) => string> {
  // A CommonJS module: its functions hang off the default export once bundled.
  const { default: pinoPretty } = await import('pino-pretty');
  const pretty = pinoPretty.prettyFactory({ colorize: o.colour, translateTime: o.translateTime, ignore: 'pid,hostname' });
  return (line) => {
    try {
      return pretty(JSON.parse(line) as object);
    } catch {
      // Not one of our records (a line cut by a crash): shown as it is.
      return `${line}\n`;
    }
  };
}
