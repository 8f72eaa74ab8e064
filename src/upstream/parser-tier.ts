// undici parses HTTP/1 with llhttp compiled to WebAssembly. V8 runs it as baseline (Liftoff) code and recompiles its
// hot functions with TurboFan in the background: ~20 MiB more peak memory per run for no speed a run can measure (on a
// body, the parser only finds where each chunk ends). The tiering budget is read when the parser is instantiated, at the first connection,
// so setting it before the first request is enough. It can only be set here: NODE_OPTIONS does not take V8's wasm flags.
import { setFlagsFromString } from 'node:v8';

/** Far more bytes than a run parses: the tier-up never triggers. Within V8's int flag range. */
const NEVER = 2_000_000_000;

let set = false;

export function keepParserOnBaselineTier(): void {
  if (set) return;
  set = true;
  setFlagsFromString(`--wasm-tiering-budget=${NEVER}`);
}
