import { main } from './main.ts';
import { exitQuietlyOnClosedPipes } from './output.ts';

// The process entry: `bin/codex-task.js` loads the compiled copy of this file; tests run it from source.
exitQuietlyOnClosedPipes();
process.exitCode = await main(process.argv.slice(2));
