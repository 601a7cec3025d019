import { main } from './main.ts';

// The process entry: `bin/codex-task.js` loads the compiled copy of this file; tests run it from source.
process.exitCode = await main(process.argv.slice(2));
