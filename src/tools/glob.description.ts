export const GLOB_DESCRIPTION = `Finds files by name pattern, fast in a codebase of any size.

Usage:
- Supports glob patterns like "**/*.js", "src/**/*.ts" or "*.{json,yaml}".
- path is the directory to search in (absolute, or relative to the workspace); it defaults to the workspace root. Omit it rather than passing "undefined" or "null".
- Returns matching file paths, most recently modified first, at most 100; narrow the pattern or the path when the list is cut.
- .git and node_modules are skipped, symlinks are not followed, and nothing outside the workspace is listed.
- To search file contents, use Grep. For an open-ended search that needs several rounds of globbing and grepping, delegate it with the Task tool.`;
