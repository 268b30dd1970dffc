import { jsonRequested } from '../src/cli/args.js';
import { runCommand } from '../src/cli/common.js';
import { modelsCommand } from '../src/ml/registry/cli.js';

// npm run models -- list [--target T] | show T [VERSION] | promote T VERSION [--force] | rollback T   (--models DIR, --json)
// --json is read from raw argv (as by every command), so even a bad option is answered in JSON.
const argv = process.argv.slice(2);
await runCommand(jsonRequested(argv), () => modelsCommand(argv));
