import { freshDataDir } from './data-dir.js';

// Every test file gets its own DATA_DIR: jest runs files in parallel processes, and one embedded
// database directory serves one process.
process.env['DATA_DIR'] = freshDataDir();
