// Every schema is built with zod's functional build, zod/mini: every command validates settings at start-up, and the
// chained build bundled to ~750 KB (~30 ms and ~12 MiB to load) against ~70 KB for what the schemas use (bench/: the no-op run).
// zod/mini comes without messages; imported for this side effect by each module that defines a schema.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
