import { runCommand } from '../src/cli/common.js';
import { modelsCommand } from '../src/ml/registry/cli.js';

// npm run models -- list [--target T] | show T [VERSION] | promote T VERSION [--force] | rollback T   (--models DIR, --json)
const argv = process.argv.slice(2);
await runCommand(argv.includes('--json'), () => modelsCommand(argv));
