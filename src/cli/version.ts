/** The version printed by --version and recorded in results files (kept in step with package.json). */
export const VERSION = '0.1.0';
